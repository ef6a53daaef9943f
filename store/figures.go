package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Figures for a period: what a coordinator reports to funders, per site
// or for several sites together. Every figure is counted by the database
// (GROUP BY, COUNT, SUM); nothing walks the period's rows in Go. The
// counts here are exact: they leave Drempel only through Mask, which
// hides every count from 1 to 4 (see MaskCounts).

// Period is a stretch of local days: From is the first day's midnight,
// To the midnight after the last day, both in the site's time zone.
type Period struct {
	From, To time.Time
}

// Days are the period's first day and the day after its last, as the
// YYYY-MM-DD local days visits and reports are kept by.
func (p Period) Days() (from, to string) {
	return p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)
}

// Last is the period's last day.
func (p Period) Last() time.Time { return p.To.AddDate(0, 0, -1) }

// Previous is the period of the same length just before p: as many
// calendar months when p is whole months (a quarter, a year), else as many
// days.
func (p Period) Previous() Period {
	loc := p.From.Location()
	if p.From.Day() == 1 && p.To.Day() == 1 {
		months := (p.To.Year()-p.From.Year())*12 + int(p.To.Month()-p.From.Month())
		if months > 0 {
			return Period{From: time.Date(p.From.Year(), p.From.Month()-time.Month(months), 1, 0, 0, 0, 0, loc), To: p.From}
		}
	}
	days := int(p.To.Sub(p.From).Hours()/24 + 0.5)
	return Period{From: time.Date(p.From.Year(), p.From.Month(), p.From.Day()-days, 0, 0, 0, 0, loc), To: p.From}
}

// NamedPeriod is a period people ask for by name, as of now in a site's
// time zone: "month" (this month), "last_quarter" (the last whole
// calendar quarter), "year" (this year) and "last_year". An unknown name
// is not one.
func NamedPeriod(name string, now time.Time, loc *time.Location) (Period, bool) {
	t := now.In(loc)
	switch name {
	case "month":
		m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		return Period{From: m, To: m.AddDate(0, 1, 0)}, true
	case "last_quarter":
		q := time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, loc)
		return Period{From: q.AddDate(0, -3, 0), To: q}, true
	case "year":
		y := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, loc)
		return Period{From: y, To: y.AddDate(1, 0, 0)}, true
	case "last_year":
		y := time.Date(t.Year()-1, 1, 1, 0, 0, 0, 0, loc)
		return Period{From: y, To: y.AddDate(1, 0, 0)}, true
	}
	return Period{}, false
}

// Figures are the exact counts of one period over a set of sites.
type Figures struct {
	Period  Period
	SiteIDs []int64

	// People: participants are the members with a visit, or an attended
	// course session, at one of the sites in the period; the new ones
	// were registered in the period, the returning ones before it.
	Participants, NewParticipants, Visits int

	// Courses held in the period (sessions that started before now), by
	// course, and together.
	Courses      []CourseFigures
	CourseTotals CourseFigures

	// Lab: bookings that were not cancelled, those attended, those
	// released as no-shows; and their hours.
	Bookings, BookingsUsed, NoShows int
	BookedSeconds, UsedSeconds      int64

	// Lending: the loans started in the period, by device type, and
	// together.
	Loans      []LoanFigures
	LoanTotals LoanFigures

	// Thresholds reported in the period, and themes.
	Reports                      int
	ByDomain, ByProblem, ByLevel []Part
	ThemesOpened, ThemesSolved   int

	// Months: each calendar month the period touches (cut to the
	// period at its ends), for the chart of people per month.
	Months []MonthFigures

	// Profile of the participants: by the optional age band and gender
	// they gave at registration, and by language. The key "" counts those
	// never asked (registered before the question); Undisclosed those who
	// preferred not to say.
	ByAgeBand, ByGender, ByLang []Part

	// Support activities, as an integration funder asks for them.
	Support SupportFigures

	// Help requests of the queue, and mentoring tandems.
	Help    HelpFigures
	Tandems TandemFigures

	// BySite are each site's own headline counts, for MaskNetwork.
	BySite map[int64]Headline
}

// MonthFigures are one month's people.
type MonthFigures struct {
	Month        time.Time // the first day of the month, in the sites' zone
	Participants int       // different members, as Figures.Participants
	Visits       int
}

