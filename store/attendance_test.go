package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func TestSessionRepeatPlan(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Brussels")
	day := func(s string) time.Time { d, _ := time.ParseInLocation(time.DateOnly, s, loc); return d }
	base := store.SessionRepeat{From: day("2026-03-02"), Weekday: time.Tuesday, Start: 14 * 60, End: 16 * 60, Loc: loc, Seats: 8}

	r := base
	r.Weeks = 10
	r.Skip = []time.Time{day("2026-04-07")}
	plan, skipped, err := r.Plan()
	if err != nil || len(plan) != 9 || len(skipped) != 1 {
		t.Fatalf("10 weeks, one holiday: %d sessions, %d skipped, %v", len(plan), len(skipped), err)
	}
	if got := plan[0].Start.In(loc).Format("Mon 2006-01-02 15:04"); got != "Tue 2026-03-03 14:00" {
		t.Errorf("first session %s", got)
	}
	// Summer time starts on 29 March: the clock time stays 14:00.
	for _, p := range plan {
		if p.Start.In(loc).Hour() != 14 || p.End.Sub(p.Start) != 2*time.Hour || p.Start.In(loc).Weekday() != time.Tuesday {
			t.Errorf("session %s–%s", p.Start.In(loc), p.End.In(loc))
		}
	}
	r = base
	r.Until = day("2026-03-31")
	if plan, _, err := r.Plan(); err != nil || len(plan) != 5 {
		t.Fatalf("until the 31st: %d, %v", len(plan), err)
	}
	for name, c := range map[string]struct {
		mod  func(*store.SessionRepeat)
		code string
	}{
		"too many weeks":    {func(r *store.SessionRepeat) { r.Weeks = 61 }, "repeat_range"},
		"no weeks, no end":  {func(r *store.SessionRepeat) {}, "required"},
		"both":              {func(r *store.SessionRepeat) { r.Weeks = 2; r.Until = day("2026-05-01") }, "weeks_or_until"},
		"end before start":  {func(r *store.SessionRepeat) { r.Until = day("2026-02-01") }, "before_start"},
		"until too far":     {func(r *store.SessionRepeat) { r.Until = day("2028-01-01") }, "repeat_range"},
		"skip not a day":    {func(r *store.SessionRepeat) { r.Weeks = 3; r.Skip = []time.Time{day("2026-03-04")} }, "not_a_session_day"},
		"all skipped":       {func(r *store.SessionRepeat) { r.Weeks = 1; r.Skip = []time.Time{day("2026-03-03")} }, "nothing_left"},
		"end before starts": {func(r *store.SessionRepeat) { r.Weeks = 1; r.End = 13 * 60 }, "bad_end"},
	} {
		r := base
		c.mod(&r)
		_, _, err := r.Plan()
		if fe, ok := store.AsFieldError(err); !ok || fe.Code != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
}

func TestRollCallAndAttendanceGrid(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		loc := st.Location()
		c, err := s.SaveCourse(ctx, 0, st.ID, store.CourseInput{Kind: store.CourseSeries, Activity: store.ActivityLanguage, Pictogram: "people",
			Texts: map[string]store.CourseText{"nl": {Name: "Nederlands"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Course(ctx, c.ID); got.Activity != store.ActivityLanguage {
			t.Fatalf("activity %q", got.Activity)
		}
		if _, err := s.SaveCourse(ctx, 0, st.ID, store.CourseInput{Kind: store.CourseOpen, Activity: "sports", Pictogram: "people",
			Texts: map[string]store.CourseText{"nl": {Name: "X"}}}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("unknown activity: %v", err)
		}
		now := s.Now().In(loc)
		first := time.Date(now.Year(), now.Month(), now.Day()-7*4, 0, 0, 0, 0, loc)
		plan, _, err := store.SessionRepeat{From: first, Weekday: first.Weekday(), Weeks: 6, Start: 10 * 60, End: 12 * 60, Loc: loc, Seats: 5}.Plan()
		if err != nil {
			t.Fatal(err)
		}
		ss, err := s.AddSessions(ctx, c.ID, plan)
		if err != nil || len(ss) != 6 {
			t.Fatalf("add: %d, %v", len(ss), err)
		}
		// All or none: one bad session and nothing is added.
		bad := append([]store.SessionInput(nil), plan...)
		bad[3].Seats = 0
		if _, err := s.AddSessions(ctx, c.ID, bad); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad series: %v", err)
		}
		if all, _ := s.CourseSessions(ctx, c.ID); len(all) != 6 {
			t.Fatalf("a refused series added sessions: %d", len(all))
		}
		// Two members, enrolled in every session (past ones directly).
		a := mustMember(t, s, "Amina")
		b := mustMember(t, s, "Jan")
		enrol := map[[2]int64]int64{}
		for _, x := range ss {
			for _, m := range []int64{a, b} {
				e := store.Enrolment{SessionID: x.ID, MemberID: m, Status: store.Enrolled, CreatedAt: first}
				if err := s.W.Create(&e).Error; err != nil {
					t.Fatal(err)
				}
				enrol[[2]int64{x.ID, m}] = e.ID
			}
		}
		// Past sessions 0–4 (today's, #4, has started? it is at 10:00 today
		// only when the test runs after 10:00): mark the first three.
		marks := []store.RollMark{store.RollPresent, store.RollAbsent, store.RollExcused}
		for i, mk := range marks {
			if err := s.SetRoll(ctx, enrol[[2]int64{ss[i].ID, a}], mk); err != nil {
				t.Fatalf("roll %d: %v", i, err)
			}
			if err := s.SetRoll(ctx, enrol[[2]int64{ss[i].ID, b}], store.RollAbsent); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetRoll(ctx, enrol[[2]int64{ss[3].ID, a}], store.RollPresent); err != nil {
			t.Fatal(err)
		}
		// The future: refused, for the roll call and a walk-in alike.
		if err := s.SetRoll(ctx, enrol[[2]int64{ss[5].ID, a}], store.RollPresent); !errors.Is(err, store.ErrRollNotOpen) {
			t.Fatalf("roll call in the future: %v", err)
		}
		if err := s.SetAttended(ctx, enrol[[2]int64{ss[5].ID, a}], true); !errors.Is(err, store.ErrRollNotOpen) {
			t.Fatalf("SetAttended in the future: %v", err)
		}
		if err := s.AddWalkIn(ctx, ss[5].ID, a, nil); !errors.Is(err, store.ErrRollNotOpen) {
			t.Fatalf("walk-in in the future: %v", err)
		}
		if err := s.SetRoll(ctx, enrol[[2]int64{ss[0].ID, a}], "maybe"); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("unknown mark: %v", err)
		}
		// The grid.
		if err := s.SetAttendanceNote(ctx, c.ID, b, "Bellen na twee keer afwezig", nil); err != nil {
			t.Fatal(err)
		}
		outsider := mustMember(t, s, "Niet ingeschreven")
		if err := s.SetAttendanceNote(ctx, c.ID, outsider, "x", nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a note about a member who never had a seat: %v", err)
		}
		grids, err := s.Attendance(ctx, st.ID, 0, first, first.AddDate(0, 0, 7*6))
		if err != nil || len(grids) != 1 || len(grids[0].Sessions) != 6 || len(grids[0].Rows) != 2 {
			t.Fatalf("grid: %+v, %v", grids, err)
		}
		rows := grids[0].Rows // by nickname: Amina, Jan
		if rows[0].Nickname != "Amina" || rows[0].Cells[0] != store.CellPresent || rows[0].Cells[1] != store.CellAbsent ||
			rows[0].Cells[2] != store.CellExcused || rows[0].Cells[3] != store.CellPresent || rows[0].Cells[5] != store.CellUpcoming {
			t.Errorf("Amina: %v", rows[0].Cells)
		}
		if rows[0].Flagged || rows[0].Present != 2 || rows[0].Excused != 1 {
			t.Errorf("Amina: one absence is no run: %+v", rows[0])
		}
		// Jan: absent 0, 1, 2, and 3 (never marked: the session is over).
		if !rows[1].Flagged || rows[1].LongestRun < 4 || !rows[1].InRun[0] || !rows[1].InRun[3] || rows[1].InRun[5] {
			t.Errorf("Jan: absences in a row: %+v", rows[1])
		}
		if rows[1].Note != "Bellen na twee keer afwezig" {
			t.Errorf("Jan's note: %q", rows[1].Note)
		}
		// One course, another site: nothing.
		other, _ := s.CreateSite(ctx, store.SiteInput{Name: "Elders"})
		if g, _ := s.Attendance(ctx, other.ID, 0, first, first.AddDate(0, 0, 50)); len(g) != 0 {
			t.Error("another site sees the grid")
		}
		// An erased member leaves the grid.
		if err := s.EraseMember(ctx, b); err != nil {
			t.Fatal(err)
		}
		if g, _ := s.Attendance(ctx, st.ID, c.ID, first, first.AddDate(0, 0, 50)); len(g[0].Rows) != 1 {
			t.Errorf("an erased member still shows: %d rows", len(g[0].Rows))
		}
	})
}

func mustMember(t *testing.T, s *store.Store, nick string) int64 {
	t.Helper()
	m, err := s.CreateMember(ctx, store.MemberInput{Nickname: nick, Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func TestDemoLanguageCourse(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		site, _ := s.EnsureSite(ctx, store.DemoSiteName, "Europe/Brussels")
		loc := site.Location()
		n := s.Now().In(loc)
		q := time.Date(n.Year(), time.Month((int(n.Month())-1)/3*3+1), 1, 0, 0, 0, 0, loc)
		grids, err := s.Attendance(ctx, site.ID, 0, q.AddDate(0, -3, 0), q)
		if err != nil || len(grids) == 0 {
			t.Fatalf("last quarter: %v", err)
		}
		flagged := 0
		for _, g := range grids {
			for _, r := range g.Rows {
				if r.Flagged {
					flagged++
				}
			}
		}
		if flagged < 2 {
			t.Errorf("the demo's last quarter shows %d participants with absences in a row", flagged)
		}
	})
}
