package desktops

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Op is a power action on desktops.
type Op uint8

// The power actions, as BatchRunDesktops names them.
const (
	OpStart Op = iota + 1
	OpStop
	OpReboot
	OpHibernate
)

var opNames = [...]string{OpStart: "os-start", OpStop: "os-stop", OpReboot: "reboot", OpHibernate: "os-hibernate"}

func (o Op) String() string {
	if int(o) < len(opNames) && o > 0 {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Target is one desktop an action was accepted for: where it is, and its
// power state when the action was accepted (what it shows while starting).
type Target struct {
	Pool   int32
	Index  int64
	Before uint8
}

// Failure is a desktop an action refused, as failed_operation_list shows it.
type Failure struct {
	DesktopID   string `json:"desktop_id"`
	DesktopName string `json:"desktop_name"`
	ErrorCode   string `json:"error_code"`
	ErrorMsg    string `json:"error_msg"`
}

// Action is one accepted action, as the project's log keeps it: state is a
// function of these fields and the instant asked, nothing else.
type Action struct {
	Seq      int
	At       int64 // accepted at, unix seconds on the project's clock
	Op       Op
	Hard     bool
	JobID    string
	JobType  string // operateDesktops (BatchRunDesktops), executeDesktopsAction (ExecuteDesktopPoolAction)
	Pool     string // the pool a pool action named; "" for BatchRunDesktops
	Scenario string // the scenario and seed it was taken on: it acts on their desktops only
	Seed     int64
	Targets  []Target
	Failed   []Failure

	days atomic.Pointer[scheduleDays] // the fleet's days around At, prepared at the first read
}

type scheduleDays struct {
	fleet *fixtures.Fleet
	days  *fixtures.Days
}

// holdEnd is when the fleet's schedule next acts on desktop i of pool p
// after the action: its hold ends then (math.MaxInt64: never).
func (v *View) holdEnd(a *Action, p *pool, i int64) int64 {
	if v.fleet == nil {
		return math.MaxInt64
	}
	ds := a.days.Load()
	if ds == nil || ds.fleet != v.fleet { // a reload makes another fleet, maybe in another zone
		ds = &scheduleDays{v.fleet, v.fleet.DaysAround(a.At)}
		a.days.Store(ds)
	}
	return v.fleet.NextSchedule(v.seed, p.index, int(i), ds.days)
}

// Bounds of one project's log (docs/actions.md): past them an action is
// refused with 429 APIGW.0308 and nothing changes.
const (
	MaxActions = 10_000  // actions per project
	MaxTargets = 200_000 // desktops named by accepted actions, per project (~32 B each)
	MaxBatch   = 100     // desktop_ids per request, as the reference says
)

// Log is one project's actions, in the order they were accepted, indexed
// per desktop so that a desktop's state reads only its own actions. It is
// append-only: a reader copies slice headers under the read lock and reads
// outside it, since nothing below a length ever changes.
type Log struct {
	accept sync.Mutex // serialises Accept: a desktop's state is read, then the action appended

	mu      sync.RWMutex
	actions []*Action
	byPool  map[int32]*deskIndex // the actions of each pool's desktops
	jobs    map[string]int
	targets int
}

// NewLog is an empty log.
func NewLog() *Log {
	return &Log{byPool: map[int32]*deskIndex{}, jobs: map[string]int{}}
}

func deskKey(pool int32, i int64) uint64 { return uint64(pool)<<40 | uint64(i) }

// Len is how many actions the log holds.
func (l *Log) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.actions)
}

// Targets is how many desktops the log's actions name, counted once per
// action.
func (l *Log) Targets() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.targets
}

// Actions are the log's actions, oldest first (shared: do not modify).
func (l *Log) Actions() []*Action {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.actions[:len(l.actions):len(l.actions)]
}

func (l *Log) job(id string) *Action {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if k, ok := l.jobs[id]; ok {
		return l.actions[k]
	}
	return nil
}

