package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// KindTandem is a mentoring tandem, bound to the site that paired it.
const KindTandem Kind = "tandem"

func init() {
	siteOfQuery[KindTandem] = "SELECT site_id FROM tandems WHERE id = ?"
}

// TandemGoals are the domains a tandem works on, and a meeting's topics,
// in the order the pages offer them.
var TandemGoals = []string{"work", "papers", "housing", "training", "language", "health", "money", "digital", "other"}

// tandemGoalPictograms draws each goal with the pictogram the threshold
// domains and the courses already use for it, so that a mentee who knows
// the kiosk recognises it.
var tandemGoalPictograms = map[string]string{
	"work": "d-work", "papers": "d-government", "housing": "d-housing", "training": "course",
	"language": "p-language", "health": "d-health", "money": "d-bank", "digital": "laptop", "other": "d-other",
}

// TandemGoalPictogram is the pictogram of a goal.
func TandemGoalPictogram(goal string) string {
	if p, ok := tandemGoalPictograms[goal]; ok {
		return p
	}
	return "d-other"
}

// OutcomeKinds are what a tandem may achieve, each recorded once with its
// day.
var OutcomeKinds = []string{"work", "training", "housing", "papers", "other"}

// MeetingDurations are the durations (minutes) offered as one tap; any
// other from 5 minutes to 12 hours may be typed.
var MeetingDurations = []int{30, 60, 90, 120}

// Tandem pairs a mentor (an account with RoleMentor) with a mentee (a
// member) at a site, from one day to another (YYYY-MM-DD, both included).
type Tandem struct {
	ID        int64
	SiteID    int64
	MentorID  int64
	MemberID  int64
	StartsOn  string
	EndsOn    string
	Goals     string // goals from TandemGoals, comma-separated
	CreatedAt time.Time
	CreatedBy *int64
}

// GoalList is the tandem's goals, in TandemGoals order.
func (t Tandem) GoalList() []string { return splitList(t.Goals) }

// Goal is a goal (or a topic) with its pictogram, for the pages.
type Goal struct{ Name, Pictogram string }

func goals(list string) []Goal {
	var out []Goal
	for _, g := range splitList(list) {
		out = append(out, Goal{g, TandemGoalPictogram(g)})
	}
	return out
}

// GoalIcons is the tandem's goals with their pictograms.
func (t Tandem) GoalIcons() []Goal { return goals(t.Goals) }

// TandemMeeting is one meeting of a tandem. Its note is for the tandem's
// mentor and the coordinators, and for the mentee in what we hold about
// them (store.MemberData); never in an export or a figure.
type TandemMeeting struct {
	ID        int64
	TandemID  int64
	Day       string
	Minutes   int
	Topics    string // from TandemGoals, comma-separated
	Note      string
	CreatedAt time.Time
	CreatedBy *int64
}

// Duration is the meeting's length as the pages write it: 30 min, 1 h,
// 1 h 30 (the same in Dutch, French and English).
func (m TandemMeeting) Duration() string { return Duration(m.Minutes) }

// Duration writes minutes as 30 min, 1 h or 1 h 30.
func Duration(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %02d", h, m)
}

// TopicList is the meeting's topics.
func (m TandemMeeting) TopicList() []string { return splitList(m.Topics) }

// TopicIcons is the meeting's topics with their pictograms.
func (m TandemMeeting) TopicIcons() []Goal { return goals(m.Topics) }

// TandemOutcome is what a tandem achieved, one of each kind.
type TandemOutcome struct {
	TandemID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind      string `gorm:"primaryKey"`
	Day       string
	CreatedAt time.Time
	CreatedBy *int64
}

// dayAt is a YYYY-MM-DD day as a time at noon UTC, the same calendar
// day in every time zone a site may have, for pages that show dates.
func dayAt(day string) time.Time {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return time.Time{}
	}
	return d.Add(12 * time.Hour)
}

// StartDate and EndDate are the tandem's first and last day.
func (t Tandem) StartDate() time.Time { return dayAt(t.StartsOn) }

// EndDate is the tandem's last day.
func (t Tandem) EndDate() time.Time { return dayAt(t.EndsOn) }

// Date is the meeting's day.
func (m TandemMeeting) Date() time.Time { return dayAt(m.Day) }

