package desktops

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// The listed desktops take indices 0..k-1 with the ranks they were given;
// every other index keeps a rank of its own, both ways.
func TestListedRanksKeepABijection(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int64{1, 2, 3, 7, 64, 65, 1000} {
		for trial := 0; trial < 20; trial++ {
			k := 1 + r.Int64N(min(n, 12))
			var specs []fixtures.DesktopSpec
			for _, rank := range r.Perm(int(n))[:k] {
				specs = append(specs, fixtures.DesktopSpec{Rank: int64(rank)})
			}
			p := pool{n: n, perm: newPerm(n, uint64(trial))}
			p.listed = newListed(specs, p.perm, n)
			seen := make([]bool, n)
			for i := int64(0); i < n; i++ {
				rank := p.rank(i)
				if i < k && rank != specs[i].Rank {
					t.Fatalf("n=%d: listed desktop %d has rank %d, want %d", n, i, rank, specs[i].Rank)
				}
				if rank < 0 || rank >= n || seen[rank] {
					t.Fatalf("n=%d k=%d: rank %d of %d out of range or taken", n, k, rank, i)
				}
				seen[rank] = true
				if back := p.indexOf(rank); back != i {
					t.Fatalf("n=%d k=%d: indexOf(rank(%d)) = %d", n, k, i, back)
				}
			}
		}
	}
}

func handWritten(t testing.TB) *View {
	t.Helper()
	v, _ := viewOf(shipped(t).Get("hand-written"), 5, monday.Add(11*time.Hour))
	return v
}

func TestHandWrittenDesktopsAreShownAsWritten(t *testing.T) {
	v := handWritten(t)
	want := []struct{ name, user, status, attach, login string }{
		{"SUPPORT-ALICE", "alice.martin", "ACTIVE", "ATTACHED", "CONNECTED"},
		{"SUPPORT-BOB", "bob.chen", "ACTIVE", "ATTACHED", "DISCONNECTED"},
		{"SUPPORT-SPARE", "", "SHUTOFF", "UNATTACH", "UNREGISTER"},
		{"SUPPORT-OLD", "", "HIBERNATED", "DEATTACHED", "UNREGISTER"},
	}
	all := *list(t, v, "").Desktops
	if len(all) != 10 {
		t.Fatalf("%d desktops, want 10", len(all))
	}
	for k, w := range want {
		d := all[k]
		if s(d.ComputerName) != w.name || s(d.UserName) != w.user || s(d.Status) != w.status ||
			d.AttachState.Value() != w.attach || s(d.LoginStatus) != w.login {
			t.Errorf("desktop %d: %s %s %s %s %s, want %+v", k, s(d.ComputerName), s(d.UserName), s(d.Status), d.AttachState.Value(), s(d.LoginStatus), w)
		}
		// found by its name and by its id, the same on both routes
		byName := *list(t, v, "computer_name="+w.name).Desktops
		if len(byName) != 1 || s(byName[0].DesktopId) != s(d.DesktopId) {
			t.Errorf("computer_name=%s finds %d desktops", w.name, len(byName))
		}
		body, err := v.ShowDesktopDetail(s(d.DesktopId))
		var r model.ShowDesktopDetailResponse
		if err != nil || json.Unmarshal(body, &r) != nil || s(r.Desktop.ComputerName) != w.name || s(r.Desktop.Status) != w.status {
			t.Errorf("ShowDesktopDetail %s: %+v %s", s(d.DesktopId), err, body)
		}
		if w.user != "" {
			if byUser := *list(t, v, "user_name="+w.user).Desktops; len(byUser) != 1 || s(byUser[0].ComputerName) != w.name {
				t.Errorf("user_name=%s finds %d desktops", w.user, len(byUser))
			}
		}
	}
	if id := s(all[0].DesktopId); id != "3f2b8c1e-5a47-4d2b-9c1e-7a6b5c4d3e2f" {
		t.Errorf("desktop_id %s, not the one written", id)
	}
	// the names and the id they would have had name nothing now
	p := &v.pools[0]
	hi, lo := v.desktopIDDrawn(p, 0)
	for _, gone := range []string{p.prefix + "-00000", p.prefix + "-00003", string(appendUUID(nil, hi, lo))} {
		if _, _, ok := v.lookupName(gone); ok {
			t.Errorf("%s still names a desktop", gone)
		}
		if _, _, ok := v.lookupID(gone); ok {
			t.Errorf("%s still names a desktop", gone)
		}
	}
	// the connected ones have login records, under their names and users
	body, _ := v.ListLoginRecordsNew(nil)
	for _, w := range []string{`"SUPPORT-ALICE"`, `"alice.martin"`, `"SUPPORT-BOB"`} {
		if !strings.Contains(string(body), w) {
			t.Errorf("no login record shows %s: %.600s", w, body)
		}
	}
	if g, want := v.Groups()[0], shipped(t).Get("hand-written").Groups(0, 5, 0)[0]; g.Counters() != want.Counters() {
		t.Errorf("the counters moved: %+v", g)
	}
}

// A contradicting file is refused with the desktop's line, before any
// view is made of it.
func TestAContradictingFileIsRefused(t *testing.T) {
	data, err := os.ReadFile("../../scenarios/hand-written.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(data), "        status: SHUTOFF\n", "        status: HIBERNATED\n", 1)
	_, _, problems := fixtures.OpenFolder(fstest.MapFS{"hand-written.yaml": {Data: []byte(body)}}, "dir")
	want := `dir/hand-written.yaml:28: desktop "SUPPORT-SPARE" (status "HIBERNATED", attach_state "UNATTACH", login_status "UNREGISTER") contradicts the counters of group "support-pool"`
	if !strings.Contains(problems.Error(), want) {
		t.Fatalf("want %q, got:\n%v", want, problems)
	}
}
