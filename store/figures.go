package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
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

// PeriodFigures counts a period's figures over the given sites. now
// bounds the sessions held and the loans still out.
func (s *Store) PeriodFigures(ctx context.Context, siteIDs []int64, p Period) (*Figures, error) {
	f := &Figures{Period: p, SiteIDs: siteIDs}
	if len(siteIDs) == 0 {
		return f, nil
	}
	db := s.R.WithContext(ctx)
	now := s.Now().UTC()
	fromDay, toDay := p.Days()
	from, to := p.From.UTC(), p.To.UTC()
	held := min(to.Unix(), now.Unix())

	// People. One pass over the members: each is a participant when they
	// have a visit or an attended session in the period (index probes on
	// visits_once_a_day and enrolments_member).
	var people struct{ Participants, New int }
	err := db.Raw(`SELECT COUNT(*) AS participants,
		COALESCE(SUM(CASE WHEN m.created_at >= ? AND m.created_at < ? THEN 1 ELSE 0 END), 0) AS new
		FROM members m
		WHERE EXISTS (SELECT 1 FROM visits v WHERE v.member_id = m.id AND v.site_id IN ? AND v.day >= ? AND v.day < ?)
		OR EXISTS (SELECT 1 FROM enrolments e JOIN course_sessions cs ON cs.id = e.session_id JOIN courses c ON c.id = cs.course_id
			WHERE e.member_id = m.id AND e.attended_at IS NOT NULL AND c.site_id IN ? AND cs.starts_at >= ? AND cs.starts_at < ?)`,
		from, to, siteIDs, fromDay, toDay, siteIDs, from.Unix(), held).Scan(&people).Error
	if err != nil {
		return nil, fmt.Errorf("figures, people: %w", err)
	}
	f.Participants, f.NewParticipants = people.Participants, people.New
	// The visits: a count over the visits_site_day index.
	var visits int64
	if err := db.Raw(`SELECT COUNT(*) FROM visits WHERE site_id IN ? AND day >= ? AND day < ?`, siteIDs, fromDay, toDay).Scan(&visits).Error; err != nil {
		return nil, fmt.Errorf("figures, visits: %w", err)
	}
	f.Visits = int(visits)

	if err := s.courseFigures(ctx, f, siteIDs, from.Unix(), held); err != nil {
		return nil, fmt.Errorf("figures, courses: %w", err)
	}

	// Lab.
	var lab struct {
		Bookings, Used, NoShows    int
		BookedSeconds, UsedSeconds int64
	}
	err = db.Raw(`SELECT COUNT(*) AS bookings,
		COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS used,
		COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS no_shows,
		COALESCE(SUM(ends_at - starts_at), 0) AS booked_seconds,
		COALESCE(SUM(CASE WHEN status = ? THEN ends_at - starts_at ELSE 0 END), 0) AS used_seconds
		FROM bookings WHERE site_id IN ? AND starts_at >= ? AND starts_at < ? AND status <> ?`,
		BookingAttended, BookingNoShow, BookingAttended, siteIDs, from.Unix(), to.Unix(), BookingCancelled).Scan(&lab).Error
	if err != nil {
		return nil, fmt.Errorf("figures, lab: %w", err)
	}
	f.Bookings, f.BookingsUsed, f.NoShows, f.BookedSeconds, f.UsedSeconds = lab.Bookings, lab.Used, lab.NoShows, lab.BookedSeconds, lab.UsedSeconds

	// Lending.
	days := `(julianday(CASE WHEN l.returned_at IS NOT NULL THEN l.returned_at WHEN l.status = ? THEN l.due_at ELSE ? END) - julianday(l.lent_at))`
	if s.Dialect == "postgres" {
		days = `(EXTRACT(EPOCH FROM ((CASE WHEN l.returned_at IS NOT NULL THEN l.returned_at WHEN l.status = ? THEN l.due_at ELSE CAST(? AS TIMESTAMPTZ) END) - l.lent_at)) / 86400.0)`
	}
	var loans []LoanFigures
	err = db.Raw(`SELECT d.type AS type, COUNT(*) AS loans, COALESCE(SUM(`+days+`), 0) AS days,
		COALESCE(SUM(CASE WHEN l.status = ? OR (l.returned_at IS NOT NULL AND l.returned_at > l.due_at) OR (l.returned_at IS NULL AND l.due_at < ?) THEN 1 ELSE 0 END), 0) AS overdue
		FROM loans l JOIN devices d ON d.id = l.device_id
		WHERE l.site_id IN ? AND l.lent_at >= ? AND l.lent_at < ?
		GROUP BY d.type`,
		LoanLost, now, LoanLost, now, siteIDs, from, to).Scan(&loans).Error
	if err != nil {
		return nil, fmt.Errorf("figures, loans: %w", err)
	}
	order := map[DeviceType]int{}
	for i, t := range DeviceTypes {
		order[t] = i
	}
	sort.Slice(loans, func(i, j int) bool { return order[loans[i].Type] < order[loans[j].Type] })
	f.Loans = loans
	for _, l := range loans {
		f.LoanTotals.Loans += l.Loans
		f.LoanTotals.Days += l.Days
		f.LoanTotals.Overdue += l.Overdue
	}

	// Thresholds and themes.
	split := func(col string) ([]Part, error) {
		var parts []Part
		err := db.Raw(`SELECT `+col+` AS key, COUNT(*) AS n FROM thresholds
			WHERE site_id IN ? AND day >= ? AND day < ? AND `+col+` <> '' GROUP BY `+col+` ORDER BY `+col,
			siteIDs, fromDay, toDay).Scan(&parts).Error
		return parts, err
	}
	var reports int64
	if err := db.Raw(`SELECT COUNT(*) FROM thresholds WHERE site_id IN ? AND day >= ? AND day < ?`, siteIDs, fromDay, toDay).Scan(&reports).Error; err != nil {
		return nil, fmt.Errorf("figures, thresholds: %w", err)
	}
	f.Reports = int(reports)
	for _, x := range []struct {
		col string
		to  *[]Part
	}{{"domain", &f.ByDomain}, {"problem", &f.ByProblem}, {"level", &f.ByLevel}} {
		if *x.to, err = split(x.col); err != nil {
			return nil, fmt.Errorf("figures, thresholds by %s: %w", x.col, err)
		}
	}
	var themes struct{ Opened, Solved int }
	err = db.Raw(`SELECT COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN 1 ELSE 0 END), 0) AS opened,
		COALESCE(SUM(CASE WHEN status = 'solved' AND updated_at >= ? AND updated_at < ? THEN 1 ELSE 0 END), 0) AS solved
		FROM themes WHERE site_id IN ?`, from, to, from, to, siteIDs).Scan(&themes).Error
	if err != nil {
		return nil, fmt.Errorf("figures, themes: %w", err)
	}
	f.ThemesOpened, f.ThemesSolved = themes.Opened, themes.Solved
	return f, nil
}

// courseFigures counts the sessions that started between from and held
// (unix seconds), by course.
func (s *Store) courseFigures(ctx context.Context, f *Figures, siteIDs []int64, from, held int64) error {
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

// Mask turns the exact figures into what may be shown.
func (f *Figures) Mask() *MaskedFigures {
	m := &MaskedFigures{}
	var people []MaskedBreakdown
	m.Participants, people = MaskCounts(f.Participants, []Breakdown{{Parts: []Part{{Key: "new", N: f.NewParticipants}, {Key: "returning", N: f.Returning()}}}})
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
	m.Visits = Masked(f.Visits)

	for _, c := range f.Courses {
		m.Courses = append(m.Courses, maskCourse(c))
	}
	m.CourseTotals = maskCourse(f.CourseTotals)

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