// Date is the day the outcome was reached.
func (o TandemOutcome) Date() time.Time { return dayAt(o.Day) }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// cleanGoals keeps the known goals, once each, in TandemGoals order.
func cleanGoals(field string, in []string) (string, error) {
	var out []string
	for _, g := range in {
		if !oneOf(g, TandemGoals) {
			return "", &FieldError{field, "bad_choice"}
		}
	}
	for _, g := range TandemGoals {
		if slices.Contains(in, g) {
			out = append(out, g)
		}
	}
	return strings.Join(out, ","), nil
}

func cleanDay(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &FieldError{field, "required"}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < 2000 || d.Year() > 2999 {
		return "", &FieldError{field, "bad_date"}
	}
	return d.Format(time.DateOnly), nil
}

// mentorName is a mentor's name as the roll call and the lists show it,
// in a query that joins users as mentors.
const mentorName = "COALESCE(NULLIF(mentors.name, ''), mentors.email)"

// TandemInput is what the tandem form fills in. MemberID is read only
// when a tandem is made.
type TandemInput struct {
	MentorID, MemberID int64
	StartsOn, EndsOn   string
	Goals              []string
}

func (in TandemInput) clean() (Tandem, error) {
	var t Tandem
	var err error
	if t.StartsOn, err = cleanDay("starts_on", in.StartsOn); err != nil {
		return t, err
	}
	if t.EndsOn, err = cleanDay("ends_on", in.EndsOn); err != nil {
		return t, err
	}
	if t.EndsOn < t.StartsOn {
		return t, &FieldError{"ends_on", "bad_end"}
	}
	if t.Goals, err = cleanGoals("goals", in.Goals); err != nil {
		return t, err
	}
	if t.Goals == "" {
		return t, &FieldError{"goals", "required"}
	}
	t.MentorID, t.MemberID = in.MentorID, in.MemberID
	return t, nil
}

// checkMentor refuses an account that is not an active mentor of the
// site.
func checkMentor(tx *gorm.DB, mentorID, siteID int64) error {
	var n int64
	err := tx.Model(&User{}).Where("id = ? AND role = ? AND disabled_at IS NULL", mentorID, RoleMentor).
		Where("id IN (SELECT user_id FROM user_sites WHERE site_id = ?)", siteID).Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return &FieldError{"mentor", "bad_choice"}
	}
	return nil
}

// CreateTandem pairs a mentor of the site with a member seen at the site
// (behind the same walls as every look-up of a member).
func (s *Store) CreateTandem(ctx context.Context, siteID int64, in TandemInput, by int64) (*Tandem, error) {
	t, err := in.clean()
	if err != nil {
		return nil, err
	}
	t.SiteID, t.CreatedAt = siteID, s.Now()
	if by != 0 {
		t.CreatedBy = &by
	}
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := checkMentor(tx, t.MentorID, siteID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Member{}).Where("id = ?", t.MemberID).Where(memberSeenAt, siteID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return &FieldError{"member", "bad_choice"}
		}
		return tx.Create(&t).Error
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateTandem changes a tandem's mentor, days and goals; its mentee stays.
// A day that would leave a meeting or an outcome outside is refused.
func (s *Store) UpdateTandem(ctx context.Context, id int64, in TandemInput) error {
	t, err := in.clean()
	if err != nil {
		return err
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur Tandem
		if err := lockRow(tx, s.Dialect).Take(&cur, id).Error; err != nil {
			return notFound(err)
		}
		if err := checkMentor(tx, t.MentorID, cur.SiteID); err != nil {
			return err
		}
		var first struct{ Min, Max string }
		if err := tx.Raw(`SELECT COALESCE(MIN(day), '') AS min, COALESCE(MAX(day), '') AS max FROM (
	SELECT day FROM tandem_meetings WHERE tandem_id = ? UNION ALL SELECT day FROM tandem_outcomes WHERE tandem_id = ?) d`, id, id).
			Scan(&first).Error; err != nil {
			return err
		}
		if first.Min != "" && first.Min < t.StartsOn {
			return &FieldError{"starts_on", "after_meetings"}
		}
		if first.Max != "" && first.Max > t.EndsOn {
			return &FieldError{"ends_on", "before_meetings"}
		}
		return tx.Model(&Tandem{}).Where("id = ?", id).Updates(map[string]any{
			"mentor_id": t.MentorID, "starts_on": t.StartsOn, "ends_on": t.EndsOn, "goals": t.Goals}).Error
	})
}