// SupportFigures are the participants of courses (support activities)
// in a period, in the words of an integration funder.
type SupportFigures struct {
	// Participants are the different members who attended at least one
	// session held in the period.
	Participants int
	// ByActivity counts them per kind of activity of the course (keys:
	// CourseActivities); one member may count under several kinds.
	ByActivity []Part
	// Helped are the participants who said it helped them: a smiley 3
	// or 4 for a session held in the period.
	Helped int
	// Seconds of activity: each session's length times its attendees.
	Seconds int64
	// Completed are the participants who completed a course or series:
	// see CompletedCourse.
	Completed int
	// Profile of the support participants (keys as Figures.ByAgeBand).
	ByAgeBand, ByGender []Part
}

// Returning are the participants registered before the period.
func (f *Figures) Returning() int { return f.Participants - f.NewParticipants }

// CourseFigures are one course's sessions in a period.
type CourseFigures struct {
	Course       Course // with its texts; zero for the totals
	Sessions     int
	Seats        int // of the sessions held
	Participants int // different members who attended at least once
	Attendances  int // member × session
	Seconds      int64
	Ratings      [5]int // by smiley, 1 to 4 (0: skipped, not counted)
}

// Hours are the attendance hours: each session's length times its
// attendees.
func (c CourseFigures) Hours() float64 { return float64(c.Seconds) / 3600 }

// Fill is the share of seats taken by attendees, in percent.
func (c CourseFigures) Fill() float64 {
	if c.Seats == 0 {
		return 0
	}
	return float64(c.Attendances) * 100 / float64(c.Seats)
}

// Rated is how many smileys were given.
func (c CourseFigures) Rated() int { return c.Ratings[1] + c.Ratings[2] + c.Ratings[3] + c.Ratings[4] }

// LoanFigures are the loans of one device type (or all) started in a
// period.
type LoanFigures struct {
	Type    DeviceType
	Loans   int
	Days    float64 // until returned, until now when still out, until due when lost
	Overdue int     // returned late, still out past due, or lost
}

