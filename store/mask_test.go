package store_test

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"

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
