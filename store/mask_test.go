package store_test

import (
	"fmt"
	"math/rand"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
)

func TestMasked(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, "0"}, {1, "< 5"}, {2, "< 5"}, {3, "< 5"}, {4, "< 5"}, {5, "5"}, {7, "7"}, {120, "120"},
	} {
		if got := store.Masked(c.n); got != c.want {
			t.Errorf("Masked(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func parts(kv ...any) []store.Part {
	var ps []store.Part
	for i := 0; i+1 < len(kv); i += 2 {
		ps = append(ps, store.Part{Key: kv[i].(string), N: kv[i+1].(int)})
	}
	return ps
}

func lines(kv ...string) []store.MaskedLine {
	var ls []store.MaskedLine
	for i := 0; i+1 < len(kv); i += 2 {
		ls = append(ls, store.MaskedLine{Key: kv[i], Count: kv[i+1]})
	}
	return ls
}

func TestMaskCounts(t *testing.T) {
	for _, c := range []struct {
		name      string
		total     int
		lists     []store.Breakdown
		wantTotal string
		want      []store.MaskedBreakdown
	}{{
		name: "two small parts beside a large one stay as they are", total: 11,
		lists:     []store.Breakdown{{Parts: parts("health", 1, "school", 3, "bank", 7)}},
		wantTotal: "11", want: []store.MaskedBreakdown{{Lines: lines("bank", "7", "health", "< 5", "school", "< 5")}},
	}, {
		name: "the only small part would be the total minus the rest: the rest is hidden too", total: 8,
		lists:     []store.Breakdown{{Parts: parts("bank", 7, "health", 1)}},
		wantTotal: "8", want: []store.MaskedBreakdown{{Lines: lines("bank", "≥ 5", "health", "< 5")}},
	}, {
		name: "the smallest part shown is the one hidden", total: 16,
		lists:     []store.Breakdown{{Parts: parts("a", 9, "b", 6, "c", 1)}},
		wantTotal: "16", want: []store.MaskedBreakdown{{Lines: lines("a", "9", "b", "≥ 5", "c", "< 5")}},
	}, {
		name: "two small parts that could be 1 and 4 or 2 and 3; zero parts are left out", total: 20,
		lists:     []store.Breakdown{{Parts: parts("a", 9, "b", 6, "c", 2, "d", 3, "e", 0)}},
		wantTotal: "20", want: []store.MaskedBreakdown{{Lines: lines("a", "9", "b", "6", "c", "< 5", "d", "< 5")}},
	}, {
		name: "nothing", total: 0, lists: []store.Breakdown{{Parts: parts("bank", 0)}},
		wantTotal: "0", want: []store.MaskedBreakdown{{}},
	}, {
		name: "a small total", total: 3,
		lists:     []store.Breakdown{{Parts: parts("bank", 1, "health", 2)}},
		wantTotal: "< 5", want: []store.MaskedBreakdown{{Lines: lines("bank", "< 5", "health", "< 5")}},
	}, {
		name: "four lines under a total below 5 are four 1s: withheld", total: 4,
		lists:     []store.Breakdown{{Parts: parts("a", 1, "b", 1, "c", 1, "d", 1)}, {Parts: parts("login", 4)}},
		wantTotal: "< 5", want: []store.MaskedBreakdown{{Withheld: true}, {Lines: lines("login", "< 5")}},
	}, {
		name: "two 4s make 8: the total is hidden", total: 8,
		lists:     []store.Breakdown{{Parts: parts("a", 4, "b", 4)}},
		wantTotal: "≥ 5", want: []store.MaskedBreakdown{{Lines: lines("a", "< 5", "b", "< 5")}},
	}, {
		name: "five 1s make 5: the total is hidden, and the month that would tell it", total: 5,
		lists:     []store.Breakdown{{Parts: parts("a", 1, "b", 1, "c", 1, "d", 1, "e", 1)}, {Parts: parts("2025-01", 5), ByKey: true}},
		wantTotal: "≥ 5", want: []store.MaskedBreakdown{{Lines: lines("a", "< 5", "b", "< 5", "c", "< 5", "d", "< 5", "e", "< 5")},
			{Lines: lines("2025-01", "≥ 5")}},
	}, {
		name: "what a split leaves out counts as known", total: 10,
		lists:     []store.Breakdown{{Parts: parts("micro", 6, "meso", 1)}},
		wantTotal: "10", want: []store.MaskedBreakdown{{Lines: lines("micro", "≥ 5", "meso", "< 5")}},
	}, {
		name: "months keep their order, whatever is hidden", total: 17,
		lists:     []store.Breakdown{{Parts: parts("2025-03", 2, "2025-01", 9, "2025-02", 3, "2025-04", 3), ByKey: true}},
		wantTotal: "17", want: []store.MaskedBreakdown{{Lines: lines("2025-01", "9", "2025-02", "< 5", "2025-03", "< 5", "2025-04", "< 5")}},
	}, {
		name: "the order never tells which hidden count is larger", total: 30,
		lists:     []store.Breakdown{{Parts: parts("z", 4, "y", 1, "x", 9, "w", 12, "v", 2)}},
		wantTotal: "30", want: []store.MaskedBreakdown{{Lines: lines("w", "12", "x", "9", "v", "< 5", "y", "< 5", "z", "< 5")}},
	}} {
		t.Run(c.name, func(t *testing.T) {
			total, got := store.MaskCounts(c.total, c.lists)
			if total != c.wantTotal || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q %+v\nwant %q %+v", total, got, c.wantTotal, c.want)
			}
			checkNoSmallCountLeaks(t, c.total, c.lists, total, got)
		})
	}
}

// Random totals and splits: whatever MaskCounts shows, no count from 1
// to 4 can be worked out from it, checked by trying every count the
// hidden ones could have (a reader with pencil and patience).
func TestMaskCountsNeverLetsASmallCountBeWorkedOut(t *testing.T) {
	rnd := rand.New(rand.NewSource(10))
	for i := 0; i < 3000; i++ {
		total := rnd.Intn(16)
		var lists []store.Breakdown
		for l := 0; l < 1+rnd.Intn(3); l++ {
			left := total
			if rnd.Intn(4) == 0 { // a split that leaves some reports out
				left -= rnd.Intn(total + 1)
			}
			var ps []store.Part
			for k := 0; left > 0; k++ {
				n := 1 + rnd.Intn(left)
				if rnd.Intn(2) == 0 {
					n = 1 + rnd.Intn(min(left, 4))
				}
				ps = append(ps, store.Part{Key: fmt.Sprintf("k%d", k), N: n})
				left -= n
			}
			lists = append(lists, store.Breakdown{Parts: ps})
		}
		shownTotal, got := store.MaskCounts(total, lists)
		ok := t.Run(fmt.Sprintf("%d:%v", total, lists), func(t *testing.T) {
			checkNoSmallCountLeaks(t, total, lists, shownTotal, got)
		})
		if !ok {
			return
		}
	}
}

// checkNoSmallCountLeaks plays the reader: for every total the page
// allows, every way of filling each split's hidden counts that adds up;
// a count shown as "< 5" (the total included) must keep at least two
// possible values. What a split leaves out is taken as known.
func checkNoSmallCountLeaks(t *testing.T, total int, lists []store.Breakdown, shownTotal string, got []store.MaskedBreakdown) {
	t.Helper()
	if len(got) != len(lists) {
		t.Fatalf("%d splits back for %d", len(got), len(lists))
	}
	// What each line shows must be what Masked shows, or hidden.
	type hidden struct{ lo, hi int }
	rng := func(text string, n int) (hidden, bool) {
		switch text {
		case "< 5":
			if n < 1 || n > 4 {
				t.Fatalf("%d shown as %q", n, text)
			}
			return hidden{1, 4}, true
		case "≥ 5":
			if n < 5 {
				t.Fatalf("%d shown as %q", n, text)
			}
			return hidden{5, 64}, true
		}
		if text != fmt.Sprint(n) || (n > 0 && n < 5) {
			t.Fatalf("%d shown as %q", n, text)
		}
		return hidden{}, false
	}
	tr, tHidden := rng(shownTotal, total)
	if !tHidden {
		tr = hidden{total, total}
	}
	type split struct {
		known int
		cells []hidden
		small []bool
	}
	var splits []split
	for i, b := range lists {
		n := map[string]int{}
		sum := 0
		for _, p := range b.Parts {
			n[p.Key] += p.N
			sum += p.N
		}
		if got[i].Withheld {
			continue
		}
		s := split{known: total - sum}
		for _, l := range got[i].Lines {
			h, isHidden := rng(l.Count, n[l.Key])
			if !isHidden {
				s.known += n[l.Key]
				continue
			}
			s.cells = append(s.cells, h)
			s.small = append(s.small, l.Count == "< 5")
		}
		splits = append(splits, s)
	}
	// fills lists, for one split and a total, the values each hidden
	// cell can take.
	fills := func(s split, sum int) []map[int]bool {
		out := make([]map[int]bool, len(s.cells))
		for i := range out {
			out[i] = map[int]bool{}
		}
		vals := make([]int, len(s.cells))
		var walk func(i, left int) bool
		walk = func(i, left int) bool {
			if i == len(s.cells) {
				if left != 0 {
					return false
				}
				for j, v := range vals {
					out[j][v] = true
				}
				return true
			}
			any := false
			for v := s.cells[i].lo; v <= min(s.cells[i].hi, left); v++ {
				vals[i] = v
				if walk(i+1, left-v) {
					any = true
				}
			}
			return any
		}
		if !walk(0, sum-s.known) {
			return nil
		}
		return out
	}
	totals := map[int]bool{}
	values := make([][]map[int]bool, len(splits))
	for i, s := range splits {
		values[i] = make([]map[int]bool, len(s.cells))
		for j := range values[i] {
			values[i][j] = map[int]bool{}
		}
	}
	for tt := tr.lo; tt <= tr.hi; tt++ {
		var all [][]map[int]bool
		feasible := true
		for _, s := range splits {
			f := fills(s, tt)
			if f == nil {
				feasible = false
				break
			}
			all = append(all, f)
		}
		if !feasible {
			continue
		}
		totals[tt] = true
		for i := range all {
			for j := range all[i] {
				for v := range all[i][j] {
					values[i][j][v] = true
				}
			}
		}
	}
	if !totals[total] {
		t.Fatalf("the true total %d is not among those the page allows: %v", total, totals)
	}
	if tHidden && total < 5 && len(totals) < 2 {
		t.Errorf("the total %d can be worked out", total)
	}
	for i, s := range splits {
		for j := range s.cells {
			if s.small[j] && len(values[i][j]) < 2 {
				t.Errorf("split %d: a count shown as \"< 5\" can be worked out: %v (shown %+v)", i, values[i][j], got)
			}
		}
	}
}

// The new figures: months, the participants' profile and the support
// activities, each count from 1 to 4 as "< 5", and what adds up to a
// total protected against subtraction.
func TestMaskMonthsProfileSupport(t *testing.T) {
	jan, feb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	f := &store.Figures{Participants: 20, NewParticipants: 8, Visits: 14,
		Months:    []store.MonthFigures{{Month: jan, Participants: 3, Visits: 2}, {Month: feb, Participants: 18, Visits: 12}},
		ByAgeBand: parts("18_29", 17, "55_plus", 3), ByGender: parts("", 20), ByLang: parts("nl", 10, "fr", 6, "ar", 4),
		CourseTotals: store.CourseFigures{Participants: 12, Attendances: 30, Seconds: 30 * 3600},
		Support: store.SupportFigures{Participants: 12, Helped: 2, Seconds: 30 * 3600, Completed: 0,
			ByActivity: parts("language", 9, "civic", 3), ByAgeBand: parts("30_54", 12), ByGender: parts("woman", 7, "man", 5)}}
	m := f.Mask()
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}
	line := func(b store.MaskedBreakdown, key string) string {
		t.Helper()
		if b.Withheld {
			return "withheld"
		}
		for _, l := range b.Lines {
			if l.Key == key {
				return l.Count
			}
		}
		return "0"
	}
	check("January's participants", m.Months[0].Participants, store.MaskedSmall)
	check("February's participants", m.Months[1].Participants, "18")
	check("January's visits", m.Months[0].Visits, store.MaskedSmall)
	check("February's visits (14 - 2)", m.Months[1].Visits, store.MaskedLarge)
	check("visits", m.Visits, "14")
	check("55 and over", line(m.ByAgeBand, "55_plus"), store.MaskedSmall)
	check("18 to 29 (20 - 3)", line(m.ByAgeBand, "18_29"), store.MaskedLarge)
	check("never asked", line(m.ByGender, ""), "20")
	check("Arabic", line(m.ByLang, "ar"), store.MaskedSmall)
	check("Dutch", line(m.ByLang, "nl"), "10")
	check("civic", line(m.Support.ByActivity, "civic"), store.MaskedSmall)
	check("language (12 - 3)", line(m.Support.ByActivity, "language"), store.MaskedLarge)
	check("helped", m.Support.Helped, store.MaskedSmall)
	check("completed", m.Support.Completed, "0")
	check("support hours", m.Support.Hours, "30.0")
	check("support participants", m.Support.Participants, "12")
	check("support women", line(m.Support.ByGender, "woman"), "7")

	// Two kinds of activity for the same people add up to more than
	// them: each line is masked against the others only.
	f.Support.ByActivity = parts("language", 9, "civic", 8)
	if m := f.Mask(); line(m.Support.ByActivity, "language") != "9" || line(m.Support.ByActivity, "civic") != "8" {
		t.Errorf("overlapping activities: %+v", m.Support.ByActivity)
	}
	// Hours resting on 3 people are hidden, and the course total shows
	// the same participants as the support block.
	f.Support.Participants, f.CourseTotals.Participants = 3, 3
	f.Support.ByAgeBand, f.Support.ByGender, f.Support.ByActivity = parts("30_54", 3), parts("woman", 3), parts("civic", 3)
	m = f.Mask()
	check("hours of 3 people", m.Support.Hours, store.HiddenValue)
	check("support participants", m.Support.Participants, store.MaskedSmall)
	check("course participants", m.CourseTotals.Participants, m.Support.Participants)
}