// PeriodFigures counts a period's figures over the given sites, and each
// site's headline counts (Figures.BySite). Its passes are independent
// queries and run side by side on the read pool.
func (s *Store) PeriodFigures(ctx context.Context, siteIDs []int64, p Period) (*Figures, error) {
	f := &Figures{Period: p, SiteIDs: siteIDs, BySite: map[int64]Headline{}}
	if len(siteIDs) == 0 {
		return f, nil
	}
	db := s.R.WithContext(ctx)
	now := s.Now().UTC()
	fromDay, toDay := p.Days()
	from, to := p.From.UTC(), p.To.UTC()
	held := min(to.Unix(), now.Unix())

	// Each pass writes its own fields of f, and its per-site counts
	// into its own map; they are added up once all are done.
	var people map[int64]*Headline
	perSite := func() map[int64]*Headline {
		m := map[int64]*Headline{}
		for _, id := range siteIDs {
			m[id] = &Headline{}
		}
		return m
	}
	visitsBySite, coursesBySite, labBySite, loansBySite, thresholdsBySite, helpBySite := perSite(), perSite(), perSite(), perSite(), perSite(), perSite()
	var visitsByMonth map[string]int
	err := parallel(
		func() (err error) {
			people, err = s.peopleFigures(ctx, f, siteIDs, held)
			return wrap("people", err)
		},
		func() error {
			// The visits per site and month, from the per-day counts of
			// the visits_site_day index.
			var rows []struct {
				SiteID int64
				Month  string
				N      int
			}
			err := db.Raw(`SELECT site_id, substr(day, 1, 7) AS month, SUM(n) AS n FROM
				(SELECT site_id, day, COUNT(*) AS n FROM visits WHERE site_id IN ? AND day >= ? AND day < ? GROUP BY site_id, day) d
				GROUP BY site_id, substr(day, 1, 7)`, siteIDs, fromDay, toDay).Scan(&rows).Error
			visitsByMonth = map[string]int{}
			for _, r := range rows {
				visitsBySite[r.SiteID].Visits += r.N
				visitsByMonth[r.Month] += r.N
			}
			return wrap("visits", err)
		},
		func() error {
			if err := s.courseFigures(ctx, f, siteIDs, from.Unix(), held, coursesBySite); err != nil {
				return wrap("courses", err)
			}
			return wrap("support", s.supportFigures(ctx, f, siteIDs, from.Unix(), held, coursesBySite))
		},
		func() error {
			var lab []struct {
				SiteID                     int64
				Bookings, Used, NoShows    int
				BookedSeconds, UsedSeconds int64
			}
			err := db.Raw(`SELECT site_id, COUNT(*) AS bookings,
				COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS used,
				COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS no_shows,
				COALESCE(SUM(ends_at - starts_at), 0) AS booked_seconds,
				COALESCE(SUM(CASE WHEN status = ? THEN ends_at - starts_at ELSE 0 END), 0) AS used_seconds
				FROM bookings WHERE site_id IN ? AND starts_at >= ? AND starts_at < ? AND status <> ? GROUP BY site_id`,
				BookingAttended, BookingNoShow, BookingAttended, siteIDs, from.Unix(), to.Unix(), BookingCancelled).Scan(&lab).Error
			for _, l := range lab {
				f.Bookings += l.Bookings
				f.BookingsUsed += l.Used
				f.NoShows += l.NoShows
				f.BookedSeconds += l.BookedSeconds
				f.UsedSeconds += l.UsedSeconds
				labBySite[l.SiteID].Bookings = l.Bookings
			}
			return wrap("lab", err)
		},
		func() error { return wrap("loans", s.loanFigures(ctx, f, siteIDs, now, loansBySite)) },
		func() error {
			return wrap("thresholds", s.thresholdFigures(ctx, f, siteIDs, thresholdsBySite))
		},
		func() error { return wrap("help and tandems", s.helpAndTandems(ctx, f, siteIDs, helpBySite)) },
	)
	if err != nil {
		return nil, err
	}
	for _, id := range siteIDs {
		h := *people[id]
		h.Visits = visitsBySite[id].Visits
		h.Sessions = coursesBySite[id].Sessions
		h.CourseParticipants = coursesBySite[id].CourseParticipants
		h.SupportParticipants = h.CourseParticipants
		h.Helped, h.Completed = coursesBySite[id].Helped, coursesBySite[id].Completed
		h.Bookings = labBySite[id].Bookings
		h.Loans = loansBySite[id].Loans
		h.Reports = thresholdsBySite[id].Reports
		h.ThemesOpened, h.ThemesSolved = thresholdsBySite[id].ThemesOpened, thresholdsBySite[id].ThemesSolved
		h.HelpTickets, h.Tandems, h.Meetings = helpBySite[id].HelpTickets, helpBySite[id].Tandems, helpBySite[id].Meetings
		f.BySite[id] = h
		f.Visits += h.Visits
	}
	for i, m := range f.Months {
		f.Months[i].Visits = visitsByMonth[m.Month.Format("2006-01")]
	}
	return f, nil
}

// parallel runs fns side by side and returns the first error.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("figures, %s: %w", what, err)
	}
	return nil
}

// loanFigures counts the loans started in the period, by device type
// and per site.
func (s *Store) loanFigures(ctx context.Context, f *Figures, siteIDs []int64, now time.Time, bySite map[int64]*Headline) error {
	from, to := f.Period.From.UTC(), f.Period.To.UTC()
	days := `(julianday(CASE WHEN l.returned_at IS NOT NULL THEN l.returned_at WHEN l.status = ? THEN l.due_at ELSE ? END) - julianday(l.lent_at))`
	if s.Dialect == "postgres" {
		days = `(EXTRACT(EPOCH FROM ((CASE WHEN l.returned_at IS NOT NULL THEN l.returned_at WHEN l.status = ? THEN l.due_at ELSE CAST(? AS TIMESTAMPTZ) END) - l.lent_at)) / 86400.0)`
	}
	var rows []struct {
		LoanFigures
		SiteID int64
	}
	err := s.R.WithContext(ctx).Raw(`SELECT l.site_id AS site_id, d.type AS type, COUNT(*) AS loans, COALESCE(SUM(`+days+`), 0) AS days,
		COALESCE(SUM(CASE WHEN l.status = ? OR (l.returned_at IS NOT NULL AND l.returned_at > l.due_at) OR (l.returned_at IS NULL AND l.due_at < ?) THEN 1 ELSE 0 END), 0) AS overdue
		FROM loans l JOIN devices d ON d.id = l.device_id
		WHERE l.site_id IN ? AND l.lent_at >= ? AND l.lent_at < ?
		GROUP BY l.site_id, d.type`,
		LoanLost, now, LoanLost, now, siteIDs, from, to).Scan(&rows).Error
	if err != nil {
		return err
	}
	byType := map[DeviceType]*LoanFigures{}
	for _, r := range rows {
		bySite[r.SiteID].Loans += r.Loans
		t := byType[r.Type]
		if t == nil {
			t = &LoanFigures{Type: r.Type}
			byType[r.Type] = t
		}
		for _, x := range []*LoanFigures{t, &f.LoanTotals} {
			x.Loans += r.Loans
			x.Days += r.Days
			x.Overdue += r.Overdue
		}
	}
	for _, t := range DeviceTypes {
		if x := byType[t]; x != nil {
			f.Loans = append(f.Loans, *x)
		}
	}
	return nil
}