func (l *Log) ofDesk(pool int32, i int64) ([]uint64, []*Action) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if x := l.byPool[pool]; x != nil {
		return x.of(i), l.actions
	}
	return nil, l.actions
}

func (l *Log) ofPool(pool int32) []int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if x := l.byPool[pool]; x != nil {
		return x.desks
	}
	return nil
}

// room is the problem with appending n more targets, or "".
func (l *Log) room(n int) string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	switch {
	case len(l.actions) >= MaxActions:
		return fmt.Sprintf("the project already has %d actions, the emulator's bound; POST /_mock/reset?project_id=... forgets them", MaxActions)
	case l.targets+n > MaxTargets:
		return fmt.Sprintf("the project's actions already name %d desktops; %d more would pass the emulator's bound of %d; POST /_mock/reset?project_id=... forgets them", l.targets, n, MaxTargets)
	}
	return ""
}

func (l *Log) add(a *Action) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a.Seq = len(l.actions)
	k := uint64(len(l.actions))
	l.actions = append(l.actions, a)
	for t, tg := range a.Targets {
		x := l.byPool[tg.Pool]
		if x == nil {
			x = &deskIndex{}
			l.byPool[tg.Pool] = x
		}
		x.add(tg.Index, k<<32|uint64(t))
	}
	l.targets += len(a.Targets)
	l.jobs[a.JobID] = a.Seq
}

// WithActions is the view with a project's actions on it: those taken on
// this scenario (by name) and the view's seed act on its desktops. A nil log
// changes nothing.
func (v *View) WithActions(l *Log, scenario string) *View {
	v.acts, v.scenario = l, scenario
	return v
}

// effect is what an action shows besides the counted states: the task under
// way and the status word while it lasts ("" for the counted state's word).
type effect struct {
	task, status string
}

// timing is the seeded durations of one desktop's action: its transition,
// and the agent's registration after a boot.
func (a *Action) timing(pool int32, i int64) (transition, register int64) {
	h := fixtures.Mix(a.Seed, saltAction, uint64(a.Seq), uint64(pool), uint64(i))
	lo, hi := int64(20), int64(90) // starting, stopping
	switch a.Op {
	case OpReboot:
		lo, hi = 30, 120
	case OpHibernate:
		lo, hi = 40, 150
	}
	if a.Hard {
		lo, hi = lo/2, hi/2
	}
	return lo + int64(h%uint64(hi-lo+1)), 15 + int64(h>>32%46)
}

// Done is the instant (unix seconds) the last of the action's desktops ends
// its transition: when its job succeeds.
func (a *Action) Done() int64 {
	end := a.At
	for _, tg := range a.Targets {
		transition, _ := a.timing(tg.Pool, tg.Index)
		end = max(end, a.At+transition)
	}
	return end
}

// Progress is Done, and how many of the action's desktops have ended their
// transition at now (unix seconds): its sub-jobs that succeeded by then; in
// one pass over the targets.
func (a *Action) Progress(now int64) (end int64, doneBy int) {
	end = a.At
	for _, tg := range a.Targets {
		transition, _ := a.timing(tg.Pool, tg.Index)
		end = max(end, a.At+transition)
		if a.At+transition <= now {
			doneBy++
		}
	}
	return end, doneBy
}

// lastAction is the action that holds desktop i of pool p at the view's
// instant, and its target: the latest accepted at or before it (the later of
// two at one instant), on this scenario and seed, whose hold the pool's
// schedule has not ended.
func (v *View) lastAction(p *pool, i int64) (*Action, *Target) {
	refs, actions := v.acts.ofDesk(int32(p.index), i)
	now := v.at.Unix()
	var best *Action
	var tg *Target
	for _, ref := range refs {
		a := actions[ref>>32]
		if a.At > now || a.Scenario != v.scenario || a.Seed != v.seed {
			continue
		}
		if best == nil || a.At >= best.At {
			best, tg = a, &a.Targets[ref&(1<<32-1)]
		}
	}
	if best != nil && now >= v.holdEnd(best, p, i) {
		return nil, nil // the schedule has acted on the desktop since
	}
	return best, tg
}