// networkCase is a random network: members with, per site, whether they
// took part (and in a course, said it helped, completed one), and
// additive counts per site.
func networkCase(rnd *rand.Rand) (*store.Figures, map[int64]*store.Figures) {
	sites := 2 + rnd.Intn(3)
	net := &store.Figures{BySite: map[int64]store.Headline{}}
	own := map[int64]*store.Figures{}
	type set map[int]bool
	members := rnd.Intn(16)
	isNew := map[int]bool{}
	for i := range members {
		isNew[i] = rnd.Intn(3) == 0
	}
	netSets := map[string]set{}
	for s := 1; s <= sites; s++ {
		id := int64(s)
		net.SiteIDs = append(net.SiteIDs, id)
		f := &store.Figures{SiteIDs: []int64{id}}
		sets := map[string]set{}
		for _, k := range []string{"p", "course", "helped", "completed"} {
			sets[k] = set{}
			if netSets[k] == nil {
				netSets[k] = set{}
			}
		}
		for i := range members {
			if rnd.Intn(3) != 0 {
				continue
			}
			sets["p"][i] = true
			if rnd.Intn(2) == 0 {
				sets["course"][i] = true
				if rnd.Intn(2) == 0 {
					sets["helped"][i] = true
				}
				if rnd.Intn(3) == 0 {
					sets["completed"][i] = true
				}
			}
		}
		for k, ms := range sets {
			for i := range ms {
				netSets[k][i] = true
			}
		}
		f.Participants = len(sets["p"])
		for i := range sets["p"] {
			if isNew[i] {
				f.NewParticipants++
			}
		}
		f.CourseTotals.Participants, f.Support.Participants = len(sets["course"]), len(sets["course"])
		f.Support.Helped, f.Support.Completed = len(sets["helped"]), len(sets["completed"])
		for _, n := range []*int{&f.Visits, &f.CourseTotals.Sessions, &f.Bookings, &f.LoanTotals.Loans, &f.Reports, &f.ThemesOpened, &f.ThemesSolved} {
			*n = rnd.Intn(12)
		}
		own[id] = f
		net.BySite[id] = f.Headline()
		net.Visits += f.Visits
		net.CourseTotals.Sessions += f.CourseTotals.Sessions
		net.Bookings += f.Bookings
		net.LoanTotals.Loans += f.LoanTotals.Loans
		net.Reports += f.Reports
		net.ThemesOpened += f.ThemesOpened
		net.ThemesSolved += f.ThemesSolved
	}
	net.Participants = len(netSets["p"])
	for i := range netSets["p"] {
		if isNew[i] {
			net.NewParticipants++
		}
	}
	net.CourseTotals.Participants, net.Support.Participants = len(netSets["course"]), len(netSets["course"])
	net.Support.Helped, net.Support.Completed = len(netSets["helped"]), len(netSets["completed"])
	// Breakdowns that add up to their totals, as the page shows them.
	half := rnd.Intn(net.Participants + 1)
	net.ByAgeBand = parts("18_29", half, "30_54", net.Participants-half)
	net.Months = []store.MonthFigures{{Month: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Participants: net.Participants, Visits: net.Visits}}
	net.Loans = []store.LoanFigures{{Type: store.Laptop, Loans: net.LoanTotals.Loans}}
	net.ByDomain = parts("bank", net.Reports)
	return net, own
}