// TandemRow is a tandem as the pages show it: the mentee's nickname, the
// mentor's name, and how much they met.
type TandemRow struct {
	Tandem
	Nickname    string // "" once the member is erased
	Mentor      string
	Meetings    int
	Minutes     int
	LastMeeting string
}

// Hours is the time the tandem met.
func (r TandemRow) Hours() float64 { return float64(r.Minutes) / 60 }

// LastDate is the day they last met; zero when they have not yet.
func (r TandemRow) LastDate() time.Time { return dayAt(r.LastMeeting) }

func (s *Store) tandemRows(ctx context.Context) *gorm.DB {
	return s.R.WithContext(ctx).Table("tandems").
		Select("tandems.*, members.nickname, " + mentorName + ` AS mentor,
	(SELECT COUNT(*) FROM tandem_meetings m WHERE m.tandem_id = tandems.id) AS meetings,
	(SELECT COALESCE(SUM(m.minutes), 0) FROM tandem_meetings m WHERE m.tandem_id = tandems.id) AS minutes,
	(SELECT COALESCE(MAX(m.day), '') FROM tandem_meetings m WHERE m.tandem_id = tandems.id) AS last_meeting`).
		Joins("JOIN members ON members.id = tandems.member_id").
		Joins("JOIN users mentors ON mentors.id = tandems.mentor_id")
}

// Tandems lists a site's tandems, those still running first; with a
// mentorID, only that mentor's.
func (s *Store) Tandems(ctx context.Context, siteID, mentorID int64) ([]TandemRow, error) {
	q := s.tandemRows(ctx).Where("tandems.site_id = ?", siteID)
	if mentorID != 0 {
		q = q.Where("tandems.mentor_id = ?", mentorID)
	}
	var rows []TandemRow
	err := q.Order("tandems.ends_on DESC, tandems.id DESC").Limit(500).Scan(&rows).Error
	return rows, err
}

