package engine

import (
	"fmt"
	"hash/fnv"
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/workspace-mock/mockserver/internal/desktops"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// The operations that act on the fleet, and the one that follows them.
var (
	// BatchRunDesktops: POST /v2/{project_id}/desktops/action.
	BatchRunDesktops = actionOperation("BatchRunDesktops", func(v *desktops.View, l *desktops.Log, a Args, jobIDs func(int) string) ([]byte, *wire.Error) {
		req, op, err := desktops.ParseBatch(a.Body)
		if err != nil {
			return nil, err
		}
		return v.Accept(l, req, op, jobIDs)
	})
	// ExecuteDesktopPoolAction: POST /v2/{project_id}/desktop-pools/{pool_id}/action.
	ExecuteDesktopPoolAction = actionOperation("ExecuteDesktopPoolAction", func(v *desktops.View, l *desktops.Log, a Args, jobIDs func(int) string) ([]byte, *wire.Error) {
		op, hard, err := desktops.ParsePoolAction(a.Body)
		if err != nil {
			return nil, err
		}
		return v.AcceptPool(l, a.ID, op, hard, jobIDs)
	})
	// ShowJob: GET /v2/{project_id}/workspace-jobs/{job_id}.
	ShowJob = viewOperation("ShowJob", byID((*desktops.View).ShowJob))
)

// actionOperation is an operation that appends to the project's log of
// actions (made at its first), taken on the desktops of the data.
func actionOperation(name string, take func(v *desktops.View, l *desktops.Log, a Args, jobIDs func(int) string) ([]byte, *wire.Error)) *Operation {
	return &Operation{Name: name, acts: true, answer: func(d Data, a Args) (fixtures.Payload, *wire.Error) {
		if d.store == nil {
			return fixtures.Payload{}, &wire.Error{Status: 500, Code: "WKS.00000003", Msg: "actions are taken by a server only"}
		}
		log, err := d.store.logFor(d.project)
		if err != nil {
			return fixtures.Payload{}, err
		}
		d.acts = log
		body, err := take(d.View(), log, a, d.store.jobIDs(d.project, d.seed))
		if err != nil {
			return fixtures.Payload{}, err
		}
		return fixtures.NewPayload(body), nil
	}}
}

// MaxActionProjects bounds the projects that keep actions: an action of
// one more project is refused (429 APIGW.0308) until a reset forgets some.
// With the per-project bounds (desktops.MaxActions, desktops.MaxTargets)
// this keeps the logs under ~32 B x 200,000 x 1,000 in the worst case, and
// in practice a few KB per project.
const MaxActionProjects = 1000

// actionStore keeps each project's log of actions beside its run-time
// layer. Readers load one immutable map (copy on write when a project gets
// its first action), so a project without actions pays a map lookup.
type actionStore struct {
	mu    sync.Mutex
	logs  atomic.Pointer[map[string]*desktops.Log]
	limit int
}

// of is the project's log if it holds an action, else nil: a log made for
// an action that was then refused (a malformed body) changes nothing, so
// the project's answers stay the shared, cached ones. Every reader decides
// "has this project acted" here, once per request.
func (s *actionStore) of(project string) *desktops.Log {
	if m := s.logs.Load(); m != nil {
		if l := (*m)[project]; l != nil && l.Len() > 0 {
			return l
		}
	}
	return nil
}

// logFor is the project's log, made when it takes its first action.
func (s *actionStore) logFor(project string) (*desktops.Log, *wire.Error) {
	if l := s.of(project); l != nil {
		return l, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := map[string]*desktops.Log{}
	if m := s.logs.Load(); m != nil {
		old = *m
	}
	if l := old[project]; l != nil {
		return l, nil
	}
	limit := s.limit
	if limit == 0 {
		limit = MaxActionProjects
	}
	if len(old) >= limit {
		return nil, desktops.TooMany(fmt.Sprintf("%d projects already keep actions, the emulator's bound; POST /_mock/reset forgets them", limit))
	}
	next := maps.Clone(old)
	l := desktops.NewLog()
	next[project] = l
	s.logs.Store(&next)
	return l, nil
}

// reset forgets one project's actions, or every project's for "".
func (s *actionStore) reset(project string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.logs.Load()
	if m == nil {
		return
	}
	next := map[string]*desktops.Log{}
	if project != "" {
		next = maps.Clone(*m)
		delete(next, project)
	}
	s.logs.Store(&next)
}

func (s *actionStore) jobIDs(project string, seed int64) func(int) string {
	return func(n int) string { return s.jobID(project, seed, n) }
}

// jobID is the id of a project's n-th action: a UUID from (project, n,
// seed), so that two runs of one test give the same bytes.
func (s *actionStore) jobID(project string, seed int64, n int) string {
	h := fnv.New64a()
	h.Write([]byte(project))
	p := h.Sum64()
	hi, lo := fixtures.Mix(seed, 0x10b, p, uint64(n)), fixtures.Mix(seed, 0x10c, p, uint64(n))
	return desktops.UUID(hi, lo)
}

// ActionReport is one action as GET /_mock/actions lists it.
type ActionReport struct {
	Seq        int                `json:"seq"`
	AcceptedAt time.Time          `json:"accepted_at"`
	Operation  string             `json:"operation"`
	Pool       string             `json:"pool_id,omitempty"`
	OpType     string             `json:"op_type"`
	Type       string             `json:"type"`
	JobID      string             `json:"job_id"`
	JobType    string             `json:"job_type"`
	JobStatus  string             `json:"job_status"` // at the project's clock: RUNNING, then SUCCESS
	JobEndTime *time.Time         `json:"job_end_time,omitempty"`
	JobEndsAt  time.Time          `json:"job_ends_at"`   // when its last desktop ends its transition, known from the start
	SubJobsOK  int                `json:"sub_jobs_done"` // of its desktops (one sub-job each), those whose transition ended at the project's clock
	Scenario   string             `json:"scenario"`
	Seed       int64              `json:"seed"`
	Desktops   int                `json:"desktops"`
	Failed     []desktops.Failure `json:"failed_operation_list"`
}

// ActionsReport is GET /_mock/actions: the actions of each project that has
// some, oldest first.
type ActionsReport struct {
	Projects map[string][]ActionReport `json:"projects"`
}

// Actions reports the actions of one project, or of every project for "".
func (e *Engine) Actions(project string) ActionsReport {
	out := ActionsReport{Projects: map[string][]ActionReport{}}
	m := e.actions.logs.Load()
	if m == nil {
		return out
	}
	names := make([]string, 0, len(*m))
	for k := range *m {
		if project == "" || k == project {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		list := []ActionReport{}
		now := e.Now(name).Unix()
		for _, a := range (*m)[name].Actions() {
			typ := "SOFT"
			if a.Hard {
				typ = "HARD"
			}
			failed := a.Failed
			if failed == nil {
				failed = []desktops.Failure{}
			}
			op, opType := BatchRunDesktops.Name, a.Op.String()
			if a.Pool != "" {
				op, opType = ExecuteDesktopPoolAction.Name, desktops.PoolOpName(a.Op)
			}
			done, doneBy := a.Progress(now)
			status := "RUNNING"
			var end *time.Time
			if now >= done {
				t := time.Unix(done, 0).UTC()
				status, end = "SUCCESS", &t
			}
			list = append(list, ActionReport{JobStatus: status, JobEndTime: end, JobEndsAt: time.Unix(done, 0).UTC(),
				SubJobsOK: doneBy, Seq: a.Seq, AcceptedAt: time.Unix(a.At, 0).UTC(), Operation: op, Pool: a.Pool,
				OpType: opType, Type: typ, JobID: a.JobID, JobType: a.JobType, Scenario: a.Scenario, Seed: a.Seed,
				Desktops: len(a.Targets), Failed: failed})
		}
		out.Projects[name] = list
	}
	return out
}