// exact is a count as a reader reads it: a number, or not known.
func exact(shown string) (int, bool) {
	n, err := strconv.Atoi(shown)
	return n, err == nil
}

// Random networks: whatever the network's figures and each site's own
// show, no headline count of the rest of the network (the network's
// minus one site's) from 1 to 4 can be worked out, nor from what adds
// up to it.
func TestNetworkFiguresNeverLetASiteBeSubtracted(t *testing.T) {
	rnd := rand.New(rand.NewSource(11))
	sum := func(shown ...string) (int, bool) {
		total := 0
		for _, s := range shown {
			n, ok := exact(s)
			if !ok {
				return 0, false
			}
			total += n
		}
		return total, true
	}
	lines := func(b store.MaskedBreakdown) []string {
		if b.Withheld {
			return []string{"withheld"}
		}
		var out []string
		for _, l := range b.Lines {
			out = append(out, l.Count)
		}
		return out
	}
	hidden := 0
	for i := 0; i < 4000; i++ {
		net, own := networkCase(rnd)
		m := net.Mask()
		// Every way the network view tells a count.
		type reading struct {
			what  string
			net   func() []int // the network's count, each way it can be read
			site  func(*store.MaskedFigures) (int, bool)
			count func(store.Headline) int
		}
		ways := func(pairs ...[]string) func() []int {
			return func() []int {
				var out []int
				for _, p := range pairs {
					if n, ok := sum(p...); ok {
						out = append(out, n)
					}
				}
				return out
			}
		}
		var loans []string
		for _, l := range m.Loans {
			loans = append(loans, l.Loans)
		}
		var monthVisits []string
		for _, mm := range m.Months {
			monthVisits = append(monthVisits, mm.Visits)
		}
		p, _ := exact(m.Participants)
		n, nOK := exact(m.NewParticipants)
		r, rOK := exact(m.Returning)
		readings := []reading{
			{"participants", ways([]string{m.Participants}, []string{m.NewParticipants, m.Returning}, lines(m.ByAgeBand)),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.Participants) }, func(h store.Headline) int { return h.Participants }},
			{"new", ways([]string{m.NewParticipants}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.NewParticipants) }, func(h store.Headline) int { return h.NewParticipants }},
			{"returning", ways([]string{m.Returning}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.Returning) }, store.Headline.Returning},
			{"visits", ways([]string{m.Visits}, monthVisits),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.Visits) }, func(h store.Headline) int { return h.Visits }},
			{"sessions", ways([]string{m.CourseTotals.Sessions}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.CourseTotals.Sessions) }, func(h store.Headline) int { return h.Sessions }},
			{"course participants", ways([]string{m.CourseTotals.Participants}, []string{m.Support.Participants}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.Support.Participants) }, func(h store.Headline) int { return h.CourseParticipants }},
			{"bookings", ways([]string{m.Bookings}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.Bookings) }, func(h store.Headline) int { return h.Bookings }},
			{"loans", ways([]string{m.LoanTotals.Loans}, loans),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.LoanTotals.Loans) }, func(h store.Headline) int { return h.Loans }},
			{"reports", ways([]string{m.Reports}, lines(m.ByDomain)),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.Reports) }, func(h store.Headline) int { return h.Reports }},
			{"themes opened", ways([]string{m.ThemesOpened}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.ThemesOpened) }, func(h store.Headline) int { return h.ThemesOpened }},
			{"themes solved", ways([]string{m.ThemesSolved}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.ThemesSolved) }, func(h store.Headline) int { return h.ThemesSolved }},
			{"helped", ways([]string{m.Support.Helped}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.Support.Helped) }, func(h store.Headline) int { return h.Helped }},
			{"completed", ways([]string{m.Support.Completed}),
				func(x *store.MaskedFigures) (int, bool) { return exact(x.Support.Completed) }, func(h store.Headline) int { return h.Completed }},
		}
		// New and returning add up to the participants: read each from
		// the other two.
		if _, ok := exact(m.Participants); ok && rOK {
			readings[1].net = func() []int { return append(ways([]string{m.NewParticipants})(), p-r) }
		}
		if _, ok := exact(m.Participants); ok && nOK {
			readings[2].net = func() []int { return append(ways([]string{m.Returning})(), p-n) }
		}
		net0 := net.Headline()
		for _, rd := range readings {
			values := rd.net()
			if len(values) == 0 {
				hidden++
			}
			for _, v := range values {
				if v != rd.count(net0) {
					t.Fatalf("case %d: the network's %s reads %d, is %d: %+v", i, rd.what, v, rd.count(net0), m)
				}
				for id, f := range own {
					s, ok := rd.site(f.Mask())
					if d := v - s; ok && d > 0 && d < store.MaskBelow {
						t.Fatalf("case %d: the network's %s (%d) minus site %d's (%d) is %d\nnetwork %+v\nsites %+v", i, rd.what, v, id, s, d, net0, net.BySite)
					}
				}
			}
		}
	}
	if hidden == 0 {
		t.Error("no case hid a figure: the test tests nothing")
	}
}