// thresholdFigures counts the threshold reports of the period, split,
// and the themes, in total and per site.
func (s *Store) thresholdFigures(ctx context.Context, f *Figures, siteIDs []int64, bySite map[int64]*Headline) error {
	db := s.R.WithContext(ctx)
	fromDay, toDay := f.Period.Days()
	from, to := f.Period.From.UTC(), f.Period.To.UTC()
	split := func(col string) ([]Part, error) {
		var parts []Part
		err := db.Raw(`SELECT `+col+` AS key, COUNT(*) AS n FROM thresholds
			WHERE site_id IN ? AND day >= ? AND day < ? AND `+col+` <> '' GROUP BY `+col+` ORDER BY `+col,
			siteIDs, fromDay, toDay).Scan(&parts).Error
		return parts, err
	}
	var reports []struct {
		SiteID int64
		N      int
	}
	if err := db.Raw(`SELECT site_id, COUNT(*) AS n FROM thresholds WHERE site_id IN ? AND day >= ? AND day < ? GROUP BY site_id`,
		siteIDs, fromDay, toDay).Scan(&reports).Error; err != nil {
		return err
	}
	for _, r := range reports {
		f.Reports += r.N
		bySite[r.SiteID].Reports = r.N
	}
	for _, x := range []struct {
		col string
		to  *[]Part
	}{{"domain", &f.ByDomain}, {"problem", &f.ByProblem}, {"level", &f.ByLevel}} {
		var err error
		if *x.to, err = split(x.col); err != nil {
			return fmt.Errorf("by %s: %w", x.col, err)
		}
	}
	var themes []struct {
		SiteID         int64
		Opened, Solved int
	}
	err := db.Raw(`SELECT site_id, COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN 1 ELSE 0 END), 0) AS opened,
		COALESCE(SUM(CASE WHEN status = 'solved' AND updated_at >= ? AND updated_at < ? THEN 1 ELSE 0 END), 0) AS solved
		FROM themes WHERE site_id IN ? GROUP BY site_id`, from, to, from, to, siteIDs).Scan(&themes).Error
	if err != nil {
		return fmt.Errorf("themes: %w", err)
	}
	for _, t := range themes {
		f.ThemesOpened += t.Opened
		f.ThemesSolved += t.Solved
		bySite[t.SiteID].ThemesOpened, bySite[t.SiteID].ThemesSolved = t.Opened, t.Solved
	}
	return nil
}

