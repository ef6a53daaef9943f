package store_test

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// expected are a period's figures counted again by a fold over the raw
// rows in Go, without any of PeriodFigures' SQL.
func expected(t *testing.T, s *store.Store, sites []int64, p store.Period) *store.Figures {
	t.Helper()
	in := map[int64]bool{}
	for _, id := range sites {
		in[id] = true
	}
	now := s.Now()
	fromDay, toDay := p.Days()
	from, to := p.From, p.To
	held := min(to.Unix(), now.Unix())
	f := &store.Figures{}

	var members []store.Member
	var visits []store.Visit
	var courses []store.Course
	var sessions []store.CourseSession
	var enrolments []store.Enrolment
	var ratings []store.Rating
	var bookings []store.Booking
	var devices []store.Device
	var loans []store.Loan
	var reports []store.Threshold
	var themes []store.Theme
	for _, x := range []any{&members, &visits, &courses, &sessions, &enrolments, &ratings, &bookings, &devices, &loans, &reports, &themes} {
		if err := s.R.Find(x).Error; err != nil {
			t.Fatal(err)
		}
	}
	created := map[int64]time.Time{}
	for _, m := range members {
		created[m.ID] = m.CreatedAt
	}
	participants := map[int64]bool{}
	for _, v := range visits {
		if in[v.SiteID] && v.Day >= fromDay && v.Day < toDay {
			participants[v.MemberID] = true
			f.Visits++
		}
	}
	courseSite := map[int64]int64{}
	for _, c := range courses {
		courseSite[c.ID] = c.SiteID
	}
	sess := map[int64]store.CourseSession{}
	byCourse := map[int64]*store.CourseFigures{}
	get := func(id int64) *store.CourseFigures {
		if byCourse[id] == nil {
			byCourse[id] = &store.CourseFigures{Course: store.Course{ID: id}}
		}
		return byCourse[id]
	}
	for _, cs := range sessions {
		if in[courseSite[cs.CourseID]] && cs.StartsAt >= from.Unix() && cs.StartsAt < held {
			sess[cs.ID] = cs
			c := get(cs.CourseID)
			c.Sessions++
			c.Seats += cs.Seats
			f.CourseTotals.Sessions++
			f.CourseTotals.Seats += cs.Seats
		}
	}
	perCourse := map[int64]map[int64]bool{}
	all := map[int64]bool{}
	for _, e := range enrolments {
		cs, ok := sess[e.SessionID]
		if !ok || e.AttendedAt == nil {
			continue
		}
		participants[e.MemberID] = true
		c := get(cs.CourseID)
		if perCourse[cs.CourseID] == nil {
			perCourse[cs.CourseID] = map[int64]bool{}
		}
		perCourse[cs.CourseID][e.MemberID] = true
		all[e.MemberID] = true
		c.Attendances++
		c.Seconds += cs.EndsAt - cs.StartsAt
		f.CourseTotals.Attendances++
		f.CourseTotals.Seconds += cs.EndsAt - cs.StartsAt
	}
	for id, ms := range perCourse {
		get(id).Participants = len(ms)
	}
	f.CourseTotals.Participants = len(all)
	for _, r := range ratings {
		if cs, ok := sess[r.SessionID]; ok && r.Score >= 1 && r.Score <= 4 {
			get(cs.CourseID).Ratings[r.Score]++
			f.CourseTotals.Ratings[r.Score]++
		}
	}
	for _, c := range byCourse {
		f.Courses = append(f.Courses, *c)
	}
	sort.Slice(f.Courses, func(i, j int) bool { return f.Courses[i].Course.ID < f.Courses[j].Course.ID })
	f.Participants = len(participants)
	for id := range participants {
		if c := created[id]; !c.Before(from) && c.Before(to) {
			f.NewParticipants++
		}
	}

	// Months: the same participants and visits, month by month.
	loc := p.From.Location()
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, loc); m.Before(to); m = m.AddDate(0, 1, 0) {
		next := m.AddDate(0, 1, 0)
		mf := store.MonthFigures{Month: m}
		who := map[int64]bool{}
		for _, v := range visits {
			if in[v.SiteID] && v.Day >= fromDay && v.Day < toDay && v.Day >= m.Format(time.DateOnly) && v.Day < next.Format(time.DateOnly) {
				who[v.MemberID] = true
				mf.Visits++
			}
		}
		for _, e := range enrolments {
			if cs, ok := sess[e.SessionID]; ok && e.AttendedAt != nil && cs.StartsAt >= m.Unix() && cs.StartsAt < next.Unix() {
				who[e.MemberID] = true
			}
		}
		mf.Participants = len(who)
		f.Months = append(f.Months, mf)
	}
	// Profile of the participants, and of the support participants.
	byID := map[int64]store.Member{}
	for _, m := range members {
		byID[m.ID] = m
	}
	count := func(who map[int64]bool, key func(store.Member) string) []store.Part {
		n := map[string]int{}
		for id := range who {
			n[key(byID[id])]++
		}
		return partsOf(n)
	}
	age := func(m store.Member) string { return m.AgeBand }
	gender := func(m store.Member) string { return m.Gender }
	f.ByAgeBand, f.ByGender, f.ByLang = count(participants, age), count(participants, gender), count(participants, func(m store.Member) string { return m.Lang })

	// Support: the course participants, by activity, helped, completed.
	course := map[int64]store.Course{}
	for _, c := range courses {
		course[c.ID] = c
	}
	f.Support.Participants, f.Support.Seconds = len(all), f.CourseTotals.Seconds
	f.Support.ByAgeBand, f.Support.ByGender = count(all, age), count(all, gender)
	byActivity := map[string]map[int64]bool{}
	for _, e := range enrolments {
		if cs, ok := sess[e.SessionID]; ok && e.AttendedAt != nil {
			a := string(course[cs.CourseID].Activity)
			if byActivity[a] == nil {
				byActivity[a] = map[int64]bool{}
			}
			byActivity[a][e.MemberID] = true
		}
	}
	activity := map[string]int{}
	for a, who := range byActivity {
		activity[a] = len(who)
	}
	f.Support.ByActivity = partsOf(activity)
	helped := map[int64]bool{}
	for _, r := range ratings {
		if _, ok := sess[r.SessionID]; ok && (r.Score == 3 || r.Score == 4) {
			helped[r.MemberID] = true
		}
	}
	f.Support.Helped = len(helped)
	type courseMember struct{ course, member int64 }
	nSessions, last := map[int64]int{}, map[int64]int64{}
	for _, cs := range sessions {
		if in[courseSite[cs.CourseID]] {
			nSessions[cs.CourseID]++
			last[cs.CourseID] = max(last[cs.CourseID], cs.StartsAt)
		}
	}
	came := map[courseMember]map[int64]bool{}
	for _, e := range enrolments {
		for _, cs := range sessions {
			if cs.ID == e.SessionID && e.AttendedAt != nil && in[courseSite[cs.CourseID]] {
				k := courseMember{cs.CourseID, e.MemberID}
				if came[k] == nil {
					came[k] = map[int64]bool{}
				}
				came[k][cs.ID] = true
			}
		}
	}
	completed := map[int64]bool{}
	for k, ss := range came {
		if store.CompletedCourse(course[k.course].Kind, nSessions[k.course], len(ss), last[k.course], from.Unix(), held) {
			completed[k.member] = true
		}
	}
	f.Support.Completed = len(completed)

	for _, b := range bookings {
		if !in[b.SiteID] || b.StartsAt < from.Unix() || b.StartsAt >= to.Unix() || b.Status == store.BookingCancelled {
			continue
		}
		f.Bookings++
		f.BookedSeconds += b.EndsAt - b.StartsAt
		switch b.Status {
		case store.BookingAttended:
			f.BookingsUsed++
			f.UsedSeconds += b.EndsAt - b.StartsAt
		case store.BookingNoShow:
			f.NoShows++
		}
	}

	typ := map[int64]store.DeviceType{}
	for _, d := range devices {
		typ[d.ID] = d.Type
	}
	byType := map[store.DeviceType]*store.LoanFigures{}
	for _, l := range loans {
		if !in[l.SiteID] || l.LentAt.Before(from) || !l.LentAt.Before(to) {
			continue
		}
		x := byType[typ[l.DeviceID]]
		if x == nil {
			x = &store.LoanFigures{Type: typ[l.DeviceID]}
			byType[x.Type] = x
		}
		end := now
		switch {
		case l.ReturnedAt != nil:
			end = *l.ReturnedAt
		case l.Status == store.LoanLost:
			end = l.DueAt
		}
		late := l.Status == store.LoanLost || (l.ReturnedAt != nil && l.ReturnedAt.After(l.DueAt)) || (l.ReturnedAt == nil && l.DueAt.Before(now))
		for _, y := range []*store.LoanFigures{x, &f.LoanTotals} {
			y.Loans++
			y.Days += end.Sub(l.LentAt).Hours() / 24
			if late {
				y.Overdue++
			}
		}
	}
	for _, dt := range store.DeviceTypes {
		if x := byType[dt]; x != nil {
			f.Loans = append(f.Loans, *x)
		}
	}

	dom, prob, lvl := map[string]int{}, map[string]int{}, map[string]int{}
	for _, r := range reports {
		if !in[r.SiteID] || r.Day < fromDay || r.Day >= toDay {
			continue
		}
		f.Reports++
		dom[r.Domain]++
		prob[r.Problem]++
		if r.Level != "" {
			lvl[r.Level]++
		}
	}
	f.ByDomain, f.ByProblem, f.ByLevel = partsOf(dom), partsOf(prob), partsOf(lvl)
	for _, th := range themes {
		if !in[th.SiteID] {
			continue
		}
		if !th.CreatedAt.Before(from) && th.CreatedAt.Before(to) {
			f.ThemesOpened++
		}
		if th.Status == "solved" && !th.UpdatedAt.Before(from) && th.UpdatedAt.Before(to) {
			f.ThemesSolved++
		}
	}
	// The help queue's and the tandems' figures are folded again by their
	// own tests (TestHelpFigures, TestTandemFiguresMatchAFold); here they
	// check that the period's figures hold them, for the network and for
	// each site.
	var err error
	f.Period = p
	if f.Help, err = s.HelpFigures(ctx, sites, p); err != nil {
		t.Fatal(err)
	}
	if f.Tandems, err = s.TandemFigures(ctx, sites, p); err != nil {
		t.Fatal(err)
	}
	return f
}

