package wire

import "fmt"

// The counters of one element of "statics" (a desktop pool or VM group),
// besides its static_name, in the reference page's order: the one list of
// their names, for the model, the encoder, drift, the timeline and tests.
const (
	Running = iota
	Stop
	Hibernate
	Other
	Attached
	Unattached
	CannotAttach
	InProcess
	InUse
	Unregistered
	Ready
	Disconnected
	Unknown
	NumCounters
)

// CounterNames are the counters' JSON names, indexed by the constants above.
var CounterNames = [NumCounters]string{"running_num", "stop_num", "hibernate_num", "other_num", "attached_num",
	"unattached_num", "cannot_attach_num", "in_process_num", "in_use_num", "unregistered_num", "ready_num",
	"disconnected_num", "unknown_num"}

// CounterRelations lists how the counters c of one group break the relations
// of the wire contract (none when they keep them): the power, assignment and
// login counters add up to one total; a connected desktop is running; a
// session has an assigned user. where names the group in each message.
func CounterRelations(where string, c *[NumCounters]int64) []string {
	var problems []string
	power := c[Running] + c[Stop] + c[Hibernate] + c[Other]
	assign := c[Attached] + c[Unattached] + c[CannotAttach] + c[InProcess]
	login := c[InUse] + c[Ready] + c[Disconnected] + c[Unregistered] + c[Unknown]
	if assign != power || login != power {
		problems = append(problems, fmt.Sprintf("%s: the power (%d), assignment (%d) and login (%d) counters add up to different totals", where, power, assign, login))
	}
	if connected := c[InUse] + c[Ready] + c[Disconnected]; connected > c[Running] {
		problems = append(problems, fmt.Sprintf("%s: %d desktops connected but %d running", where, connected, c[Running]))
	}
	if sessions := c[InUse] + c[Disconnected]; sessions > c[Attached] {
		problems = append(problems, fmt.Sprintf("%s: %d sessions but %d desktops assigned", where, sessions, c[Attached]))
	}
	return problems
}

// Operations are the operations of the emulated API, by Huawei's operation
// id: the names an error switch or a scenario's error may be limited to.
var Operations = []string{"ListInstancesStatus", "ListDesktopsDetail", "ShowDesktopDetail", "ListDesktopPools",
	"ListLoginState", "ListHistoryOnlineInfoNew", "ListLoginRecordsNew", "BatchRunDesktops", "ExecuteDesktopPoolAction", "ShowJob"}