// courseFigures counts the sessions that started between from and held
// (unix seconds), by course.
func (s *Store) courseFigures(ctx context.Context, f *Figures, siteIDs []int64, from, held int64, bySite map[int64]*Headline) error {
	db := s.R.WithContext(ctx)
	byID := map[int64]*CourseFigures{}
	get := func(id int64) *CourseFigures {
		c, ok := byID[id]
		if !ok {
			c = &CourseFigures{Course: Course{ID: id}}
			byID[id] = c
		}
		return c
	}
	var sessions []struct {
		CourseID int64
		Sessions int
		Seats    int
	}
	err := db.Raw(`SELECT cs.course_id, COUNT(*) AS sessions, COALESCE(SUM(cs.seats), 0) AS seats
		FROM course_sessions cs JOIN courses c ON c.id = cs.course_id
		WHERE c.site_id IN ? AND cs.starts_at >= ? AND cs.starts_at < ? GROUP BY cs.course_id`, siteIDs, from, held).Scan(&sessions).Error
	if err != nil {
		return err
	}
	for _, r := range sessions {
		c := get(r.CourseID)
		c.Sessions, c.Seats = r.Sessions, r.Seats
		f.CourseTotals.Sessions += r.Sessions
		f.CourseTotals.Seats += r.Seats
	}
	attended := `FROM enrolments e JOIN course_sessions cs ON cs.id = e.session_id JOIN courses c ON c.id = cs.course_id
		WHERE e.attended_at IS NOT NULL AND c.site_id IN ? AND cs.starts_at >= ? AND cs.starts_at < ?`
	var att []struct {
		CourseID     int64
		Participants int
		Attendances  int
		Seconds      int64
	}
	err = db.Raw(`SELECT cs.course_id, COUNT(DISTINCT e.member_id) AS participants, COUNT(*) AS attendances,
		COALESCE(SUM(cs.ends_at - cs.starts_at), 0) AS seconds `+attended+` GROUP BY cs.course_id`, siteIDs, from, held).Scan(&att).Error
	if err != nil {
		return err
	}
	for _, r := range att {
		c := get(r.CourseID)
		c.Participants, c.Attendances, c.Seconds = r.Participants, r.Attendances, r.Seconds
		f.CourseTotals.Attendances += r.Attendances
		f.CourseTotals.Seconds += r.Seconds
	}
	var distinct int64
	if err := db.Raw(`SELECT COUNT(DISTINCT e.member_id) `+attended, siteIDs, from, held).Scan(&distinct).Error; err != nil {
		return err
	}
	f.CourseTotals.Participants = int(distinct)
	var ratings []struct {
		CourseID int64
		Score    int
		N        int
	}
	err = db.Raw(`SELECT cs.course_id, r.score, COUNT(*) AS n
		FROM ratings r JOIN course_sessions cs ON cs.id = r.session_id JOIN courses c ON c.id = cs.course_id
		WHERE c.site_id IN ? AND cs.starts_at >= ? AND cs.starts_at < ? AND r.score BETWEEN 1 AND 4
		GROUP BY cs.course_id, r.score`, siteIDs, from, held).Scan(&ratings).Error
	if err != nil {
		return err
	}
	for _, r := range ratings {
		get(r.CourseID).Ratings[r.Score] += r.N
		f.CourseTotals.Ratings[r.Score] += r.N
	}
	if len(byID) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	var courses []Course
	if err := db.Where("id IN ?", ids).Find(&courses).Error; err != nil {
		return err
	}
	var texts []CourseText
	if err := db.Where("course_id IN ?", ids).Find(&texts).Error; err != nil {
		return err
	}
	for _, c := range courses {
		c.Texts = map[string]CourseText{}
		byID[c.ID].Course = c
		if h := bySite[c.SiteID]; h != nil {
			h.Sessions += byID[c.ID].Sessions
		}
	}
	for _, t := range texts {
		if c := byID[t.CourseID]; c.Course.Texts != nil {
			c.Course.Texts[t.Lang] = t
		}
	}
	for _, id := range ids {
		f.Courses = append(f.Courses, *byID[id])
	}
	sort.Slice(f.Courses, func(i, j int) bool { return f.Courses[i].Course.ID < f.Courses[j].Course.ID })
	return nil
}

// Masked figures. A count from 1 to 4 shows as MaskedSmall; a sum or a
// share made from such a count (hours, fill, loan days, a rate) shows as
// HiddenValue, as it would give the count away; a count that the others
// would give away by subtraction (new and returning participants adding
// up to all of them, loans by type adding up to all loans, reports by
// domain…) goes through MaskCounts.

// HiddenValue is how a sum or share made from a count below MaskBelow is
// shown.
const HiddenValue = "(< 5)"

// MaskedFigures are a period's figures as they may leave Drempel.
type MaskedFigures struct {
	Participants, NewParticipants, Returning, Visits string

	Courses      []MaskedCourse
	CourseTotals MaskedCourse

	Bookings, BookedHours, UsedHours, NoShowRate string

	Loans      []MaskedLoan
	LoanTotals MaskedLoan

	Reports                      string
	ByDomain, ByProblem, ByLevel MaskedBreakdown
	ThemesOpened, ThemesSolved   string

	Months                      []MaskedMonth
	ByAgeBand, ByGender, ByLang MaskedBreakdown
	Support                     MaskedSupport

	Help    MaskedHelp
	Tandems MaskedTandems
}

// MaskedMonth is one month's line.
type MaskedMonth struct {
	Month                time.Time
	Participants, Visits string
}

