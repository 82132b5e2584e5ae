// Package aksk verifies Huawei Cloud's SDK-HMAC-SHA256 request signatures the
// way the API gateway does, and answers each rejection with the gateway's code
// and message. Written from the published algorithm; it imports no SDK.
package aksk

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/wire"
	"gopkg.in/yaml.v3"
)

// Algorithm is the only signing algorithm the emulator verifies (the SDK's default).
const Algorithm = "SDK-HMAC-SHA256"

// DateFormat is X-Sdk-Date's layout.
const DateFormat = "20060102T150405Z"

// MaxSkew is how far X-Sdk-Date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// unsignedPayload is the literal hash of a request that declares its body unsigned.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// emptyHash is the SHA-256 of no bytes: the payload hash of every GET.
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Credential is one access key pair; a temporary pair also has a security
// token that requests must send, signed, as X-Security-Token.
type Credential struct {
	AK            string `yaml:"ak"`
	SK            string `yaml:"sk"`
	SecurityToken string `yaml:"security_token"`
}

// Verifier checks signatures against a fixed set of credentials.
type Verifier struct {
	creds map[string]Credential
	now   func() time.Time
}

// NewVerifier builds a verifier; now is the clock (nil: time.Now).
func NewVerifier(creds []Credential, now func() time.Time) (*Verifier, error) {
	v := &Verifier{creds: map[string]Credential{}, now: now}
	if v.now == nil {
		v.now = time.Now
	}
	for i, c := range creds {
		if c.AK == "" || c.SK == "" {
			return nil, fmt.Errorf("credential %d: both an AK and an SK are needed", i+1)
		}
		if _, dup := v.creds[c.AK]; dup {
			return nil, fmt.Errorf("credential %d: AK %s is given twice", i+1, c.AK)
		}
		v.creds[c.AK] = c
	}
	if len(v.creds) == 0 {
		return nil, fmt.Errorf("no credentials: give --ak and --sk, or --credentials FILE")
	}
	return v, nil
}

// reject builds the gateway's 401 for one case; detail says, for the user of
// the emulator, exactly what did not match (never a secret).
func reject(code, msg, detail string) *wire.Error {
	return &wire.Error{Status: http.StatusUnauthorized, Code: code, Msg: msg, Detail: detail}
}

const (
	iamPrefix = "Incorrect IAM authentication information: "
	sigFail   = iamPrefix + "verify aksk signature fail"
)

// Verify checks r's Authorization header; body is the request body (nil for
// GET). It returns nil when the request is authentic, else the gateway's error.
func (v *Verifier) Verify(r *http.Request, body []byte) *wire.Error {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		if r.Header.Get("X-Auth-Token") != "" {
			return reject("APIGW.0301", iamPrefix+"decrypt token fail",
				"The emulator verifies AK/SK signatures only; it cannot validate an X-Auth-Token.")
		}
		return reject("APIGW.0301", iamPrefix+"x-auth-token not found",
			"The request has neither an Authorization header (AK/SK signature) nor X-Auth-Token.")
	}
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != Algorithm {
		return reject("APIGW.0301", sigFail,
			fmt.Sprintf("Authorization algorithm %q is not supported by the emulator: sign with %s.", alg, Algorithm))
	}
	ak, signed, sig, ok := parseAuthorization(rest)
	if !ok {
		return reject("APIGW.0301", sigFail,
			"The Authorization header must read: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>.")
	}
	if msg := checkSignedHeaders(signed); msg != "" {
		return reject("APIGW.0301", sigFail, msg)
	}
	cred, known := v.creds[ak]
	if !known {
		return reject("APIGW.0301", iamPrefix+"Get secretKey failed,ak:"+echoAK(ak)+",err:ak not exist",
			"The access key is not one the emulator was started with (--ak, --credentials).")
	}
	date := r.Header.Get("X-Sdk-Date")
	t, err := time.Parse(DateFormat, date)
	if err != nil {
		return reject("APIGW.0301", sigFail, "X-Sdk-Date is missing or not in the form 20261126T103014Z.")
	}
	if !slices.Contains(signed, "x-sdk-date") {
		return reject("APIGW.0301", sigFail, "x-sdk-date must be among SignedHeaders.")
	}
	now := v.now().UTC()
	if skew := now.Sub(t); skew > MaxSkew || skew < -MaxSkew {
		return reject("APIGW.0303", fmt.Sprintf("Incorrect app authentication information: signature expired, signature time:%s,server time:%s",
			date, now.Format(DateFormat)), "X-Sdk-Date is more than 15 minutes away from the server's clock.")
	}
	if cred.SecurityToken != "" {
		if r.Header.Get("X-Security-Token") != cred.SecurityToken || !slices.Contains(signed, "x-security-token") {
			return reject("APIGW.0301", sigFail,
				"This AK is temporary: the request must carry its security token, signed, as X-Security-Token.")
		}
	}
	canonical, err := CanonicalRequest(r, signed, body)
	if err != nil {
		return reject("APIGW.0301", sigFail, "The request cannot be verified: "+err.Error()+".")
	}
	want := Sign(canonical, date, cred.SK)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(sig))) {
		return reject("APIGW.0301", sigFail,
			"The signature does not match the request: check the SK, and that no proxy changed the method, path, query or a signed header.")
	}
	return nil
}

// echoAK is the AK as the gateway's message repeats it. Real AKs are
// uppercase letters and digits; anything else may be a secret pasted in the
// wrong field (an SK is mixed case) and is not repeated.
func echoAK(ak string) string {
	if len(ak) > 64 {
		return "***"
	}
	for i := 0; i < len(ak); i++ {
		if c := ak[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "***"
		}
	}
	return ak
}

