package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// StableProjectID is the project id the IAM route gives a region nobody
// configured: 32 lowercase hex, like a real one, the same on every run.
func StableProjectID(region string) string {
	h := sha256.Sum256([]byte("workspace-mock project " + region))
	return hex.EncodeToString(h[:16])
}

// domainID stands in for the account (domain) that owns every project.
var domainID = StableProjectID("domain")

// iamProjects answers GET /v3/projects?name=<region>, the IAM call an SDK
// makes to discover its project id when built with a region and no project id.
func (m *Mock) iamProjects(r *http.Request, _ time.Time) (string, engine.Answer) {
	if e := m.authenticate(r); e != nil {
		return "", engine.Answer{Err: e}
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	base := scheme + r.Host + "/v3/projects"
	regions := m.regions
	if name := r.URL.Query().Get("name"); name != "" {
		regions = []string{name}
	}
	b := append(make([]byte, 0, 512), `{"links":{"next":null,"previous":null,"self":`...)
	b = wire.AppendString(b, base+"?"+r.URL.RawQuery)
	b = append(b, `},"projects":[`...)
	for i, region := range regions {
		id := m.regionProjects[region]
		if id == "" {
			id = StableProjectID(region)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"domain_id":"`+domainID+`","is_domain":false,"parent_id":"`+domainID+`","name":`...)
		b = wire.AppendString(b, region)
		b = append(b, `,"description":"","links":{"next":null,"previous":null,"self":`...)
		b = wire.AppendString(b, base+"/"+id)
		b = append(b, `},"id":`...)
		b = wire.AppendString(b, id)
		b = append(b, `,"enabled":true}`...)
	}
	b = append(b, `]}`...)
	return "", engine.Answer{Body: fixtures.NewPayload(b)}
}

// withIAMTraceID gives IAM's answers the trace id real ones carry.
func withIAMTraceID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Iam-Trace-Id"] = []string{requestID(w)}
		next.ServeHTTP(w, r)
	})
}