// acted is desktop i of pool p's power and login state under the action
// that holds it, from its fleet's (or counters') own state.
func (v *View) acted(p *pool, i int64, power, login int) (int, int, effect) {
	a, tg := v.lastAction(p, i)
	if a == nil {
		return power, login, effect{}
	}
	now := v.at.Unix()
	transition, register := a.timing(int32(p.index), i)
	switch a.Op {
	case OpStart, OpReboot:
		if now < a.At+transition {
			if a.Op == OpReboot {
				task := "rebooting"
				if a.Hard {
					task = "rebooting_hard"
				}
				return fixtures.PowerRunning, fixtures.LoginUnregistered, effect{task, ""}
			}
			return fixtures.PowerRunning, fixtures.LoginUnregistered, effect{"powering-on", statusWords[tg.Before]}
		}
		if now < a.At+transition+register {
			return fixtures.PowerRunning, fixtures.LoginUnregistered, effect{}
		}
		if power == fixtures.PowerRunning && login != fixtures.LoginUnregistered && login != fixtures.LoginUnknown {
			return power, login, effect{} // the user's own session, as the fleet has it
		}
		return fixtures.PowerRunning, fixtures.LoginReady, effect{}
	}
	target, task := fixtures.PowerStopped, "powering-off"
	if a.Op == OpHibernate {
		target, task = fixtures.PowerHibernated, "hibernating"
	}
	if now < a.At+transition {
		return target, fixtures.LoginUnregistered, effect{task, "ACTIVE"}
	}
	return target, fixtures.LoginUnregistered, effect{}
}

// adjust moves the counts of counter pool p from its own states to the
// acted ones, desktop by desktop, for the desktops the log names: a pool's
// counters cost its actions, not its size.
func (v *View) adjust(p *pool, pw *[4]int64, lg *[5]int64) {
	for _, i := range v.acts.ofPool(int32(p.index)) {
		if i >= p.n {
			continue
		}
		a, _, c := v.baseState(p, i)
		b, c2, _ := v.acted(p, i, a, c)
		pw[a]--
		pw[b]++
		lg[c]--
		lg[c2]++
	}
}

// BatchRequest is BatchRunDesktops' body (BatchActionDesktopsReq).
type BatchRequest struct {
	DesktopIDs []string `json:"desktop_ids"`
	OpType     string   `json:"op_type"`
	Type       string   `json:"type"`
}

func badRequest(detail string) *wire.Error {
	return &wire.Error{Status: 400, Code: "WKS.0001", Msg: "The request message input by the interface is empty or invalid.", Detail: detail}
}

// ParseBatch reads a BatchRunDesktops body: every problem a 400 in the
// documented shape.
func ParseBatch(body []byte) (BatchRequest, Op, *wire.Error) {
	var r BatchRequest
	if len(body) == 0 {
		return r, 0, badRequest("The body is empty: BatchRunDesktops takes {\"desktop_ids\":[...],\"op_type\":\"os-start|os-stop|reboot|os-hibernate\",\"type\":\"SOFT|HARD\"}.")
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return r, 0, badRequest("The body is not a BatchActionDesktopsReq: " + wire.Truncate(err.Error(), 200) + ".")
	}
	op, err := checkOp(opNames[:], r.OpType, r.Type)
	switch {
	case err != nil:
		return r, 0, err
	case len(r.DesktopIDs) == 0:
		return r, 0, badRequest("desktop_ids is empty: name 1 to 100 desktops.")
	case len(r.DesktopIDs) > MaxBatch:
		return r, 0, badRequest(fmt.Sprintf("desktop_ids names %d desktops: at most %d.", len(r.DesktopIDs), MaxBatch))
	}
	for _, id := range r.DesktopIDs {
		if id == "" || len(id) > 255 {
			return r, 0, badRequest(fmt.Sprintf("desktop_ids has an id of %d characters: 1 to 255.", len(id)))
		}
	}
	return r, op, nil
}