// Tandem loads one tandem.
func (s *Store) Tandem(ctx context.Context, id int64) (*TandemRow, error) {
	var rows []TandemRow
	if err := s.tandemRows(ctx).Where("tandems.id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// Mentors are the active mentor accounts of a site, for the tandem form.
func (s *Store) Mentors(ctx context.Context, siteID int64) ([]User, error) {
	var us []User
	err := s.R.WithContext(ctx).Where("role = ? AND disabled_at IS NULL", RoleMentor).
		Where("id IN (SELECT user_id FROM user_sites WHERE site_id = ?)", siteID).Order("name, email").Find(&us).Error
	return us, err
}

// TandemMeetings lists a tandem's meetings, latest first.
func (s *Store) TandemMeetings(ctx context.Context, tandemID int64) ([]TandemMeeting, error) {
	var ms []TandemMeeting
	err := s.R.WithContext(ctx).Where("tandem_id = ?", tandemID).Order("day DESC, id DESC").Find(&ms).Error
	return ms, err
}

// TandemOutcomes lists a tandem's outcomes, by day.
func (s *Store) TandemOutcomes(ctx context.Context, tandemID int64) ([]TandemOutcome, error) {
	var out []TandemOutcome
	err := s.R.WithContext(ctx).Where("tandem_id = ?", tandemID).Order("day, kind").Find(&out).Error
	return out, err
}

// MeetingInput is a meeting as the mentor logs it.
type MeetingInput struct {
	Day     string
	Minutes int
	Topics  []string
	Note    string
}

// tandemDays loads a tandem in a write transaction, and the last day that
// may be logged for it: its end, or today at its site if sooner.
func (s *Store) tandemDays(tx *gorm.DB, id int64) (*Tandem, string, error) {
	var t Tandem
	if err := lockRow(tx, s.Dialect).Take(&t, id).Error; err != nil {
		return nil, "", notFound(err)
	}
	var site Site
	if err := tx.Take(&site, t.SiteID).Error; err != nil {
		return nil, "", err
	}
	last := s.Now().In(site.Location()).Format(time.DateOnly)
	if t.EndsOn < last {
		last = t.EndsOn
	}
	return &t, last, nil
}

// LogMeeting records a meeting of a tandem: on a day of the tandem, not
// after today.
func (s *Store) LogMeeting(ctx context.Context, tandemID int64, in MeetingInput, by int64) (*TandemMeeting, error) {
	m := &TandemMeeting{TandemID: tandemID, Minutes: in.Minutes, CreatedAt: s.Now()}
	var err error
	if m.Day, err = cleanDay("day", in.Day); err != nil {
		return nil, err
	}
	if in.Minutes < 5 || in.Minutes > 720 {
		return nil, &FieldError{"minutes", "out_of_range"}
	}
	if m.Topics, err = cleanGoals("topics", in.Topics); err != nil {
		return nil, err
	}
	if m.Note, err = cleanLines("note", in.Note, 2000); err != nil {
		return nil, err
	}
	if by != 0 {
		m.CreatedBy = &by
	}
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, last, err := s.tandemDays(tx, tandemID)
		if err != nil {
			return err
		}
		if m.Day < t.StartsOn || m.Day > last {
			return &FieldError{"day", "outside"}
		}
		// A mentee who asked to be erased has no notes kept about them
		// any more: the meeting counts, its note is not written.
		var erased int64
		if err := tx.Model(&Member{}).Where("id = ? AND erased_at IS NOT NULL", t.MemberID).Count(&erased).Error; err != nil {
			return err
		}
		if erased > 0 {
			m.Note = ""
		}
		return tx.Create(m).Error
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// DeleteMeeting removes a meeting logged by mistake; it must be one of
// the tandem's.
func (s *Store) DeleteMeeting(ctx context.Context, tandemID, meetingID int64) error {
	res := s.W.WithContext(ctx).Where("id = ? AND tandem_id = ?", meetingID, tandemID).Delete(&TandemMeeting{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// SetOutcome records what a tandem achieved and when (again: a new day).
func (s *Store) SetOutcome(ctx context.Context, tandemID int64, kind, day string, by int64) error {
	if !oneOf(kind, OutcomeKinds) {
		return &FieldError{"kind", "bad_choice"}
	}
	day, err := cleanDay("outcome_day", day)
	if err != nil {
		return err
	}
	o := TandemOutcome{TandemID: tandemID, Kind: kind, Day: day, CreatedAt: s.Now()}
	if by != 0 {
		o.CreatedBy = &by
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, last, err := s.tandemDays(tx, tandemID)
		if err != nil {
			return err
		}
		if day < t.StartsOn || day > last {
			return &FieldError{"outcome_day", "outside"}
		}
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "tandem_id"}, {Name: "kind"}},
			DoUpdates: clause.AssignmentColumns([]string{"day", "created_at", "created_by"}),
		}).Create(&o).Error
	})
}

// RemoveOutcome takes back an outcome recorded by mistake.
func (s *Store) RemoveOutcome(ctx context.Context, tandemID int64, kind string) error {
	res := s.W.WithContext(ctx).Where("tandem_id = ? AND kind = ?", tandemID, kind).Delete(&TandemOutcome{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// ErrNotForTandems refuses to enrol a tandem in a session of a course that
// is not for tandems, or of another site.
var ErrNotForTandems = errors.New("not a course for tandems")

// EnrolTandem gives a tandem a place in a session of a course for
// tandems at its site: the mentee's seat, an enrolment like any other
// (the roll call and the figures count it), that names the tandem, so
// that the mentor comes with them. A full session puts them on the
// waiting list.
func (s *Store) EnrolTandem(ctx context.Context, tandemID, sessionID int64, by *int64) (EnrolmentStatus, error) {
	var t Tandem
	if err := s.R.WithContext(ctx).Take(&t, tandemID).Error; err != nil {
		return "", notFound(err)
	}
	var n int64
	err := s.R.WithContext(ctx).Table("course_sessions").Joins("JOIN courses ON courses.id = course_sessions.course_id").
		Where("course_sessions.id = ? AND courses.site_id = ? AND courses.audience = ?", sessionID, t.SiteID, AudienceTandems).Count(&n).Error
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", ErrNotForTandems
	}
	return s.Enrol(ctx, EnrolInput{SessionID: sessionID, MemberID: t.MemberID, By: by, Wait: true, TandemID: &tandemID})
}

// TandemSessions lists the sessions to come of a site's courses for
// tandems, for the form that enrols a tandem.
func (s *Store) TandemSessions(ctx context.Context, siteID int64) ([]SessionView, error) {
	var ss []CourseSession
	err := s.R.WithContext(ctx).Table("course_sessions").Select("course_sessions.*").
		Joins("JOIN courses ON courses.id = course_sessions.course_id").
		Where("courses.site_id = ? AND courses.archived_at IS NULL AND courses.audience = ? AND course_sessions.starts_at > ?",
			siteID, AudienceTandems, s.Now().Unix()).
		Order("course_sessions.starts_at").Limit(100).Find(&ss).Error
	if err != nil {
		return nil, err
	}
	return s.sessionViews(ctx, ss)
}

// TandemEnrolments lists a tandem's places in workshops, by start.
func (s *Store) TandemEnrolments(ctx context.Context, tandemID int64) ([]MemberEnrolment, error) {
	return s.memberEnrolments(ctx, "enrolments.tandem_id = ? AND enrolments.status IN ?",
		tandemID, []EnrolmentStatus{Enrolled, Waiting})
}

// TandemFigures are a period's mentoring figures: tandems running in it
// (Active) and begun in it (New), their meetings and the time met, and
// the outcomes reached, by kind (OutcomeKinds).
type TandemFigures struct {
	Active, New int
	Meetings    int
	Minutes     int
	Outcomes    map[string]int
}

// Hours is the time the tandems met.
func (f TandemFigures) Hours() float64 { return float64(f.Minutes) / 60 }

// TandemFigures counts a period's tandems at some sites. A tandem's days
// and a meeting's day are local days of its site, as the period's are.
func (s *Store) TandemFigures(ctx context.Context, siteIDs []int64, p Period) (TandemFigures, error) {
	f := TandemFigures{Outcomes: map[string]int{}}
	if len(siteIDs) == 0 {
		return f, nil
	}
	from, to := p.Days()
	db := s.R.WithContext(ctx)
	var t struct{ Active, New int }
	if err := db.Raw(`SELECT COUNT(*) AS active, COALESCE(SUM(CASE WHEN starts_on >= ? THEN 1 ELSE 0 END), 0) AS new
FROM tandems WHERE site_id IN ? AND starts_on < ? AND ends_on >= ?`, from, siteIDs, to, from).Scan(&t).Error; err != nil {
		return f, err
	}
	f.Active, f.New = t.Active, t.New
	var m struct{ Meetings, Minutes int }
	if err := db.Raw(`SELECT COUNT(*) AS meetings, COALESCE(SUM(m.minutes), 0) AS minutes
FROM tandem_meetings m JOIN tandems ON tandems.id = m.tandem_id
WHERE tandems.site_id IN ? AND m.day >= ? AND m.day < ?`, siteIDs, from, to).Scan(&m).Error; err != nil {
		return f, err
	}
	f.Meetings, f.Minutes = m.Meetings, m.Minutes
	var byKind []struct {
		Kind string
		N    int
	}
	if err := db.Raw(`SELECT o.kind, COUNT(*) AS n FROM tandem_outcomes o JOIN tandems ON tandems.id = o.tandem_id
WHERE tandems.site_id IN ? AND o.day >= ? AND o.day < ? GROUP BY o.kind`, siteIDs, from, to).Scan(&byKind).Error; err != nil {
		return f, err
	}
	for _, o := range byKind {
		f.Outcomes[o.Kind] = o.N
	}
	return f, nil
}

// forgetMeetingNotes empties the notes of meetings logged before cut, and
// of every meeting of a mentee who was erased since.
func (s *Store) forgetMeetingNotes(ctx context.Context, cut time.Time) (int64, error) {
	return s.exec(ctx, `UPDATE tandem_meetings SET note = '' WHERE note <> '' AND (created_at < ? OR tandem_id IN (
	SELECT tandems.id FROM tandems JOIN members ON members.id = tandems.member_id WHERE members.erased_at IS NOT NULL))`, cut)
}
