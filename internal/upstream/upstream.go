// Package upstream forwards API requests to the real service, re-signed
// with the user's AK/SK, checks each answer against the contract (drift),
// and records answers as anonymised scenario files.
package upstream

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Config is how to reach the upstream.
type Config struct {
	URL         string        // https://workspace.cn-north-4.myhuaweicloud.com
	AK, SK      string        // the user's credentials; requests are signed with them
	CAFile      string        // PEM file of a CA to trust besides the system's
	Timeout     time.Duration // for one request, connecting included; 0: 10 s
	MaxInFlight int64         // bytes of upstream answers held at once, all requests together; 0: DefaultMaxInFlight
}

// MaxBody bounds an upstream answer read into memory.
const MaxBody = 32 << 20

// DefaultMaxInFlight bounds the bytes of upstream answers held at once, all
// requests together (two answers of MaxBody), from the first byte read until
// the handler has written the answer (Answer.Release). A request that would
// go past it is answered at once, without waiting, with 502 MOCK.0502 saying
// so: the client may try again, and the emulator's memory stays bounded
// whatever the upstream sends and however many clients ask. An answer with a
// Content-Length holds that much from the start; one without holds its
// buffer as it grows.
const DefaultMaxInFlight = 64 << 20

// Upstream is a configured upstream service.
type Upstream struct {
	base     *url.URL
	ak, sk   string
	client   *http.Client
	timeout  time.Duration
	fetched  func() // tests: called once the upstream's headers are in
	inFlight *budget
}

// budget counts bytes held against a bound.
type budget struct {
	mu        sync.Mutex
	used, max int64
}

// take holds n more bytes, unless that would go past the bound.
func (b *budget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

func (b *budget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// New checks the configuration and prepares a client that keeps connections
// alive (HTTP/2 when the upstream offers it).
func New(c Config) (*Upstream, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--upstream %q: give a URL like https://workspace.cn-north-4.myhuaweicloud.com", c.URL)
	}
	if c.AK == "" || c.SK == "" {
		return nil, errors.New("--upstream needs credentials: --upstream-ak and --upstream-sk (or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK)")
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--upstream-ca: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--upstream-ca %s: no PEM certificate in it", c.CAFile)
		}
		tc.RootCAs = pool
	}
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: c.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: c.Timeout,
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Upstream{base: u, ak: c.AK, sk: c.SK, timeout: c.Timeout, inFlight: &budget{max: c.MaxInFlight},
		client: &http.Client{Transport: transport, Timeout: c.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// Secrets are what a recording must never hold for a request of project:
// the project id and the credentials.
func (u *Upstream) Secrets(project string) []string { return []string{project, u.ak, u.sk} }

// Host names the upstream in messages.
func (u *Upstream) Host() string { return u.base.Host }

// Answer is what the upstream answered, as the client is to get it.
type Answer struct {
	Status      int
	RequestID   string
	ContentType string
	Body        []byte
	Header      http.Header // what to send besides Content-Type and Content-Length: X-Request-Id when there is one

	held     atomic.Int64 // bytes of the in-flight budget the body holds
	inFlight *budget
}

// Release gives back what the answer holds of the bytes in flight
// (DefaultMaxInFlight): call it once the answer is written. Calling it
// again, or on nil, does nothing.
func (a *Answer) Release() {
	if a == nil || a.inFlight == nil {
		return
	}
	if n := a.held.Swap(0); n > 0 {
		a.inFlight.give(n)
	}
}

// errBusy is a body the in-flight bound leaves no room for.
var errBusy = errors.New("over the bound of bytes in flight")

// readBody reads an answer's body, holding its bytes of the in-flight
// budget as its buffer grows; it returns the body and the bytes held (none
// on an error).
func (u *Upstream) readBody(resp *http.Response) ([]byte, int64, error) {
	if resp.ContentLength > MaxBody {
		return nil, 0, fmt.Errorf("its answer is over %d bytes", MaxBody)
	}
	size := int64(64 << 10)
	if resp.ContentLength >= 0 {
		size = resp.ContentLength + 1 // room to see the end
	}
	if !u.inFlight.take(size) {
		return nil, 0, errBusy
	}
	held := size
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			next := min(2*int64(cap(buf)), MaxBody+1)
			if int64(len(buf)) >= next {
				u.inFlight.give(held)
				return nil, 0, fmt.Errorf("its answer is over %d bytes", MaxBody)
			}
			if !u.inFlight.take(next) {
				u.inFlight.give(held)
				return nil, 0, errBusy
			}
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			u.inFlight.give(int64(cap(buf)))
			held += next - int64(cap(buf))
			buf = grown
		}
		n, err := resp.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			u.inFlight.give(held)
			return nil, 0, err
		}
	}
	if len(buf) > MaxBody {
		u.inFlight.give(held)
		return nil, 0, fmt.Errorf("its answer is over %d bytes", MaxBody)
	}
	return buf, held, nil
}

// Fetch asks the upstream the request's API call for project (same method,
// path and query; body is the request's body, nil for none), signed anew
// with aksk.SignRequest: the client's own Authorization is never forwarded.
// A failure to get an answer is the 502 to give the client.
func (u *Upstream) Fetch(ctx context.Context, project string, in *http.Request, body []byte) (*Answer, *wire.Error) {
	target := *u.base
	target.Path = strings.TrimSuffix(u.base.Path, "/") + in.URL.Path
	target.RawPath = ""
	target.RawQuery = in.URL.RawQuery
	method := in.Method
	if method == "" {
		method = http.MethodGet
	}
	var content io.Reader
	if len(body) > 0 {
		content = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), content)
	if err != nil {
		return nil, u.failed(err)
	}
	req.Host = u.base.Host
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Project-Id", project)
	req.Header.Set("User-Agent", "workspace-mockserver (proxy)")
	if err := aksk.SignRequest(req, body, u.ak, u.sk, time.Now()); err != nil {
		return nil, u.failed(err)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, u.failed(err)
	}
	defer resp.Body.Close()
	if u.fetched != nil {
		u.fetched()
	}
	got, held, err := u.readBody(resp)
	switch {
	case errors.Is(err, errBusy):
		return nil, u.busy()
	case err != nil:
		return nil, u.failed(err)
	}
	id := cut(scrubAuth(resp.Header.Get("X-Request-Id"), u.ak, u.sk), MaxRequestID)
	a := &Answer{Status: resp.StatusCode, RequestID: id, ContentType: resp.Header.Get("Content-Type"), Body: got, inFlight: u.inFlight}
	a.held.Store(held)
	return a, nil
}

// busy is the 502 for an answer past the bound of bytes in flight.
func (u *Upstream) busy() *wire.Error {
	return &wire.Error{Status: http.StatusBadGateway, Code: "MOCK.0502",
		Msg: fmt.Sprintf("The upstream %s answered, but the emulator already holds %d MiB of upstream answers in flight, its bound: try again",
			u.base.Host, u.inFlight.max>>20),
		Detail: "This error comes from the emulator, not from the emulated API: it bounds the memory that answers of --upstream hold at once."}
}

// failed is the 502 for a request the upstream did not answer.
func (u *Upstream) failed(err error) *wire.Error {
	cause := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err.Error()
		if ue.Timeout() {
			cause = fmt.Sprintf("no answer within %s (--upstream-timeout)", u.timeout)
		}
	}
	return &wire.Error{Status: http.StatusBadGateway, Code: "MOCK.0502",
		Msg:    fmt.Sprintf("The upstream %s did not answer: %s", u.base.Host, cause),
		Detail: "This error comes from the emulator, not from the emulated API: it forwards to --upstream and could not get an answer."}
}