// allowed says whether op may be taken on a desktop in a power state with a
// task under way: none during a transition, start only a desktop that is
// off, the others only a running one.
func allowed(op Op, power int, task string) bool {
	if task != "" {
		return false
	}
	switch op {
	case OpStart:
		return power == fixtures.PowerStopped || power == fixtures.PowerHibernated
	}
	return power == fixtures.PowerRunning
}

// Accept takes a BatchRunDesktops request at the view's instant into log:
// the desktops it can act on are appended as one action under jobID, the
// others answered in failed_operation_list; jobIDOf names the job of the
// log's seq-th action. When it can act on none, the
// answer is the refusal (404 when no id names a desktop, else 409
// WKS.00010032) and the log is unchanged; past the log's bounds, 429.
func (v *View) Accept(l *Log, r BatchRequest, op Op, jobIDOf func(seq int) string) ([]byte, *wire.Error) {
	l.accept.Lock()
	defer l.accept.Unlock()
	jobID := jobIDOf(l.Len())
	a := &Action{At: v.at.Unix(), Op: op, Hard: r.Type == "HARD", JobID: jobID, JobType: "operateDesktops",
		Scenario: v.scenario, Seed: v.seed}
	var conflict *wire.Error
	seen := map[uint64]bool{}
	for _, id := range r.DesktopIDs {
		p, i, ok := v.lookupID(id)
		if !ok {
			a.Failed = append(a.Failed, Failure{id, "", "WKS.0202", "The resource not found."})
			continue
		}
		k := deskKey(int32(p.index), i)
		if seen[k] {
			continue // named twice: acted on once
		}
		seen[k] = true
		d := v.desk(p, i)
		if !allowed(op, d.power, d.task) {
			state := d.status()
			if d.task != "" {
				state = d.task
			}
			msg := fmt.Sprintf("Operation conflict. The desktop current instance status is [%s] and deny operation [%s], resource id [%s].", state, op, id)
			a.Failed = append(a.Failed, Failure{id, string(appendComputerName(nil, p, i)), "WKS.00010032", msg})
			if conflict == nil {
				conflict = &wire.Error{Status: 409, Code: "WKS.00010032", Msg: msg}
			}
			continue
		}
		a.Targets = append(a.Targets, Target{Pool: int32(p.index), Index: i, Before: uint8(d.power)})
	}
	switch {
	case len(a.Targets) == 0 && conflict != nil:
		return nil, conflict
	case len(a.Targets) == 0:
		return nil, notFound(r.DesktopIDs[0])
	}
	if problem := l.room(len(a.Targets)); problem != "" {
		return nil, TooMany(problem)
	}
	l.add(a)
	dst := append(make([]byte, 0, 128), `{"job_id":`...)
	dst = wire.AppendString(dst, jobID)
	dst = append(dst, `,"failed_operation_list":`...)
	failed := a.Failed
	if failed == nil {
		failed = []Failure{}
	}
	b, _ := json.Marshal(failed)
	return append(append(dst, b...), '}'), nil
}

// TooMany is the refusal of an action past the emulator's bounds.
func TooMany(detail string) *wire.Error {
	e, _ := wire.Documented(429)
	e.Detail = detail
	return &e
}

// JobNotFound is ShowJob's answer for an id no job has (at the instant asked).
func JobNotFound(id string) *wire.Error {
	return &wire.Error{Status: 404, Code: "WKS.0202", Msg: "The resource not found.",
		Detail: "No job has the id " + strconv.Quote(wire.Truncate(id, 80)) + "."}
}