// partsOf are the counts as parts, in key order.
func partsOf(m map[string]int) []store.Part {
	var ps []store.Part
	for k, n := range m {
		ps = append(ps, store.Part{Key: k, N: n})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
	return ps
}

// byKey are parts in key order, whatever order they came in.
func byKey(ps []store.Part) []store.Part {
	m := map[string]int{}
	for _, p := range ps {
		m[p.Key] += p.N
	}
	return partsOf(m)
}

func compareFigures(t *testing.T, got, want *store.Figures) {
	t.Helper()
	eq := func(what string, g, w any) {
		t.Helper()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: got %+v, want %+v", what, g, w)
		}
	}
	eq("participants", got.Participants, want.Participants)
	eq("new participants", got.NewParticipants, want.NewParticipants)
	eq("returning", got.Returning(), want.Returning())
	eq("visits", got.Visits, want.Visits)
	eq("courses", len(got.Courses), len(want.Courses))
	for i := range min(len(got.Courses), len(want.Courses)) {
		g, w := got.Courses[i], want.Courses[i]
		g.Course, w.Course = store.Course{ID: g.Course.ID}, store.Course{ID: w.Course.ID}
		eq("course", g, w)
		if got.Courses[i].Course.Name("nl") == "" {
			t.Errorf("course %d has no name", g.Course.ID)
		}
	}
	eq("course totals", got.CourseTotals, want.CourseTotals)
	eq("help", got.Help, want.Help)
	eq("tandems", got.Tandems, want.Tandems)
	eq("bookings", got.Bookings, want.Bookings)
	eq("bookings used", got.BookingsUsed, want.BookingsUsed)
	eq("no-shows", got.NoShows, want.NoShows)
	eq("booked seconds", got.BookedSeconds, want.BookedSeconds)
	eq("used seconds", got.UsedSeconds, want.UsedSeconds)
	loanEq := func(what string, g, w store.LoanFigures) {
		t.Helper()
		if g.Type != w.Type || g.Loans != w.Loans || g.Overdue != w.Overdue || math.Abs(g.Days-w.Days) > 0.01 {
			t.Errorf("%s: got %+v, want %+v", what, g, w)
		}
	}
	eq("loan types", len(got.Loans), len(want.Loans))
	for i := range min(len(got.Loans), len(want.Loans)) {
		loanEq("loans", got.Loans[i], want.Loans[i])
	}
	loanEq("loan totals", got.LoanTotals, want.LoanTotals)
	eq("reports", got.Reports, want.Reports)
	for _, x := range []struct {
		what string
		g, w []store.Part
	}{{"by domain", got.ByDomain, want.ByDomain}, {"by problem", got.ByProblem, want.ByProblem}, {"by level", got.ByLevel, want.ByLevel}} {
		eq(x.what, len(x.g), len(x.w))
		for i := range min(len(x.g), len(x.w)) {
			eq(x.what, x.g[i], x.w[i])
		}
	}
	eq("themes opened", got.ThemesOpened, want.ThemesOpened)
	eq("themes solved", got.ThemesSolved, want.ThemesSolved)
	eq("months", len(got.Months), len(want.Months))
	for i := range min(len(got.Months), len(want.Months)) {
		g, w := got.Months[i], want.Months[i]
		if !g.Month.Equal(w.Month) || g.Participants != w.Participants || g.Visits != w.Visits {
			t.Errorf("month %d: got %+v, want %+v", i, g, w)
		}
	}
	eq("by age band", byKey(got.ByAgeBand), want.ByAgeBand)
	eq("by gender", byKey(got.ByGender), want.ByGender)
	eq("by language", byKey(got.ByLang), want.ByLang)
	gs, ws := got.Support, want.Support
	gs.ByActivity, gs.ByAgeBand, gs.ByGender = byKey(gs.ByActivity), byKey(gs.ByAgeBand), byKey(gs.ByGender)
	eq("support", gs, ws)
}

