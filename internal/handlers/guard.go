package handlers

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// The admin API steers the emulator: a web page the user happens to open must
// not. Browsers say where a request comes from (Sec-Fetch-Site, Origin);
// scripts, SDKs and test code send neither, and are not affected.
//
//   - A cross-site request (Sec-Fetch-Site cross-site or same-site, or an
//     Origin other than the Host asked) is refused: 403 MOCK.0403. A plain
//     navigation to the control page is allowed: the page then calls the API
//     from its own origin.
//   - DNS rebinding (a page on evil.example whose name now resolves to
//     127.0.0.1 is same-origin to the browser): every admin request must
//     name a host the emulator answers to: an IP address, localhost or
//     *.localhost, a name without a dot (a compose service), a name no one
//     can register (*.svc, *.cluster.local, *.internal, *.lan, *.home.arpa),
//     or one of --allowed-hosts ("*": any). Like development servers do.
//   - A call's body must be JSON (415 MOCK.0415 otherwise): sent as
//     application/json, or with no Content-Type. text/plain and multipart
//     bodies, what a cross-site page can send without asking, are refused;
//     so is a form-encoded one from a browser. From anything else it is
//     read as JSON: that is what `curl -d '{...}'` sends.
func guardAdmin(allowed []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			msg := rebound(r, allowed, adminAPI)
			if msg == "" {
				msg = crossSite(r, adminAPI)
			}
			if msg != "" {
				writeError(w, wire.Mock(http.StatusForbidden, "MOCK.0403", msg))
				return
			}
			if hasBody(r) && !jsonBody(r) {
				writeError(w, wire.Mock(http.StatusUnsupportedMediaType, "MOCK.0415", "admin API: a request body must be JSON, sent with Content-Type: application/json"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// jsonBody reports whether the body is declared as JSON, or as nothing in
// particular by a client that is not a browser.
func jsonBody(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err != nil:
		return false
	case mt == "application/json":
		return true
	case mt == "application/x-www-form-urlencoded": // curl -d's default
		return !fromBrowser(r)
	}
	return false
}

// fromBrowser reports whether a browser sent the request: they say where it
// comes from; scripts, SDKs and tests don't.
func fromBrowser(r *http.Request) bool {
	return r.Header.Get("Sec-Fetch-Site") != "" || r.Header.Get("Origin") != ""
}

// What a refusal names as refused.
const (
	adminAPI   = "admin API"
	apiActions = "the API's actions"
)

// crossSite says why a browser's request from another site may not steer
// the emulator through what (adminAPI, apiActions), or "".
func crossSite(r *http.Request, what string) string {
	if !fromBrowser(r) {
		return "" // a script, an SDK, a test
	}
	site, origin := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin")
	navigation := r.Method == http.MethodGet && r.Header.Get("Sec-Fetch-Mode") == "navigate" && r.URL.Path == "/_mock/ui"
	switch {
	case site != "" && site != "same-origin" && site != "none" && !navigation:
		return what + ": a request from another site (Sec-Fetch-Site: " + site + ") may not steer the emulator"
	case origin != "" && !navigation:
		if u, err := url.Parse(origin); err != nil || u.Host != r.Host {
			return what + ": a request from another origin (" + wire.Truncate(origin, 100) + ") may not steer the emulator"
		}
	}
	return ""
}

// rebound says why the host a request names is not one the emulator
// answers to, or "". Checked on every admin request, browser or not: a page
// served over plain http sends no Sec-Fetch-* header, and a same-origin GET
// no Origin, so a DNS-rebinding page's reads look like a script's.
func rebound(r *http.Request, allowed []string, what string) string {
	if hostAllowed(r.Host, allowed) {
		return ""
	}
	return what + ": asked for host " + wire.Truncate(r.Host, 100) + ", which this emulator does not answer to " +
		"(a DNS-rebinding page?); add it with --allowed-hosts"
}

// guardBrowserWrites keeps a browser page on another site from acting on
// the fleet through the emulated API's POST routes (a text/plain body needs
// no preflight): a browser's cross-site or rebinding request is refused
// (403 MOCK.0403). SDKs and scripts send no browser header and are not
// checked; the control page calls them from its own origin.
func guardBrowserWrites(allowed []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if fromBrowser(r) {
				msg := crossSite(r, apiActions)
				if msg == "" {
					msg = rebound(r, allowed, apiActions)
				}
				if msg != "" {
					writeError(w, wire.Mock(http.StatusForbidden, "MOCK.0403", msg))
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// privateSuffixes end names nobody can register publicly (a rebinding page
// needs a public name): Kubernetes services (.svc, .cluster.local), mDNS,
// private networks, and the names RFC 2606 reserves for tests and examples
// (httptest's requests name example.com).
var privateSuffixes = []string{".local", ".internal", ".svc", ".lan", ".home.arpa", ".test", ".example", ".invalid",
	"example.com", "example.net", "example.org"}

// hostAllowed reports whether host (with or without its port) is one the
// admin API may be reached by.
func hostAllowed(hostport string, allowed []string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case net.ParseIP(strings.Trim(host, "[]")) != nil,
		host == "localhost" || strings.HasSuffix(host, ".localhost"),
		host != "" && !strings.Contains(host, "."),
		slices.ContainsFunc(privateSuffixes, func(sfx string) bool { return strings.HasSuffix("."+host, "."+strings.TrimPrefix(sfx, ".")) }),
		slices.Contains(allowed, "*"),
		slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, host) }):
		return true
	}
	return false
}

func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody
}