// MaxSubJobs bounds the sub-jobs ShowJob lists (sub_jobs_total counts them
// all): a pool action on a pool of 100,000 desktops would answer 50 MB.
const MaxSubJobs = 1000

// ShowJob answers GET /v2/{project_id}/workspace-jobs/{job_id} at the
// view's instant: the job of an action accepted at or before it, its
// sub-jobs one per desktop (the first MaxSubJobs), RUNNING until the
// desktop's transition ends and SUCCESS from then; the job SUCCESS once
// every sub-job is.
func (v *View) ShowJob(id string) ([]byte, *wire.Error) {
	a := v.jobOf(id)
	if a == nil {
		return nil, JobNotFound(id)
	}
	now := v.at.Unix()
	targets := a.Targets[:min(len(a.Targets), MaxSubJobs)]
	out := job{ID: a.JobID, JobType: a.JobType, BeginTime: stamp(a.At),
		SubJobsTotal: int32(len(a.Targets)), SubJobs: make([]subJob, 0, len(targets))}
	out.Status, out.EndTime = progress(now, a.Done())
	for k, tg := range targets {
		if s, ok := v.subJob(a, k, tg, now); ok {
			out.SubJobs = append(out.SubJobs, s)
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, &wire.Error{Status: 500, Code: "WKS.00000003", Msg: err.Error()}
	}
	return b, nil
}

// jobOf is the action whose job is id, if this view's scenario and seed
// took it at or before the view's instant.
func (v *View) jobOf(id string) *Action {
	if v.acts == nil {
		return nil
	}
	a := v.acts.job(id)
	if a == nil || a.At > v.at.Unix() || a.Scenario != v.scenario || a.Seed != v.seed {
		return nil
	}
	return a
}

// job is ShowJob's answer.
type job struct {
	ID           string   `json:"id"`
	JobType      string   `json:"job_type"`
	BeginTime    string   `json:"begin_time"`
	EndTime      string   `json:"end_time,omitempty"`
	Status       string   `json:"status"`
	JobErrorCode string   `json:"job_error_code"`
	FailReason   string   `json:"fail_reason"`
	SubJobsTotal int32    `json:"sub_jobs_total"`
	SubJobs      []subJob `json:"sub_jobs"`
}

type subJob struct {
	ID         string      `json:"id"`
	JobType    string      `json:"job_type"`
	Entities   jobEntities `json:"entities"`
	BeginTime  string      `json:"begin_time"`
	EndTime    string      `json:"end_time,omitempty"`
	Status     string      `json:"status"`
	ErrorCode  string      `json:"error_code,omitempty"`
	FailReason string      `json:"fail_reason,omitempty"`
	Host       string      `json:"host"`
	ProjectID  string      `json:"project_id,omitempty"`
	JobID      string      `json:"job_id"`
	Process    int32       `json:"process"`
	AttachUser string      `json:"attach_user"`
	Entity     string      `json:"entity"`
	IPAddress  string      `json:"ip_address"`
}

type jobEntities struct {
	DesktopID   string `json:"desktop_id"`
	DesktopName string `json:"desktop_name"`
	ProductID   string `json:"product_id"`
	UserName    string `json:"user_name"`
	IPAddress   string `json:"ip_address"`
}

func stamp(unix int64) string { return string(appendTime(nil, unix*1000, true)) }

// progress is a job's (or sub-job's) status at now, and its end once done.
func progress(now, done int64) (status, end string) {
	if now < done {
		return "RUNNING", ""
	}
	return "SUCCESS", stamp(done)
}

// subJob is the k-th sub-job of a, on desktop tg; none for a desktop the
// view does not have.
func (v *View) subJob(a *Action, k int, tg Target, now int64) (subJob, bool) {
	if int(tg.Pool) >= len(v.pools) || tg.Index >= v.pools[tg.Pool].n {
		return subJob{}, false
	}
	p := &v.pools[tg.Pool]
	d := v.desk(p, tg.Index)
	hi, lo := v.desktopID(p, tg.Index)
	id := string(appendUUID(nil, hi, lo))
	ip := string(appendIP(nil, p.first+tg.Index))
	user := ""
	if d.hasUser() {
		user = string(v.appendUserName(nil, p, tg.Index))
	}
	mix := func(n uint64) uint64 { return fixtures.Mix(v.seed, saltAction, uint64(a.Seq), uint64(k), n) }
	s := subJob{ID: uuid(mix(1), mix(2)), JobType: a.JobType, BeginTime: stamp(a.At),
		Host:  "192.168.0." + strconv.Itoa(int(fixtures.Mix(v.seed, uint64(k))%200)+10),
		JobID: a.JobID, AttachUser: user, Entity: id, IPAddress: ip,
		Entities: jobEntities{DesktopID: id, DesktopName: string(appendComputerName(nil, p, tg.Index)),
			ProductID: p.product.id, UserName: user, IPAddress: ip}}
	transition, _ := a.timing(int32(p.index), tg.Index)
	s.Status, s.EndTime = progress(now, a.At+transition)
	s.Process = 100
	if s.Status == "RUNNING" {
		s.Process = int32(100 * (now - a.At) / transition)
	}
	return s, true
}

// poolOpNames: the pool action says hibernate, not os-hibernate.
var poolOpNames = [...]string{OpStart: "os-start", OpStop: "os-stop", OpReboot: "reboot", OpHibernate: "hibernate"}

// ParsePoolAction reads an ExecuteDesktopPoolAction body (DesktopPoolActionReq).
func ParsePoolAction(body []byte) (op Op, hard bool, e *wire.Error) {
	var r struct {
		OpType string `json:"op_type"`
		Type   string `json:"type"`
	}
	if len(body) == 0 {
		return 0, false, badRequest("The body is empty: ExecuteDesktopPoolAction takes {\"op_type\":\"os-start|os-stop|reboot|hibernate\",\"type\":\"SOFT|HARD\"}.")
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, false, badRequest("The body is not a DesktopPoolActionReq: " + wire.Truncate(err.Error(), 200) + ".")
	}
	if op, e = checkOp(poolOpNames[:], r.OpType, r.Type); e != nil {
		return 0, false, e
	}
	return op, r.Type == "HARD", nil
}

// checkOp finds a body's op_type among names (the operation's words for
// each Op; names[0] is none) and checks its type.
func checkOp(names []string, opType, typ string) (Op, *wire.Error) {
	k := slices.Index(names, opType)
	switch {
	case opType == "" || k <= 0:
		return 0, badRequest(fmt.Sprintf("op_type %q is not one of %s.", wire.Truncate(opType, 60), strings.Join(names[1:], ", ")))
	case typ != "" && typ != "SOFT" && typ != "HARD":
		return 0, badRequest(fmt.Sprintf("type %q is not one of SOFT, HARD.", wire.Truncate(typ, 60)))
	}
	return Op(k), nil
}

// AcceptPool takes an ExecuteDesktopPoolAction at the view's instant into
// log: one action on every desktop of the pool whose state allows it (the
// others are left as they are). A pool no desktop can take the action on is
// refused 409 WKS.00010032; an unknown pool 400 WKS.0001, as the service
// answers for it on its other pool routes.
func (v *View) AcceptPool(l *Log, poolID string, op Op, hard bool, jobIDOf func(seq int) string) ([]byte, *wire.Error) {
	var p *pool
	for k := range v.pools {
		if v.pools[k].id == poolID {
			p = &v.pools[k]
		}
	}
	if p == nil {
		return nil, &wire.Error{Status: 400, Code: "WKS.0001", Msg: "The request message input by the interface is empty.",
			Detail: "No desktop pool has the id " + strconv.Quote(wire.Truncate(poolID, 80)) + "."}
	}
	l.accept.Lock()
	defer l.accept.Unlock()
	jobID := jobIDOf(l.Len())
	if p.n > MaxTargets {
		return nil, TooMany(fmt.Sprintf("the pool has %d desktops; the emulator acts on pools of at most %d", p.n, MaxTargets))
	}
	a := &Action{At: v.at.Unix(), Op: op, Hard: hard, JobID: jobID, JobType: "executeDesktopsAction", Pool: poolID,
		Scenario: v.scenario, Seed: v.seed}
	var state string
	for i := int64(0); i < p.n; i++ {
		d := v.desk(p, i)
		if allowed(op, d.power, d.task) {
			a.Targets = append(a.Targets, Target{Pool: int32(p.index), Index: i, Before: uint8(d.power)})
		} else if state == "" {
			state = d.status()
		}
	}
	if len(a.Targets) == 0 {
		return nil, &wire.Error{Status: 409, Code: "WKS.00010032", Msg: fmt.Sprintf(
			"Operation conflict. The desktop current instance status is [%s] and deny operation [%s], resource id [%s].", state, poolOpNames[op], poolID)}
	}
	if problem := l.room(len(a.Targets)); problem != "" {
		return nil, TooMany(problem)
	}
	l.add(a)
	return append(wire.AppendString(append(make([]byte, 0, 64), `{"job_id":`...), jobID), '}'), nil
}

// PoolOpName is op as ExecuteDesktopPoolAction names it.
func PoolOpName(op Op) string { return poolOpNames[op] }

// UUID is a version-4 UUID made from two draws.
func UUID(hi, lo uint64) string { return uuid(hi, lo) }

// cutByActions takes out of the connections dst[start:] of desktop i of
// pool p the stretches its actions kept it without a session: from a stop or
// a hibernation to the end of its hold, from a start or a reboot until the
// agent registers again. The hold of an action ends at the next action on the
// desktop or when the schedule next acts on it, as lastAction reads it.
func (v *View) cutByActions(p *pool, i int64, dst []fixtures.Connection, start int) []fixtures.Connection {
	refs, actions := v.acts.ofDesk(int32(p.index), i)
	now := v.at.Unix()
	var mine []*Action
	for _, ref := range refs {
		if a := actions[ref>>32]; a.At <= now && a.Scenario == v.scenario && a.Seed == v.seed {
			mine = append(mine, a)
		}
	}
	slices.SortStableFunc(mine, func(a, b *Action) int { return int(a.At - b.At) })
	for k, a := range mine {
		end := v.holdEnd(a, p, i)
		if k+1 < len(mine) {
			end = min(end, mine[k+1].At)
		}
		if a.Op == OpStart || a.Op == OpReboot {
			transition, register := a.timing(int32(p.index), i)
			end = min(end, a.At+transition+register)
		}
		dst = cutConnections(dst, start, a.At, end)
	}
	return dst
}

// cutConnections removes [from, to) from the connections dst[start:]; a connection cut
// in two keeps both parts, the second a reconnection.
func cutConnections(dst []fixtures.Connection, start int, from, to int64) []fixtures.Connection {
	if to <= from {
		return dst
	}
	n := len(dst)
	for k := start; k < n; k++ {
		c := dst[k]
		switch {
		case to <= c.Setup || from >= c.End:
			continue
		case c.Setup < from && to < c.End:
			dst[k].End = from
			dst = append(dst, fixtures.Connection{Setup: to, End: c.End, Reconnect: true})
		case c.Setup < from:
			dst[k].End = from
		case to < c.End:
			dst[k] = fixtures.Connection{Setup: to, End: c.End, Reconnect: true}
		default:
			dst[k].End = dst[k].Setup // emptied: dropped below
		}
	}
	out := dst[:start]
	for _, c := range dst[start:] {
		if c.End > c.Setup {
			out = append(out, c)
		}
	}
	slices.SortFunc(out[start:], func(a, b fixtures.Connection) int { return int(a.Setup - b.Setup) })
	return out
}