// TestPeriodFigures is issue 11's acceptance 3: the figures of the demo,
// with a second site, equal counts made again from the raw rows, per site
// and for the network, this period and the one before.
func TestPeriodFigures(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		demo, b := storetest.SeedFigures(t, s)
		loc := demo.Location()
		half := store.Period{From: time.Date(2026, 1, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 7, 1, 0, 0, 0, 0, loc)}
		odd := store.Period{From: time.Date(2025, 10, 12, 0, 0, 0, 0, loc), To: time.Date(2026, 2, 3, 0, 0, 0, 0, loc)}
		// A month, and a few days inside one, besides.
		feb := store.Period{From: time.Date(2026, 2, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 3, 1, 0, 0, 0, 0, loc)}
		days := store.Period{From: time.Date(2026, 2, 3, 0, 0, 0, 0, loc), To: time.Date(2026, 2, 25, 0, 0, 0, 0, loc)}
		// Eight years: more months than one column of bits holds.
		long := store.Period{From: time.Date(2019, 1, 1, 0, 0, 0, 0, loc), To: time.Date(2027, 1, 1, 0, 0, 0, 0, loc)}
		for _, p := range []store.Period{half, half.Previous(), odd, odd.Previous(), feb, days, long} {
			for _, sites := range [][]int64{{demo.ID}, {b.ID}, {demo.ID, b.ID}} {
				got, err := s.PeriodFigures(ctx, sites, p)
				if err != nil {
					t.Fatal(err)
				}
				want := expected(t, s, sites, p)
				if p != feb && p != days && (got.Participants == 0 || got.Visits == 0 || len(got.Courses) == 0 || got.Bookings == 0 ||
					got.LoanTotals.Loans == 0 || got.Reports == 0 || len(got.Months) < 4 || len(got.ByAgeBand) < 3 || len(got.ByGender) < 3 ||
					len(got.ByLang) < 2 || got.Support.Helped == 0 || len(got.Support.ByActivity) < 2 || len(got.Support.ByAgeBand) < 2) {
					t.Errorf("%v %v: the seed left a block empty: %+v", sites, p, got)
				}
				if sites[0] == demo.ID && p == half && got.Support.Completed == 0 {
					t.Errorf("%v %v: nobody completed a course", sites, p)
				}
				from, to := p.Days()
				t.Run(fmt.Sprintf("%s_to_%s_sites_%v", from, to, sites), func(t *testing.T) {
					compareFigures(t, got, want)
					// Each site's headline counts, for the network's masking,
					// are that site's own figures.
					for _, id := range sites {
						if g, w := got.BySite[id], expected(t, s, []int64{id}, p).Headline(); g != w {
							t.Errorf("site %d's headline counts: got %+v, want %+v", id, g, w)
						}
					}
					if len(sites) == 1 && got.BySite[sites[0]] != got.Headline() {
						t.Errorf("one site's headline %+v is not the figures' %+v", got.BySite[sites[0]], got.Headline())
					}
				})
			}
		}
		if p := half.Previous(); !p.From.Equal(time.Date(2025, 7, 1, 0, 0, 0, 0, loc)) || !p.To.Equal(half.From) {
			t.Errorf("the half year before %v is %v", half, p)
		}
		if p := odd.Previous(); !p.To.Equal(odd.From) || !p.From.Equal(time.Date(2025, 6, 20, 0, 0, 0, 0, loc)) {
			t.Errorf("the period before %v is %v", odd, p)
		}
		// No sites, no figures.
		if f, err := s.PeriodFigures(ctx, nil, half); err != nil || f.Participants != 0 {
			t.Errorf("no sites: %+v, %v", f, err)
		}
	})
}

