package upstream

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// MaxRequestID bounds the upstream's X-Request-Id as the emulator keeps and
// passes it on (the client's header, the journal, the drift, the log): the
// journal's per-field bound (handlers.MaxEntryField, the same value). A
// longer one is cut, ending in "...(cut)"; real ones are 32 characters.
const MaxRequestID = 512

// MaxProblem bounds the text of one departure from the contract, as the
// drift and the log keep it: a problem quotes the upstream's values.
const MaxProblem = 1024

// cut keeps s whole when it has at most max bytes, else its start, cut at
// a character boundary and marked, in at most max bytes all told.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return wire.Clip(s, max-len(wire.CutMark))
}

// authShaped matches the values of an Authorization header's parts: an
// upstream that echoes the proxy's signature must not have it kept.
var authShaped = regexp.MustCompile(`(?i)\b(Access|Signature|Credential)=[^,;&\s"'\\]*`)

// scrubAuth removes what must not be logged or kept of an upstream's text:
// Authorization-shaped values (Signature=..., Access=...) and the secrets
// (the AK and SK; short ones would mask everything and are left).
func scrubAuth(s string, secrets ...string) string {
	s = authShaped.ReplaceAllString(s, "$1=***")
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// Redacted is the --upstream URL as it may be logged: a password in it is
// replaced by xxxxx.
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(not a URL)"
	}
	return u.Redacted()
}