// The help queue's and the tandems' figures: small counts masked, waits
// and hours hidden when they rest on fewer than 5, and in a network a
// site's few tickets or tandems not left to subtraction.
func TestMaskHelpAndTandems(t *testing.T) {
	f := &store.Figures{SiteIDs: []int64{1},
		Help: store.HelpFigures{Tickets: 7, ByDay: map[string]int{"2026-11-02": 4, "2026-11-03": 3}, Waited: 3, WaitMedian: 4 * time.Minute,
			WaitP90: 9 * time.Minute, Outcomes: map[string]int{"helped": 5, "referred": 1, "no_show": 1}},
		Tandems: store.TandemFigures{Active: 6, New: 2, Meetings: 3, Minutes: 180, Outcomes: map[string]int{"work": 1, "papers": 5}},
	}
	m := f.Mask()
	if m.Help.Tickets == store.MaskedSmall || m.Help.Days != "2" {
		t.Errorf("tickets %q on %q days", m.Help.Tickets, m.Help.Days)
	}
	if m.Help.WaitMedian != store.HiddenValue || m.Help.WaitP90 != store.HiddenValue {
		t.Errorf("waits of 3 tickets shown: %q, %q", m.Help.WaitMedian, m.Help.WaitP90)
	}
	// 5 helped, and 1 and 1: the two small ones together are 2 of 7, so
	// "helped" must not stay exact.
	for _, l := range m.Help.Outcomes.Lines {
		if l.Key == "helped" && l.Count == "5" {
			t.Errorf("helped shown as 5: with 7 tickets, the other two would be pinned down")
		}
		if (l.Key == "referred" || l.Key == "no_show") && l.Count != store.MaskedSmall {
			t.Errorf("%s: %q", l.Key, l.Count)
		}
	}
	if m.Tandems.Active != "6" || m.Tandems.New != store.MaskedSmall || m.Tandems.Meetings != store.MaskedSmall || m.Tandems.Hours != store.HiddenValue {
		t.Errorf("tandems: %+v", m.Tandems)
	}
	for _, l := range m.Tandems.Outcomes {
		want := map[string]string{"work": store.MaskedSmall, "papers": "5"}[l.Key]
		if want == "" {
			want = "0"
		}
		if l.Count != want {
			t.Errorf("outcome %s: %q, want %q", l.Key, l.Count, want)
		}
	}

	// A network of two sites: 10 tickets at one, 3 at the other.
	n := &store.Figures{SiteIDs: []int64{1, 2}, Help: store.HelpFigures{Tickets: 13, Outcomes: map[string]int{"helped": 13}},
		Tandems: store.TandemFigures{Active: 12, Meetings: 40, Outcomes: map[string]int{}},
		BySite:  map[int64]store.Headline{1: {HelpTickets: 10, Tandems: 6, Meetings: 20}, 2: {HelpTickets: 3, Tandems: 6, Meetings: 20}}}
	nm := n.Mask()
	if nm.Help.Tickets != store.MaskedLarge || !nm.Help.Outcomes.Withheld {
		t.Errorf("13 tickets, 10 of one site: %q, outcomes %+v", nm.Help.Tickets, nm.Help.Outcomes)
	}
	if nm.Tandems.Active != "12" || nm.Tandems.Meetings != "40" {
		t.Errorf("6 and 6 tandems: %+v", nm.Tandems)
	}
}
