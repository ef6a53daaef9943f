package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MemberRecord is everything Drempel holds about one member: what a
// member may ask to see and to take with them (GDPR articles 15 and 20).
// It never holds a card's secret token: only what is printed under it.
type MemberRecord struct {
	Profile    MemberProfile
	Cards      []CardRecord
	Visits     []VisitRecord
	Bookings   []BookingRecord
	Enrolments []EnrolmentRecord
	Ratings    []RatingRecord
	Loans      []LoanRecord
	Events     []DeviceEventRecord
	Thresholds []ThresholdRecord
	Help       []HelpRecord
	Tandems    []TandemRecord
}

// MemberProfile is what the desk wrote down about the member.
type MemberProfile struct {
	ID       int64  `json:"id"`
	Nickname string `json:"nickname"`
	Language string `json:"language"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	Note     string `json:"note,omitempty"`
	// The optional profile, when they gave it: one of AgeBands and
	// Genders ("undisclosed" is an answer: they preferred not to say).
	AgeBand      string    `json:"age_band,omitempty"`
	Gender       string    `json:"gender,omitempty"`
	Organisation string    `json:"organisation"`
	RegisteredAt string    `json:"registered_at_site,omitempty"`
	Registered   time.Time `json:"registered"`
	Updated      time.Time `json:"updated"`
}

// CardRecord is one card: its check code and when it worked.
type CardRecord struct {
	CheckCode string     `json:"check_code"`
	Issued    time.Time  `json:"issued"`
	Revoked   *time.Time `json:"revoked,omitempty"`
}

// VisitRecord is one check-in.
type VisitRecord struct {
	Site string    `json:"site"`
	Day  string    `json:"day"`
	At   time.Time `json:"at"`
}

// BookingRecord is one lab booking.
type BookingRecord struct {
	Site     string     `json:"site"`
	Start    time.Time  `json:"start"`
	Status   string     `json:"status"`
	Attended *time.Time `json:"attended,omitempty"`
}

// EnrolmentRecord is one place in a course session, or on its waiting list.
type EnrolmentRecord struct {
	Site     string     `json:"site"`
	Course   string     `json:"course"`
	Start    time.Time  `json:"start"`
	Status   string     `json:"status"`
	Attended *time.Time `json:"attended,omitempty"`
}

// RatingRecord is one smiley given to a course session.
type RatingRecord struct {
	Course string    `json:"course"`
	Start  time.Time `json:"session_start"`
	Score  int       `json:"score"`
	At     time.Time `json:"at"`
}

// LoanRecord is one device lent.
type LoanRecord struct {
	Site     string     `json:"site"`
	Device   string     `json:"device"`
	Type     string     `json:"type"`
	Lent     time.Time  `json:"lent"`
	Due      time.Time  `json:"due"`
	Returned *time.Time `json:"returned,omitempty"`
	Status   string     `json:"status"`
}

// DeviceEventRecord is one line of a device's history that names the
// member (lent, returned, damaged…).
type DeviceEventRecord struct {
	Device string    `json:"device"`
	Kind   string    `json:"kind"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// ThresholdRecord is a threshold report linked to the member: one where
// they asked for help. Anonymous reports are linked to nobody and are not
// part of anyone's record.
type ThresholdRecord struct {
	Site      string `json:"site"`
	Day       string `json:"day"`
	Domain    string `json:"domain"`
	Problem   string `json:"problem"`
	Words     string `json:"words,omitempty"`
	WantsHelp bool   `json:"wants_help"`
	VoiceNote bool   `json:"voice_note"`
}

// HelpRecord is a ticket of the help queue that still names the member:
// an open one (an ended ticket forgets who asked).
type HelpRecord struct {
	Site    string `json:"site"`
	Day     string `json:"day"`
	Number  int    `json:"number"`
	Subject string `json:"subject"` // one of HelpSubjects
	Status  string `json:"status"`  // waiting or taken
}

// TandemRecord is a mentoring tandem the member is the mentee of, with
// its meetings and what it achieved. Days are YYYY-MM-DD at the site.
type TandemRecord struct {
	ID       int64           `json:"-"`
	Site     string          `json:"site"`
	Mentor   string          `json:"mentor"`
	StartsOn string          `json:"starts_on"`
	EndsOn   string          `json:"ends_on"`
	Goals    []string        `json:"goals"` // from TandemGoals
	Meetings []MeetingRecord `json:"meetings"`
	Outcomes []OutcomeRecord `json:"outcomes"`
}

// MeetingRecord is one meeting of a tandem. Its note is the mentor's, and
// about the member: part of what is held about them, so theirs to read.
type MeetingRecord struct {
	Day     string   `json:"day"`
	Minutes int      `json:"minutes"`
	Topics  []string `json:"topics"` // from TandemGoals
	Note    string   `json:"note,omitempty"`
}

// OutcomeRecord is what a tandem achieved (one of OutcomeKinds), and when.
type OutcomeRecord struct {
	Kind string `json:"kind"`
	Day  string `json:"day"`
}

// Date is the ticket's day.
func (h HelpRecord) Date() time.Time { return dayAt(h.Day) }

// StartDate is the tandem's first day.
func (t TandemRecord) StartDate() time.Time { return dayAt(t.StartsOn) }

// EndDate is the tandem's last day.
func (t TandemRecord) EndDate() time.Time { return dayAt(t.EndsOn) }

// Date is the meeting's day.
func (m MeetingRecord) Date() time.Time { return dayAt(m.Day) }

// Duration is the meeting's length as the pages write it.
func (m MeetingRecord) Duration() string { return Duration(m.Minutes) }

// Date is the day the outcome was reached.
func (o OutcomeRecord) Date() time.Time { return dayAt(o.Day) }

// Meetings is how many meetings the member's tandems had.
func (r *MemberRecord) Meetings() int {
	n := 0
	for _, t := range r.Tandems {
		n += len(t.Meetings)
	}
	return n
}

// Count is how many records of each kind the record holds, in the order
// the page and the erase confirmation name them.
func (r *MemberRecord) Count() []KindCount {
	return []KindCount{
		{"cards", len(r.Cards)}, {"visits", len(r.Visits)}, {"bookings", len(r.Bookings)},
		{"enrolments", len(r.Enrolments)}, {"ratings", len(r.Ratings)}, {"loans", len(r.Loans)},
		{"events", len(r.Events)}, {"thresholds", len(r.Thresholds)}, {"help", len(r.Help)},
		{"tandems", len(r.Tandems)}, {"meetings", r.Meetings()},
	}
}

// KindCount is a number of records of one kind.
type KindCount struct {
	Kind string
	N    int
}

// MemberData gathers everything held about a member (see MemberRecord)
// at these sites: a staff member sees what happened at their own sites,
// an admin (who has every site) all of it. An erased member has nothing
// left to give: ErrNotFound.
func (s *Store) MemberData(ctx context.Context, memberID int64, siteIDs []int64) (*MemberRecord, error) {
	db := s.R.WithContext(ctx)
	var m Member
	if err := db.Where("erased_at IS NULL").Take(&m, memberID).Error; err != nil {
		return nil, notFound(err)
	}
	r := &MemberRecord{Profile: MemberProfile{ID: m.ID, Nickname: m.Nickname, Language: m.Lang, Phone: m.Phone,
		Email: m.Email, Note: m.Note, AgeBand: m.AgeBand, Gender: m.Gender, Registered: m.CreatedAt, Updated: m.UpdatedAt}}
	var where struct{ Site, Operator string }
	if err := db.Raw(`SELECT sites.name AS site, COALESCE(operators.name, '') AS operator FROM sites
LEFT JOIN operators ON operators.id = sites.operator_id WHERE sites.id = ?`, m.SiteID).Scan(&where).Error; err != nil {
		return nil, err
	}
	r.Profile.Organisation = where.Operator
	if slices.Contains(siteIDs, m.SiteID) { // another site's name is not for this staff member
		r.Profile.RegisteredAt = where.Site
	}
	queries := []struct {
		dst any
		sql string
	}{
		{&r.Cards, "SELECT check_code, issued_at AS issued, revoked_at AS revoked FROM cards WHERE member_id = ? ORDER BY issued_at"},
		{&r.Visits, "SELECT sites.name AS site, visits.day, visits.checked_in_at AS at FROM visits JOIN sites ON sites.id = visits.site_id WHERE visits.member_id = ? AND visits.site_id IN ? ORDER BY visits.checked_in_at"},
		{&r.Loans, `SELECT sites.name AS site, devices.asset_tag AS device, devices.type, loans.lent_at AS lent, loans.due_at AS due, loans.returned_at AS returned, loans.status
FROM loans JOIN devices ON devices.id = loans.device_id JOIN sites ON sites.id = loans.site_id WHERE loans.member_id = ? AND loans.site_id IN ? ORDER BY loans.lent_at`},
		{&r.Events, `SELECT devices.asset_tag AS device, device_events.kind, device_events.at, device_events.note
FROM device_events JOIN devices ON devices.id = device_events.device_id WHERE device_events.member_id = ? AND devices.site_id IN ? ORDER BY device_events.at, device_events.id`},
		{&r.Thresholds, `SELECT sites.name AS site, thresholds.day, thresholds.domain, thresholds.problem, thresholds.text AS words, thresholds.wants_help,
EXISTS (SELECT 1 FROM threshold_voices WHERE threshold_voices.threshold_id = thresholds.id) AS voice_note
FROM thresholds JOIN sites ON sites.id = thresholds.site_id WHERE thresholds.member_id = ? AND thresholds.site_id IN ? ORDER BY thresholds.day, thresholds.id`},
	}
	for _, q := range queries {
		args := []any{memberID}
		if strings.Contains(q.sql, " IN ?") {
			args = append(args, siteIDs)
		}
		if err := db.Raw(q.sql, args...).Scan(q.dst).Error; err != nil {
			return nil, err
		}
	}
	// Times kept as Unix seconds (bookings and sessions) become times.
	var bookings []struct {
		Site       string
		StartsAt   int64
		Status     string
		AttendedAt *time.Time
	}
	if err := db.Raw(`SELECT sites.name AS site, bookings.starts_at, bookings.status, bookings.attended_at
FROM bookings JOIN sites ON sites.id = bookings.site_id WHERE bookings.member_id = ? AND bookings.site_id IN ? ORDER BY bookings.starts_at`, memberID, siteIDs).Scan(&bookings).Error; err != nil {
		return nil, err
	}
	for _, b := range bookings {
		r.Bookings = append(r.Bookings, BookingRecord{Site: b.Site, Start: time.Unix(b.StartsAt, 0).UTC(), Status: b.Status, Attended: b.AttendedAt})
	}
	var enrolments []struct {
		Site, Course, Status string
		StartsAt             int64
		AttendedAt           *time.Time
	}
	if err := db.Raw(`SELECT sites.name AS site, `+courseName+` AS course, course_sessions.starts_at, enrolments.status, enrolments.attended_at
FROM enrolments JOIN course_sessions ON course_sessions.id = enrolments.session_id
JOIN courses ON courses.id = course_sessions.course_id JOIN sites ON sites.id = courses.site_id
WHERE enrolments.member_id = ? AND courses.site_id IN ? ORDER BY course_sessions.starts_at`, memberID, siteIDs).Scan(&enrolments).Error; err != nil {
		return nil, err
	}
	for _, e := range enrolments {
		r.Enrolments = append(r.Enrolments, EnrolmentRecord{Site: e.Site, Course: e.Course, Start: time.Unix(e.StartsAt, 0).UTC(), Status: e.Status, Attended: e.AttendedAt})
	}
	var ratings []struct {
		Course    string
		StartUnix int64
		Score     int
		At        time.Time
	}
	if err := db.Raw(`SELECT `+courseName+` AS course,
course_sessions.starts_at AS start_unix, ratings.score, ratings.created_at AS at
FROM ratings JOIN course_sessions ON course_sessions.id = ratings.session_id JOIN courses ON courses.id = course_sessions.course_id WHERE ratings.member_id = ? AND courses.site_id IN ? ORDER BY course_sessions.starts_at`, memberID, siteIDs).Scan(&ratings).Error; err != nil {
		return nil, err
	}
	for _, x := range ratings {
		r.Ratings = append(r.Ratings, RatingRecord{Course: x.Course, Start: time.Unix(x.StartUnix, 0).UTC(), Score: x.Score, At: x.At})
	}
	var tickets []struct {
		HelpTicket
		Site string
	}
	if err := db.Raw(`SELECT help_tickets.*, sites.name AS site FROM help_tickets JOIN sites ON sites.id = help_tickets.site_id
WHERE help_tickets.member_id = ? AND help_tickets.ended_at IS NULL AND help_tickets.site_id IN ? ORDER BY help_tickets.day, help_tickets.number`,
		memberID, siteIDs).Scan(&tickets).Error; err != nil {
		return nil, err
	}
	for _, t := range tickets {
		r.Help = append(r.Help, HelpRecord{Site: t.Site, Day: t.Day, Number: t.Number, Subject: t.Subject, Status: t.Status()})
	}
	if err := s.tandemRecords(db, r, memberID, siteIDs); err != nil {
		return nil, err
	}
	return r, nil
}

// tandemRecords adds the member's tandems as mentee at these sites, with
// their meetings and outcomes.
func (s *Store) tandemRecords(db *gorm.DB, r *MemberRecord, memberID int64, siteIDs []int64) error {
	var tandems []struct {
		ID                      int64
		Site, Mentor            string
		StartsOn, EndsOn, Goals string
	}
	if err := db.Raw(`SELECT tandems.id, sites.name AS site, `+mentorName+` AS mentor, tandems.starts_on, tandems.ends_on, tandems.goals
FROM tandems JOIN sites ON sites.id = tandems.site_id JOIN users mentors ON mentors.id = tandems.mentor_id
WHERE tandems.member_id = ? AND tandems.site_id IN ? ORDER BY tandems.starts_on, tandems.id`, memberID, siteIDs).Scan(&tandems).Error; err != nil {
		return err
	}
	if len(tandems) == 0 {
		return nil
	}
	ids := make([]int64, len(tandems))
	at := map[int64]int{}
	for i, t := range tandems {
		ids[i], at[t.ID] = t.ID, i
		r.Tandems = append(r.Tandems, TandemRecord{ID: t.ID, Site: t.Site, Mentor: t.Mentor, StartsOn: t.StartsOn, EndsOn: t.EndsOn,
			Goals: orNone(splitList(t.Goals)), Meetings: []MeetingRecord{}, Outcomes: []OutcomeRecord{}})
	}
	var meetings []TandemMeeting
	if err := db.Where("tandem_id IN ?", ids).Order("day, id").Find(&meetings).Error; err != nil {
		return err
	}
	for _, m := range meetings {
		t := &r.Tandems[at[m.TandemID]]
		t.Meetings = append(t.Meetings, MeetingRecord{Day: m.Day, Minutes: m.Minutes, Topics: orNone(m.TopicList()), Note: m.Note})
	}
	var outcomes []TandemOutcome
	if err := db.Where("tandem_id IN ?", ids).Order("day, kind").Find(&outcomes).Error; err != nil {
		return err
	}
	for _, o := range outcomes {
		t := &r.Tandems[at[o.TandemID]]
		t.Outcomes = append(t.Outcomes, OutcomeRecord{Kind: o.Kind, Day: o.Day})
	}
	return nil
}

// orNone is an empty list rather than none, written [] in the file.
func orNone(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// courseName is a course's name for a member's record: in Dutch when it
// has one (the desk's language), else in the first language it has.
const courseName = `COALESCE((SELECT name FROM course_texts WHERE course_texts.course_id = courses.id
ORDER BY CASE WHEN lang = 'nl' THEN 0 ELSE 1 END, lang LIMIT 1), '')`

// ErrOpenLoans refuses to erase a member who still holds a device: it
// must come back (or be marked lost) first.
var ErrOpenLoans = errors.New("the member still holds a device")

// EraseMember erases a member on their request (GDPR article 17). Their
// nickname, contact details, note and profile (age band, gender) go (the
// language stays, a figure);
// every card stops working and its codes go; their future bookings and
// course places are given up (a waiting list moves on); the link of their
// threshold reports, those reports' words and voice notes, and notes on
// device history that could name them go; an open help ticket forgets
// who asked, as an ended one does; the notes on their tandem's meetings
// go, a tandem still running ends today and one not yet begun goes.
// What remains is anonymous and keeps the figures right: a visit still
// counts as a visit that day at that site, an attendance as attended, a
// smiley as a smiley, a loan as a loan, a tandem's meetings (their day,
// length and topics) and outcomes as they were, under a member row with
// no name. A member holding a device is refused with ErrOpenLoans:
// nothing changes.
func (s *Store) EraseMember(ctx context.Context, memberID int64) error {
	now := s.Now()
	// Seats first, through the rules that move a waiting list on.
	var bookings, enrolments []int64
	db := s.R.WithContext(ctx)
	if err := db.Model(&Booking{}).Where("member_id = ? AND status = ? AND starts_at > ?", memberID, BookingBooked, now.Unix()).Pluck("id", &bookings).Error; err != nil {
		return err
	}
	if err := db.Table("enrolments").Joins("JOIN course_sessions ON course_sessions.id = enrolments.session_id").
		Where("enrolments.member_id = ? AND enrolments.status IN ? AND course_sessions.starts_at > ?", memberID, []EnrolmentStatus{Enrolled, Waiting}, now.Unix()).
		Pluck("enrolments.id", &enrolments).Error; err != nil {
		return err
	}
	var open int64
	if err := db.Model(&Loan{}).Where("member_id = ? AND status = ?", memberID, LoanOpen).Count(&open).Error; err != nil {
		return err
	}
	if open > 0 {
		return ErrOpenLoans
	}
	for _, id := range bookings {
		if err := s.CancelBooking(ctx, id, memberID); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	for _, id := range enrolments {
		if err := s.CancelEnrolment(ctx, id, memberID); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockMember(tx, s.Dialect, memberID); err != nil {
			return err
		}
		var m Member
		if err := tx.Where("erased_at IS NULL").Take(&m, memberID).Error; err != nil {
			return notFound(err)
		}
		// A loan lent between the check above and this lock.
		if err := tx.Model(&Loan{}).Where("member_id = ? AND status = ?", memberID, LoanOpen).Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return ErrOpenLoans
		}
		// The age band and gender are personal too, and go with the
		// rest: the profile figures of past periods may shift after an
		// erase (the member then counts as "not asked"), a price paid
		// for the erase being whole.
		if err := tx.Model(&Member{}).Where("id = ?", memberID).Updates(map[string]any{
			"nickname": "", "search": "", "phone": "", "email": "", "note": "", "age_band": "", "gender": "",
			"erased_at": now, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		// The cards: revoked, and their token and code replaced by random
		// ones no card carries, so nothing printed can be traced back.
		var cards []Card
		if err := tx.Where("member_id = ?", memberID).Find(&cards).Error; err != nil {
			return err
		}
		for _, c := range cards {
			upd := map[string]any{"token_hash": s.CardTokenHash(NewToken()), "check_code": "ERASED"}
			if c.RevokedAt == nil {
				upd["revoked_at"] = now
			}
			if err := tx.Model(&Card{}).Where("id = ?", c.ID).Updates(upd).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("DELETE FROM threshold_voices WHERE threshold_id IN (SELECT id FROM thresholds WHERE member_id = ?)", memberID).Error; err != nil {
			return err
		}
		// Their words go too: a report that asked for help is theirs, not
		// anonymous, and may name them.
		if err := tx.Exec("UPDATE thresholds SET member_id = NULL, wants_help = ?, text = '' WHERE member_id = ?", false, memberID).Error; err != nil {
			return err
		}
		// Team notes about their attendance are about them, by name.
		if err := EraseAttendanceNotes(tx, memberID); err != nil {
			return err
		}
		// Damage notes and the like may name the member: they go, the
		// device's history keeps what happened and when.
		if err := tx.Exec("UPDATE device_events SET note = '' WHERE member_id = ?", memberID).Error; err != nil {
			return err
		}
		// A ticket still waiting stays in the queue, for nobody by name.
		if err := tx.Exec("UPDATE help_tickets SET member_id = NULL WHERE member_id = ?", memberID).Error; err != nil {
			return err
		}
		return s.endTandemsOf(tx, memberID, now)
	})
}

// endTandemsOf is the erase of a mentee's tandems: what a mentor wrote
// about a meeting is about them, and goes; a tandem still running ends
// today at its site, so that no one goes on mentoring nobody; one not yet
// begun has nothing to count (no meeting can precede its first day) and
// goes, as a seat booked for later does.
func (s *Store) endTandemsOf(tx *gorm.DB, memberID int64, now time.Time) error {
	if err := tx.Exec("UPDATE tandem_meetings SET note = '' WHERE note <> '' AND tandem_id IN (SELECT id FROM tandems WHERE member_id = ?)", memberID).Error; err != nil {
		return err
	}
	var tandems []Tandem
	if err := tx.Where("member_id = ?", memberID).Find(&tandems).Error; err != nil {
		return err
	}
	for _, t := range tandems {
		var site Site
		if err := tx.Take(&site, t.SiteID).Error; err != nil {
			return err
		}
		today := now.In(site.Location()).Format(time.DateOnly)
		var err error
		switch {
		case t.StartsOn > today:
			err = tx.Delete(&Tandem{}, t.ID).Error
		case t.EndsOn > today:
			err = tx.Model(&Tandem{}).Where("id = ?", t.ID).Update("ends_on", today).Error
		}
		if err != nil {
			return err
		}
	}
	return nil
}