// MaskedSupport are the support figures as they may be shown.
type MaskedSupport struct {
	Participants, Helped, Hours, Completed string
	ByActivity, ByAgeBand, ByGender        MaskedBreakdown
}

// MaskedCourse is one course's line.
type MaskedCourse struct {
	Course                                     Course
	Sessions, Participants, Hours, Fill, Rated string
	Smileys                                    [5]string // 1 to 4
}

// MaskedLoan is one device type's line.
type MaskedLoan struct {
	Type                 DeviceType
	Loans, Days, Overdue string
}

// hideIf shows v unless one of the counts it is made from is from 1 to 4.
func hideIf(v string, counts ...int) string {
	for _, n := range counts {
		if n > 0 && n < MaskBelow {
			return HiddenValue
		}
	}
	return v
}

func oneDecimal(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

func percent(n, of int) string {
	if of == 0 {
		return "0 %"
	}
	return strconv.FormatFloat(float64(n)*100/float64(of), 'f', 0, 64) + " %"
}

// Mask turns the exact figures into what may be shown. Figures over
// several sites are shown beside each site's own, and are masked against
// them too (see NetworkFigures).
func (f *Figures) Mask() *MaskedFigures {
	if len(f.SiteIDs) > 1 && f.BySite != nil {
		return f.maskNetwork()
	}
	return f.maskView()
}

// maskView masks the figures as one view, on their own.
func (f *Figures) maskView() *MaskedFigures {
	m := &MaskedFigures{}
	var people []MaskedBreakdown
	m.Participants, people = MaskCounts(f.Participants, []Breakdown{{Parts: []Part{{Key: "new", N: f.NewParticipants}, {Key: "returning", N: f.Returning()}}},
		{Parts: f.ByAgeBand, ByKey: true}, {Parts: f.ByGender, ByKey: true}, {Parts: f.ByLang, ByKey: true}})
	m.ByAgeBand, m.ByGender, m.ByLang = people[1], people[2], people[3]
	m.NewParticipants, m.Returning = "0", "0"
	for _, l := range people[0].Lines {
		if l.Key == "new" {
			m.NewParticipants = l.Count
		} else {
			m.Returning = l.Count
		}
	}
	if people[0].Withheld {
		m.NewParticipants, m.Returning = HiddenValue, HiddenValue
	}
	m.Visits, m.Months = maskMonths(f.Visits, f.Months)

	for _, c := range f.Courses {
		m.Courses = append(m.Courses, maskCourse(c))
	}
	m.CourseTotals = maskCourse(f.CourseTotals)
	m.Support = maskSupport(f.Support, f.CourseTotals.Attendances)
	if f.Support.Participants == f.CourseTotals.Participants {
		// The same people: one count, shown one way.
		m.CourseTotals.Participants = m.Support.Participants
	}

	m.Bookings = Masked(f.Bookings)
	m.BookedHours = hideIf(oneDecimal(float64(f.BookedSeconds)/3600), f.Bookings)
	m.UsedHours = hideIf(oneDecimal(float64(f.UsedSeconds)/3600), f.BookingsUsed)
	m.NoShowRate = hideIf(percent(f.NoShows, f.NoShows+f.BookingsUsed), f.NoShows, f.BookingsUsed)

	parts := make([]Part, 0, len(f.Loans))
	for _, l := range f.Loans {
		parts = append(parts, Part{Key: string(l.Type), N: l.Loans})
	}
	total, split := MaskCounts(f.LoanTotals.Loans, []Breakdown{{Parts: parts}})
	shown := map[string]string{}
	for _, l := range split[0].Lines {
		shown[l.Key] = l.Count
	}
	for _, l := range f.Loans {
		ml := maskLoan(l)
		if c, ok := shown[l.Type.String()]; ok {
			ml.Loans = c
		} else if split[0].Withheld {
			ml.Loans = HiddenValue
		}
		if ml.Loans != strconv.Itoa(l.Loans) {
			ml.Days, ml.Overdue = HiddenValue, HiddenValue
		}
		m.Loans = append(m.Loans, ml)
	}
	m.LoanTotals = maskLoan(f.LoanTotals)
	m.LoanTotals.Loans = total
	if total != strconv.Itoa(f.LoanTotals.Loans) {
		m.LoanTotals.Days, m.LoanTotals.Overdue = HiddenValue, HiddenValue
	}

	var splits []MaskedBreakdown
	m.Reports, splits = MaskCounts(f.Reports, []Breakdown{{Parts: f.ByDomain}, {Parts: f.ByProblem}, {Parts: f.ByLevel}})
	m.ByDomain, m.ByProblem, m.ByLevel = splits[0], splits[1], splits[2]
	m.ThemesOpened, m.ThemesSolved = Masked(f.ThemesOpened), Masked(f.ThemesSolved)
	m.Help, m.Tandems = maskHelp(f.Help), maskTandems(f.Tandems)
	return m
}

// maskMonths masks the visits, which the months' visits add up to, and
// each month's participants.
func maskMonths(visits int, months []MonthFigures) (string, []MaskedMonth) {
	parts := make([]Part, 0, len(months))
	for _, mf := range months {
		parts = append(parts, Part{Key: mf.Month.Format("2006-01"), N: mf.Visits})
	}
	total, split := MaskCounts(visits, []Breakdown{{Parts: parts, ByKey: true}})
	shown := map[string]string{}
	for _, l := range split[0].Lines {
		shown[l.Key] = l.Count
	}
	out := make([]MaskedMonth, len(months))
	for i, mf := range months {
		out[i] = MaskedMonth{Month: mf.Month, Participants: Masked(mf.Participants), Visits: "0"}
		if c, ok := shown[parts[i].Key]; ok {
			out[i].Visits = c
		} else if split[0].Withheld && mf.Visits > 0 {
			out[i].Visits = HiddenValue
		}
	}
	return total, out
}

// maskSupport masks the support figures: the participants with their
// profile, which adds up to them, and the activities, which add up to
// them too when nobody took part in two kinds (else to more, and then
// they are masked against their own sum). attendances are the hours'.
func maskSupport(s SupportFigures, attendances int) MaskedSupport {
	m := MaskedSupport{Helped: Masked(s.Helped), Completed: Masked(s.Completed),
		Hours: hideIf(oneDecimal(float64(s.Seconds)/3600), s.Participants, attendances)}
	lists := []Breakdown{{Parts: s.ByAgeBand, ByKey: true}, {Parts: s.ByGender, ByKey: true}}
	sum := 0
	for _, p := range s.ByActivity {
		sum += max(p.N, 0)
	}
	if sum <= s.Participants {
		lists = append(lists, Breakdown{Parts: s.ByActivity, ByKey: true})
	} else {
		_, activity := MaskCounts(sum, []Breakdown{{Parts: s.ByActivity, ByKey: true}})
		m.ByActivity = activity[0]
	}
	var split []MaskedBreakdown
	m.Participants, split = MaskCounts(s.Participants, lists)
	m.ByAgeBand, m.ByGender = split[0], split[1]
	if len(split) > 2 {
		m.ByActivity = split[2]
	}
	return m
}

// String is the type's code.
func (t DeviceType) String() string { return string(t) }

func maskCourse(c CourseFigures) MaskedCourse {
	mc := MaskedCourse{Course: c.Course, Sessions: Masked(c.Sessions), Participants: Masked(c.Participants),
		Hours: hideIf(oneDecimal(c.Hours()), c.Attendances),
		Fill:  hideIf(strconv.FormatFloat(c.Fill(), 'f', 0, 64)+" %", c.Attendances)}
	parts := make([]Part, 0, 4)
	for score := 1; score <= 4; score++ {
		parts = append(parts, Part{Key: strconv.Itoa(score), N: c.Ratings[score]})
	}
	var split []MaskedBreakdown
	mc.Rated, split = MaskCounts(c.Rated(), []Breakdown{{Parts: parts, ByKey: true}})
	for score := 1; score <= 4; score++ {
		mc.Smileys[score] = "0"
		if split[0].Withheld && c.Ratings[score] > 0 {
			mc.Smileys[score] = HiddenValue
		}
	}
	for _, l := range split[0].Lines {
		score, _ := strconv.Atoi(l.Key)
		mc.Smileys[score] = l.Count
	}
	return mc
}

func maskLoan(l LoanFigures) MaskedLoan {
	return MaskedLoan{Type: l.Type, Loans: Masked(l.Loans),
		Days:    hideIf(strconv.FormatFloat(l.Days, 'f', 0, 64), l.Loans),
		Overdue: hideIf(percent(l.Overdue, l.Loans), l.Overdue, l.Loans-l.Overdue)}
}