// TestMaskFigures: every count from 1 to 4 shows as "< 5", and what
// would give one away by subtraction is hidden too.
func TestMaskFigures(t *testing.T) {
	f := &store.Figures{Participants: 12, NewParticipants: 3, Visits: 4,
		Courses:      []store.CourseFigures{{Sessions: 6, Seats: 30, Participants: 3, Attendances: 9, Seconds: 9 * 7200, Ratings: [5]int{0, 0, 1, 6, 7}}},
		CourseTotals: store.CourseFigures{Sessions: 6, Seats: 30, Participants: 3, Attendances: 3, Seconds: 3 * 7200},
		Bookings:     20, BookingsUsed: 18, NoShows: 2, BookedSeconds: 20 * 3600, UsedSeconds: 18 * 3600,
		Loans:      []store.LoanFigures{{Type: store.Laptop, Loans: 10, Days: 70, Overdue: 5}, {Type: store.Dongle, Loans: 2, Days: 9}},
		LoanTotals: store.LoanFigures{Loans: 12, Days: 79, Overdue: 5},
		Reports:    9, ByDomain: []store.Part{{Key: "bank", N: 6}, {Key: "work", N: 3}},
		ThemesOpened: 1}
	m := f.Mask()
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}
	check("new", m.NewParticipants, store.MaskedSmall)
	check("returning (12 - 3)", m.Returning, store.MaskedLarge)
	check("visits", m.Visits, store.MaskedSmall)
	check("course participants", m.Courses[0].Participants, store.MaskedSmall)
	check("course hours", m.Courses[0].Hours, "18.0")
	check("smiley 2", m.Courses[0].Smileys[2], store.MaskedSmall)
	check("smiley 1", m.Courses[0].Smileys[1], "0")
	check("total hours of 3 attendances", m.CourseTotals.Hours, store.HiddenValue)
	check("total fill", m.CourseTotals.Fill, store.HiddenValue)
	check("no-show rate", m.NoShowRate, store.HiddenValue)
	check("booked hours", m.BookedHours, "20.0")
	check("dongles", m.Loans[1].Loans, store.MaskedSmall)
	check("dongle days", m.Loans[1].Days, store.HiddenValue)
	check("laptops (12 - 2)", m.Loans[0].Loans, store.MaskedLarge)
	check("laptop overdue", m.Loans[0].Overdue, store.HiddenValue)
	check("themes", m.ThemesOpened, store.MaskedSmall)
	check("reports", m.Reports, "9")
	check("bank (9 - 3)", m.ByDomain.Lines[0].Count, store.MaskedLarge)
}