// parseAuthorization reads "Access=AK, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(s string) (ak string, signed []string, sig string, ok bool) {
	var headers string
	for _, part := range strings.Split(s, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return "", nil, "", false
		}
		switch k {
		case "Access":
			ak = val
		case "SignedHeaders":
			headers = val
		case "Signature":
			sig = val
		}
	}
	if ak == "" || headers == "" || sig == "" {
		return "", nil, "", false
	}
	return ak, strings.Split(strings.ToLower(headers), ";"), sig, true
}

// MaxSignedHeaders bounds the SignedHeaders list; the SDKs sign a handful.
const MaxSignedHeaders = 64

// checkSignedHeaders refuses a list that would make the canonical request
// costly to build: a name given twice (each repeat copies the header again),
// an empty name, more names than any client signs.
func checkSignedHeaders(signed []string) string {
	if len(signed) > MaxSignedHeaders {
		return fmt.Sprintf("SignedHeaders lists %d headers; the emulator accepts at most %d.", len(signed), MaxSignedHeaders)
	}
	for i, name := range signed {
		if name == "" {
			return "SignedHeaders has an empty header name."
		}
		if slices.Contains(signed[:i], name) {
			return fmt.Sprintf("SignedHeaders names %q twice.", name)
		}
	}
	return ""
}

// SignRequest signs req as the official SDKs do, with the algorithm Verify
// checks (the same canonical request): it sets X-Sdk-Date to now and the
// SDK-HMAC-SHA256 Authorization header. Signed are host and every header req
// carries (lowercase, sorted); body is the request body (nil for none). An
// Authorization header already there is replaced, never signed.
func SignRequest(req *http.Request, body []byte, ak, sk string, now time.Time) error {
	date := now.UTC().Format(DateFormat)
	req.Header.Del("Authorization")
	req.Header.Set("X-Sdk-Date", date)
	if req.Host == "" {
		req.Host = req.URL.Host
	}
	signed := []string{"host"}
	for name := range req.Header {
		if n := strings.ToLower(name); n != "host" {
			signed = append(signed, n)
		}
	}
	sort.Strings(signed)
	signed = slices.Compact(signed)
	canonical, err := CanonicalRequest(req, signed, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", fmt.Sprintf("%s Access=%s, SignedHeaders=%s, Signature=%s",
		Algorithm, ak, strings.Join(signed, ";"), Sign(canonical, date, sk)))
	return nil
}

// Sign returns the hex signature of a canonical request: HMAC-SHA256, keyed
// with the SK, of the string to sign.
func Sign(canonicalRequest, date, sk string) string {
	crHash := sha256.Sum256([]byte(canonicalRequest))
	sts := Algorithm + "\n" + date + "\n" + hex.EncodeToString(crHash[:])
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(sts))
	return hex.EncodeToString(mac.Sum(nil))
}

// CanonicalRequest builds the text that is signed: method, canonical URI,
// canonical query, the signed headers' "name:value" lines, the list of
// signed headers, and the payload hash, joined with newlines. A query that
// cannot be parsed is an error: dropping what it can't read would let an
// altered query pass.
func CanonicalRequest(r *http.Request, signed []string, body []byte) (string, error) {
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL.Path))
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	for _, name := range signed {
		for _, v := range headerValues(r, name) {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash(r, body))
	return b.String(), nil
}

func payloadHash(r *http.Request, body []byte) string {
	if r.Header.Get("X-Sdk-Content-Sha256") == unsignedPayload {
		return unsignedPayload
	}
	if len(body) == 0 {
		return emptyHash
	}
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:])
}

// headerValues are a signed header's canonical values, trimmed and sorted,
// one "name:value" line each (none for an absent header, as the SDK signs);
// host comes from the request line.
func headerValues(r *http.Request, name string) []string {
	if name == "host" {
		return []string{r.Host}
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.TrimSpace(v)
	}
	sort.Strings(out)
	return out
}

// canonicalURI escapes each segment of the decoded path and ends it with "/".
func canonicalURI(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	u := strings.Join(segs, "/")
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// MaxQueryParams bounds the query parameters of a signed request.
const MaxQueryParams = 1000

// canonicalQuery sorts keys, and values within a key, of the decoded query.
func canonicalQuery(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	if n := strings.Count(raw, "&") + 1; n > MaxQueryParams {
		return "", fmt.Errorf("%d query parameters, more than the %d a signed request may have", n, MaxQueryParams)
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", fmt.Errorf("the query string cannot be parsed: %v", err)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&"), nil
}

// escape percent-encodes all but A-Z a-z 0-9 - _ . ~, with uppercase hex.
func escape(s string) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexUpper[c>>4])
			b.WriteByte(hexUpper[c&15])
		}
	}
	return b.String()
}

// ParseCredentials reads a credentials file:
//
//	credentials:
//	  - ak: AK1
//	    sk: SK1
//	  - ak: TEMPAK
//	    sk: TEMPSK
//	    security_token: TOKEN   # a temporary pair: requests must send it
func ParseCredentials(name string, data []byte) ([]Credential, error) {
	var file struct {
		Credentials []Credential `yaml:"credentials"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		msg := strings.TrimPrefix(strings.ReplaceAll(err.Error(), "\n ", ""), "yaml: ")
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("%s:%s: %s", name, m[1], m[2])
		}
		return nil, fmt.Errorf("%s: %s", name, msg)
	}
	for i, c := range file.Credentials {
		if c.AK == "" || c.SK == "" {
			return nil, fmt.Errorf("%s: credential %d needs both ak and sk", name, i+1)
		}
	}
	if len(file.Credentials) == 0 {
		return nil, fmt.Errorf("%s: no credentials (a list under \"credentials:\")", name)
	}
	return file.Credentials, nil
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)$`)
