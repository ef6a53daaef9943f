package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CourseKind is how members enrol in a course.
type CourseKind string

// Course kinds.
const (
	CourseOneOff CourseKind = "one_off" // a single session
	CourseSeries CourseKind = "series"  // enrol once, for every session
	CourseOpen   CourseKind = "open"    // join any session (open enrolment)
)

// CourseKinds lists the kinds in the order the editor offers them.
var CourseKinds = []CourseKind{CourseOneOff, CourseSeries, CourseOpen}

// CourseActivity is which kind of activity a course is, in the words
// an integration funder asks for: of the participants in support
// activities, how many were in a language course, a civic orientation
// course or personal guidance.
type CourseActivity string

// Course activities.
const (
	ActivityLanguage CourseActivity = "language" // a language course
	ActivityCivic    CourseActivity = "civic"    // a civic orientation course
	ActivityGuidance CourseActivity = "guidance" // personal guidance
	ActivityDigital  CourseActivity = "digital"  // a digital skills course
	ActivityOther    CourseActivity = "other"
)

// CourseActivities lists the activities in the order the editor offers them.
var CourseActivities = []CourseActivity{ActivityLanguage, ActivityCivic, ActivityGuidance, ActivityDigital, ActivityOther}

// CourseAudience is who a course is for: members, who enrol each on
// their own, or mentoring tandems, enrolled as a pair (EnrolTandem).
type CourseAudience string

// Course audiences.
const (
	AudienceMembers CourseAudience = "members"
	AudienceTandems CourseAudience = "tandems"
)

// CourseAudiences lists the audiences in the order the editor offers them.
var CourseAudiences = []CourseAudience{AudienceMembers, AudienceTandems}

// CoursePictograms are the pictograms a course can show at the kiosk.
var CoursePictograms = []string{"course", "laptop", "mail", "document", "cv", "car", "paint", "people", "globe"}

// Course is a module: a name and description in each kiosk language, a
// pictogram, and sessions.
type Course struct {
	ID         int64
	SiteID     int64
	Kind       CourseKind
	Activity   CourseActivity
	Audience   CourseAudience
	Pictogram  string
	CreatedAt  time.Time
	ArchivedAt *time.Time
	Texts      map[string]CourseText `gorm:"-"`
}

// CourseText is a course's name and description in one language.
type CourseText struct {
	CourseID    int64  `gorm:"primaryKey"`
	Lang        string `gorm:"primaryKey"`
	Name        string
	Description string
}

// Name is the course's name in lang, else in the first language it has.
func (c Course) Name(lang string, fallbacks ...string) string { return c.text(lang, fallbacks).Name }

// Description is the course's description in lang or a fallback.
func (c Course) Description(lang string, fallbacks ...string) string {
	return c.text(lang, fallbacks).Description
}

func (c Course) text(lang string, fallbacks []string) CourseText {
	for _, l := range append([]string{lang}, fallbacks...) {
		if t, ok := c.Texts[l]; ok && t.Name != "" {
			return t
		}
	}
	for _, l := range []string{"nl", "fr", "en", "ar"} {
		if t, ok := c.Texts[l]; ok && t.Name != "" {
			return t
		}
	}
	for _, t := range c.Texts {
		return t
	}
	return CourseText{}
}

// CourseSession is one meeting of a course. Times are unix seconds.
type CourseSession struct {
	ID            int64
	CourseID      int64
	StartsAt      int64
	EndsAt        int64
	Place         string
	Seats         int
	Taken         int
	FacilitatorID *int64
}

// Start and End as times.
func (s CourseSession) Start() time.Time { return time.Unix(s.StartsAt, 0).UTC() }

// End is when the session ends.
func (s CourseSession) End() time.Time { return time.Unix(s.EndsAt, 0).UTC() }

// Free is how many seats are left.
func (s CourseSession) Free() int { return max(s.Seats-s.Taken, 0) }

// EnrolmentStatus is where a member stands for a session.
type EnrolmentStatus string

// Enrolment states.
const (
	Enrolled         EnrolmentStatus = "enrolled"
	Waiting          EnrolmentStatus = "waiting"
	EnrolCancelled   EnrolmentStatus = "cancelled"
	EnrolSessionGone EnrolmentStatus = "session_gone"
)

// Enrolment is a member's seat, or place on the waiting list, in a session.
type Enrolment struct {
	ID         int64
	SessionID  int64
	MemberID   int64
	Status     EnrolmentStatus
	CreatedAt  time.Time
	CreatedBy  *int64
	PromotedAt *time.Time // moved up from the waiting list
	SeenAt     *time.Time // the member saw the promotion at the kiosk
	AttendedAt *time.Time
	// ExcusedAt: the member let us know they could not come. A member who
	// came after all (AttendedAt) is present.
	ExcusedAt *time.Time
	ClosedAt  *time.Time
	// TandemID: the seat is a tandem's, the mentee's with their mentor.
	TandemID *int64
}

// Rating is a member's smiley for a session: 1 (sad) to 4 (very happy),
// 0 when they chose to skip the question.
type Rating struct {
	SessionID int64 `gorm:"primaryKey"`
	MemberID  int64 `gorm:"primaryKey"`
	Score     int
	CreatedAt time.Time
}

// Why an enrolment is refused.
var (
	ErrSessionFull     = errors.New("session full")
	ErrSessionStarted  = errors.New("session started")
	ErrAlreadyEnrolled = errors.New("already enrolled")
)

// CourseInput is what the course editor fills in.
type CourseInput struct {
	Kind      CourseKind
	Activity  CourseActivity // "" is ActivityOther
	Audience  CourseAudience // "" is AudienceMembers
	Pictogram string
	Texts     map[string]CourseText // by language
}

func (in CourseInput) clean() (CourseInput, error) {
	ok := false
	for _, k := range CourseKinds {
		ok = ok || in.Kind == k
	}
	if !ok {
		return in, &FieldError{"kind", "bad_choice"}
	}
	if in.Activity == "" {
		in.Activity = ActivityOther
	}
	ok = false
	for _, a := range CourseActivities {
		ok = ok || in.Activity == a
	}
	if !ok {
		return in, &FieldError{"activity", "bad_choice"}
	}
	if in.Audience == "" {
		in.Audience = AudienceMembers
	}
	if in.Audience != AudienceMembers && in.Audience != AudienceTandems {
		return in, &FieldError{"audience", "bad_choice"}
	}
	ok = false
	for _, p := range CoursePictograms {
		ok = ok || in.Pictogram == p
	}
	if !ok {
		return in, &FieldError{"pictogram", "bad_choice"}
	}
	texts := map[string]CourseText{}
	for lang, t := range in.Texts {
		var err error
		if _, err = validLang("lang", lang); err != nil {
			return in, err
		}
		if t.Name, err = cleanText("name_"+lang, t.Name, 80); err != nil {
			return in, err
		}
		if t.Description, err = cleanLines("description_"+lang, t.Description, 500); err != nil {
			return in, err
		}
		if t.Name == "" && t.Description != "" {
			return in, &FieldError{"name_" + lang, "required"}
		}
		if t.Name != "" {
			t.Lang = lang
			texts[lang] = t
		}
	}
	if len(texts) == 0 {
		return in, &FieldError{"name", "required"}
	}
	in.Texts = texts
	return in, nil
}

// SaveCourse creates a course (id 0) or changes one.
func (s *Store) SaveCourse(ctx context.Context, id, siteID int64, in CourseInput) (*Course, error) {
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	c := &Course{ID: id, SiteID: siteID, Kind: in.Kind, Activity: in.Activity, Audience: in.Audience, Pictogram: in.Pictogram, CreatedAt: s.Now(), Texts: in.Texts}
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if id == 0 {
			if err := tx.Create(c).Error; err != nil {
				return err
			}
		} else {
			res := tx.Model(&Course{}).Where("id = ?", id).Updates(map[string]any{"kind": in.Kind, "activity": in.Activity, "audience": in.Audience, "pictogram": in.Pictogram})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return ErrNotFound
			}
			if err := tx.Where("course_id = ?", id).Delete(&CourseText{}).Error; err != nil {
				return err
			}
		}
		for _, t := range in.Texts {
			t.CourseID = c.ID
			if err := tx.Create(&t).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// coursesByID loads courses with their texts: the one way the store
// does, in one query scanned by hand (read through GORM as two queries,
// they took most of the kiosk's courses page).
func (s *Store) coursesByID(ctx context.Context, ids []int64) (map[int64]Course, error) {
	byID := map[int64]Course{}
	if len(ids) == 0 {
		return byID, nil
	}
	rows, err := s.R.WithContext(ctx).Raw(`SELECT c.id, c.site_id, c.kind, c.activity, c.audience, c.pictogram, c.created_at, c.archived_at,
		t.lang, t.name, t.description FROM courses c LEFT JOIN course_texts t ON t.course_id = c.id WHERE c.id IN ?`, ids).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c                 Course
			archived          sql.NullTime
			lang, name, descr sql.NullString
		)
		if err := rows.Scan(&c.ID, &c.SiteID, &c.Kind, &c.Activity, &c.Audience, &c.Pictogram, &c.CreatedAt, &archived, &lang, &name, &descr); err != nil {
			return nil, err
		}
		if have, ok := byID[c.ID]; ok {
			c = have
		} else {
			c.Texts = map[string]CourseText{}
			if archived.Valid {
				c.ArchivedAt = &archived.Time
			}
		}
		if lang.Valid {
			c.Texts[lang.String] = CourseText{CourseID: c.ID, Lang: lang.String, Name: name.String, Description: descr.String}
		}
		byID[c.ID] = c
	}
	return byID, rows.Err()
}

// Courses lists a site's courses, newest first.
func (s *Store) Courses(ctx context.Context, siteID int64) ([]Course, error) {
	var ids []int64
	if err := s.R.WithContext(ctx).Raw("SELECT id FROM courses WHERE site_id = ? ORDER BY id DESC", siteID).Scan(&ids).Error; err != nil {
		return nil, err
	}
	byID, err := s.coursesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	cs := make([]Course, len(ids))
	for i, id := range ids {
		cs[i] = byID[id]
	}
	return cs, nil
}

// SessionInput is what the session editor fills in.
type SessionInput struct {
	Start, End    time.Time
	Place         string
	Seats         int
	FacilitatorID *int64
}

func (in SessionInput) clean() (SessionInput, error) {
	var err error
	if in.Start.IsZero() {
		return in, &FieldError{"start", "required"}
	}
	if !in.End.After(in.Start) || in.End.Sub(in.Start) > 24*time.Hour {
		return in, &FieldError{"end", "bad_end"}
	}
	if in.Seats < 1 || in.Seats > 500 {
		return in, &FieldError{"seats", "out_of_range"}
	}
	in.Place, err = cleanText("place", in.Place, 100)
	return in, err
}

// AddSession adds a session to a course.
func (s *Store) AddSession(ctx context.Context, courseID int64, in SessionInput) (*CourseSession, error) {
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	cs := &CourseSession{CourseID: courseID, StartsAt: in.Start.Unix(), EndsAt: in.End.Unix(), Place: in.Place,
		Seats: in.Seats, FacilitatorID: in.FacilitatorID}
	if err := s.W.WithContext(ctx).Create(cs).Error; err != nil {
		return nil, err
	}
	return cs, nil
}

// EnrolmentRow is an enrolment with the member's nickname, for staff;
// for a tandem's seat, with their mentor's name too.
type EnrolmentRow struct {
	Enrolment
	Nickname string
	Mentor   string
}

// SessionEnrolments lists who is enrolled and waiting, in list order.
func (s *Store) SessionEnrolments(ctx context.Context, sessionID int64) ([]EnrolmentRow, error) {
	var rows []EnrolmentRow
	err := s.R.WithContext(ctx).Table("enrolments").Select("enrolments.*, members.nickname, "+mentorName+" AS mentor").
		Joins("JOIN members ON members.id = enrolments.member_id").
		Joins("LEFT JOIN tandems ON tandems.id = enrolments.tandem_id").
		Joins("LEFT JOIN users mentors ON mentors.id = tandems.mentor_id").
		Where("enrolments.session_id = ? AND enrolments.status IN ?", sessionID, []EnrolmentStatus{Enrolled, Waiting}).
		Order("enrolments.status, enrolments.id").Scan(&rows).Error
	return rows, err
}

// UpdateSession changes a session. Fewer seats than members enrolled is
// refused unless moveToWaiting: then the last enrolled go back to the top
// of the waiting list, and UpdateSession returns them.
func (s *Store) UpdateSession(ctx context.Context, id int64, in SessionInput, moveToWaiting bool) ([]EnrolmentRow, error) {
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	var moved []EnrolmentRow
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := setMark(tx, coursesMark); err != nil {
			return err
		}
		var cur CourseSession
		if err := lockRow(tx, s.Dialect).Take(&cur, id).Error; err != nil {
			return notFound(err)
		}
		taken := cur.Taken
		if in.Seats < cur.Taken {
			if !moveToWaiting {
				return &FieldError{"seats", "below_enrolled"}
			}
			var rows []EnrolmentRow
			if err := tx.Table("enrolments").Select("enrolments.*, members.nickname").
				Joins("JOIN members ON members.id = enrolments.member_id").
				Where("enrolments.session_id = ? AND enrolments.status = ?", id, Enrolled).
				Order("enrolments.id DESC").Limit(cur.Taken - in.Seats).Scan(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				if err := tx.Model(&Enrolment{}).Where("id = ?", r.ID).Update("status", Waiting).Error; err != nil {
					return err
				}
			}
			moved = rows
			taken -= len(rows)
		}
		return tx.Model(&CourseSession{}).Where("id = ?", id).Updates(map[string]any{
			"starts_at": in.Start.Unix(), "ends_at": in.End.Unix(), "place": in.Place,
			"seats": in.Seats, "taken": taken, "facilitator_id": in.FacilitatorID,
		}).Error
	})
	if err != nil {
		return nil, err
	}
	// More seats may let the waiting list move up.
	return moved, s.fillSeats(ctx, id)
}

// DeleteSession removes a session and everyone's place in it.
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	res := s.W.WithContext(ctx).Where("id = ?", id).Delete(&CourseSession{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// SessionView is a session with its course, as the kiosk lists it.
type SessionView struct {
	CourseSession
	Course Course
}

// nextSessions is NextSessions without its cache.
//
// Each course's session is found by two seeks in course_sessions_course
// (its first free one, else its first one): a window function over all
// the sessions of the period (ROW_NUMBER per course) did the same in
// several times the time, most of the kiosk's courses page.
func (s *Store) nextSessions(ctx context.Context, siteID int64, at, until time.Time) ([]SessionView, error) {
	now := at.Unix()
	var ss []CourseSession
	err := s.R.WithContext(ctx).Raw(`
SELECT id, course_id, starts_at, ends_at, place, seats, taken, facilitator_id FROM course_sessions WHERE id IN (
	SELECT COALESCE(
		(SELECT x.id FROM course_sessions x WHERE x.course_id = c.id AND x.starts_at > ? AND x.starts_at < ? AND x.taken < x.seats
			ORDER BY x.starts_at, x.id LIMIT 1),
		(SELECT x.id FROM course_sessions x WHERE x.course_id = c.id AND x.starts_at > ? AND x.starts_at < ?
			ORDER BY x.starts_at, x.id LIMIT 1))
	FROM courses c WHERE c.site_id = ? AND c.archived_at IS NULL AND c.audience = 'members')
ORDER BY starts_at, id LIMIT 100`, now, until.Unix(), now, until.Unix(), siteID).Scan(&ss).Error
	if err != nil {
		return nil, err
	}
	return s.sessionViews(ctx, ss)
}

// UpcomingSessions lists the sessions of a site's courses that start
// between now and until, earliest first.
func (s *Store) UpcomingSessions(ctx context.Context, siteID int64, until time.Time) ([]SessionView, error) {
	var ss []CourseSession
	err := s.R.WithContext(ctx).Table("course_sessions").Select("course_sessions.*").
		Joins("JOIN courses ON courses.id = course_sessions.course_id").
		Where("courses.site_id = ? AND courses.archived_at IS NULL AND course_sessions.starts_at > ? AND course_sessions.starts_at < ?",
			siteID, s.Now().Unix(), until.Unix()).
		Order("course_sessions.starts_at").Limit(200).Find(&ss).Error
	if err != nil {
		return nil, err
	}
	return s.sessionViews(ctx, ss)
}

func (s *Store) sessionViews(ctx context.Context, ss []CourseSession) ([]SessionView, error) {
	ids := map[int64]bool{}
	for _, x := range ss {
		ids[x.CourseID] = true
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	byID, err := s.coursesByID(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make([]SessionView, len(ss))
	for i, x := range ss {
		out[i] = SessionView{CourseSession: x, Course: byID[x.CourseID]}
	}
	return out, nil
}

// setMark sets mark anew in tx, before it locks a row of the mark's
// tables with lockRow: the writes' triggers take the mark's lock first,
// and a transaction that locked such a row before it could wait for one
// that holds the mark and waits for that row.
func setMark(tx *gorm.DB, m changeMark) error {
	return tx.Exec(m.setSQL(tx.Dialector.Name())).Error
}

// lockRow adds FOR UPDATE on PostgreSQL; SQLite's single writer already
// serialises the transaction.
func lockRow(tx *gorm.DB, dialect string) *gorm.DB {
	if dialect == "postgres" {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

// EnrolInput asks for a seat in a session (for a series: in every session
// still to come).
type EnrolInput struct {
	SessionID int64
	MemberID  int64
	By        *int64
	// Wait puts the member on the waiting list when the session is full;
	// without it a full session is ErrSessionFull.
	Wait bool
	// TandemID enrols a tandem: MemberID is its mentee (see EnrolTandem).
	TandemID *int64
}

// Enrol gives the member a seat, or a place on the waiting list, and says
// which. Seats are taken with a conditional update inside the transaction:
// never more enrolments than seats, however many press at once.
func (s *Store) Enrol(ctx context.Context, in EnrolInput) (EnrolmentStatus, error) {
	var status EnrolmentStatus
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		var first CourseSession
		if err := tx.Take(&first, in.SessionID).Error; err != nil {
			return notFound(err)
		}
		if first.StartsAt <= now.Unix() {
			return ErrSessionStarted
		}
		var course Course
		if err := tx.Take(&course, first.CourseID).Error; err != nil {
			return err
		}
		if err := lockMember(tx, s.Dialect, in.MemberID); err != nil {
			return err
		}
		var cards int64
		if err := tx.Model(&Card{}).Where("member_id = ? AND revoked_at IS NULL", in.MemberID).Count(&cards).Error; err != nil {
			return err
		}
		if cards == 0 {
			return ErrNoActiveCard
		}
		targets := []CourseSession{first}
		if course.Kind == CourseSeries {
			targets = nil
			if err := tx.Where("course_id = ? AND starts_at > ?", course.ID, now.Unix()).Order("starts_at").Find(&targets).Error; err != nil {
				return err
			}
		}
		ids := make([]int64, len(targets))
		for i, t := range targets {
			ids[i] = t.ID
		}
		var dup int64
		if err := tx.Model(&Enrolment{}).Where("session_id IN ? AND member_id = ? AND status IN ?", ids, in.MemberID,
			[]EnrolmentStatus{Enrolled, Waiting}).Count(&dup).Error; err != nil {
			return err
		}
		if dup > 0 {
			return ErrAlreadyEnrolled
		}
		status = Enrolled
		var got []int64
		for _, t := range targets {
			res := tx.Model(&CourseSession{}).Where("id = ? AND taken < seats", t.ID).Update("taken", gorm.Expr("taken + 1"))
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				status = Waiting
				break
			}
			got = append(got, t.ID)
		}
		if status == Waiting {
			if !in.Wait {
				return ErrSessionFull
			}
			// A series is all or nothing: give back the seats taken.
			if len(got) > 0 {
				if err := tx.Model(&CourseSession{}).Where("id IN ?", got).Update("taken", gorm.Expr("taken - 1")).Error; err != nil {
					return err
				}
			}
		}
		for _, t := range targets {
			e := &Enrolment{SessionID: t.ID, MemberID: in.MemberID, Status: status, CreatedAt: now, CreatedBy: in.By, TandemID: in.TandemID}
			if err := tx.Create(e).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return ErrAlreadyEnrolled
				}
				return err
			}
		}
		return nil
	})
	return status, err
}

// CancelEnrolment gives up a seat or a waiting-list place; for a series,
// in every session still to come. A freed seat goes at once to the first
// on the waiting list. A member may cancel only their own (memberID);
// staff pass 0.
func (s *Store) CancelEnrolment(ctx context.Context, id, memberID int64) error {
	var sessions []int64
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		var e Enrolment
		q := tx.Where("id = ? AND status IN ?", id, []EnrolmentStatus{Enrolled, Waiting})
		if memberID != 0 {
			q = q.Where("member_id = ?", memberID)
		}
		if err := q.Take(&e).Error; err != nil {
			return notFound(err)
		}
		var sess CourseSession
		if err := tx.Take(&sess, e.SessionID).Error; err != nil {
			return err
		}
		var course Course
		if err := tx.Take(&course, sess.CourseID).Error; err != nil {
			return err
		}
		all := []Enrolment{e}
		if course.Kind == CourseSeries {
			all = nil
			if err := tx.Table("enrolments").Select("enrolments.*").
				Joins("JOIN course_sessions ON course_sessions.id = enrolments.session_id").
				Where("course_sessions.course_id = ? AND course_sessions.starts_at > ? AND enrolments.member_id = ? AND enrolments.status IN ?",
					course.ID, now.Unix(), e.MemberID, []EnrolmentStatus{Enrolled, Waiting}).Find(&all).Error; err != nil {
				return err
			}
		}
		for _, x := range all {
			res := tx.Model(&Enrolment{}).Where("id = ? AND status = ?", x.ID, x.Status).
				Updates(map[string]any{"status": EnrolCancelled, "closed_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 && x.Status == Enrolled {
				if err := tx.Model(&CourseSession{}).Where("id = ?", x.SessionID).Update("taken", gorm.Expr("taken - 1")).Error; err != nil {
					return err
				}
				sessions = append(sessions, x.SessionID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, sid := range sessions {
		if err := s.fillSeats(ctx, sid); err != nil {
			return err
		}
	}
	return nil
}

// fillSeats gives the free seats of a session that has not started to the
// waiting list, first come first served. Each promotion takes a seat with
// the same conditional update as an enrolment, so it is safe to run from
// several places at once.
func (s *Store) fillSeats(ctx context.Context, sessionID int64) error {
	for {
		promoted := false
		err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var next Enrolment
			err := tx.Where("session_id = ? AND status = ?", sessionID, Waiting).Order("id").Take(&next).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			res := tx.Model(&CourseSession{}).Where("id = ? AND taken < seats AND starts_at > ?", sessionID, s.Now().Unix()).
				Update("taken", gorm.Expr("taken + 1"))
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			res = tx.Model(&Enrolment{}).Where("id = ? AND status = ?", next.ID, Waiting).
				Updates(map[string]any{"status": Enrolled, "promoted_at": s.Now()})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return errRetry // someone else moved them; give the seat back by rolling back
			}
			promoted = true
			return nil
		})
		if errors.Is(err, errRetry) {
			continue
		}
		if err != nil || !promoted {
			return err
		}
	}
}

var errRetry = errors.New("retry")

// MemberEnrolment is a member's enrolment with its session and course.
type MemberEnrolment struct {
	Enrolment
	Session SessionView
}

// UpcomingEnrolments lists a member's seats and waiting-list places in
// sessions that have not ended.
func (s *Store) UpcomingEnrolments(ctx context.Context, memberID int64) ([]MemberEnrolment, error) {
	return s.memberEnrolments(ctx, "enrolments.member_id = ? AND enrolments.status IN ? AND course_sessions.ends_at > ?",
		memberID, []EnrolmentStatus{Enrolled, Waiting}, s.Now().Unix())
}

// UpcomingEnrolmentsAt lists a member's seats and waiting-list places in
// sessions at a site that have not ended.
func (s *Store) UpcomingEnrolmentsAt(ctx context.Context, memberID, siteID int64) ([]MemberEnrolment, error) {
	return s.memberEnrolments(ctx, "enrolments.member_id = ? AND enrolments.status IN ? AND course_sessions.ends_at > ? AND "+sessionAtSite,
		memberID, []EnrolmentStatus{Enrolled, Waiting}, s.Now().Unix(), siteID)
}

// sessionAtSite keeps the sessions of a site's courses, in a query that
// joins course_sessions.
const sessionAtSite = "course_sessions.course_id IN (SELECT id FROM courses WHERE site_id = ?)"

// NewPlaces lists the seats a member got from the waiting list and has
// not yet been told about at the kiosk.
func (s *Store) NewPlaces(ctx context.Context, memberID int64) ([]MemberEnrolment, error) {
	return s.memberEnrolments(ctx, "enrolments.member_id = ? AND enrolments.status = ? AND enrolments.promoted_at IS NOT NULL AND enrolments.seen_at IS NULL AND course_sessions.ends_at > ?",
		memberID, Enrolled, s.Now().Unix())
}

// MarkPlacesSeen records that the member saw their new places.
func (s *Store) MarkPlacesSeen(ctx context.Context, memberID int64) error {
	var ids []int64
	if err := s.R.WithContext(ctx).Model(&Enrolment{}).
		Where("member_id = ? AND status = ? AND promoted_at IS NOT NULL AND seen_at IS NULL", memberID, Enrolled).
		Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
		return err
	}
	return s.W.WithContext(ctx).Model(&Enrolment{}).Where("id IN ? AND seen_at IS NULL", ids).Update("seen_at", s.Now()).Error
}

// Enrolment loads one enrolment.
func (s *Store) Enrolment(ctx context.Context, id int64) (*Enrolment, error) {
	var e Enrolment
	if err := s.R.WithContext(ctx).Take(&e, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &e, nil
}

// memberEnrolments lists the enrolments where holds (a condition on
// enrolments and course_sessions), earliest session first, with their
// sessions and courses. The statements are written out (Raw): GORM's
// chain built them anew on every call of the kiosk's "my bookings".
func (s *Store) memberEnrolments(ctx context.Context, where string, args ...any) ([]MemberEnrolment, error) {
	var es []Enrolment
	if err := s.R.WithContext(ctx).Raw(`SELECT enrolments.* FROM enrolments
		JOIN course_sessions ON course_sessions.id = enrolments.session_id
		WHERE `+where+` ORDER BY course_sessions.starts_at`, args...).Scan(&es).Error; err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.SessionID
	}
	var ss []CourseSession
	if err := s.R.WithContext(ctx).Raw(`SELECT * FROM course_sessions WHERE id IN ?`, ids).Scan(&ss).Error; err != nil {
		return nil, err
	}
	views, err := s.sessionViews(ctx, ss)
	if err != nil {
		return nil, err
	}
	byID := map[int64]SessionView{}
	for _, v := range views {
		byID[v.ID] = v
	}
	out := make([]MemberEnrolment, len(es))
	for i, e := range es {
		out[i] = MemberEnrolment{Enrolment: e, Session: byID[e.SessionID]}
	}
	return out, nil
}

// markCourseAttendance is part of a check-in: a member enrolled in a
// session of this site that is on (from a quarter of an hour before its
// start) is present.
func markCourseAttendance(tx *gorm.DB, v *Visit) error {
	now := v.CheckedInAt.Unix()
	sub := tx.Session(&gorm.Session{NewDB: true}).Table("course_sessions").Select("course_sessions.id").
		Joins("JOIN courses ON courses.id = course_sessions.course_id").
		Where("courses.site_id = ? AND course_sessions.starts_at <= ? AND course_sessions.ends_at > ?", v.SiteID, now+int64(RollCallOpens/time.Second), now)
	var ids []int64
	if err := tx.Model(&Enrolment{}).
		Where("member_id = ? AND status = ? AND attended_at IS NULL AND session_id IN (?)", v.MemberID, Enrolled, sub).
		Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
		return err
	}
	return tx.Model(&Enrolment{}).Where("id IN ?", ids).Update("attended_at", v.CheckedInAt).Error
}

// SetAttended records the roll call for one enrolment: present, or not
// (absent). See SetRoll.
func (s *Store) SetAttended(ctx context.Context, enrolmentID int64, present bool) error {
	if present {
		return s.SetRoll(ctx, enrolmentID, RollPresent)
	}
	return s.SetRoll(ctx, enrolmentID, RollAbsent)
}

// AddWalkIn records a member who came to a session without enrolling: they
// are present, and take a seat even past the count, because they are there.
// Like the roll call, it is refused with ErrRollNotOpen before the session
// is on.
func (s *Store) AddWalkIn(ctx context.Context, sessionID, memberID int64, by *int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		var sess CourseSession
		if err := tx.Take(&sess, sessionID).Error; err != nil {
			return notFound(err)
		}
		if !RollCallOpen(sess, now) {
			return ErrRollNotOpen
		}
		var e Enrolment
		err := tx.Where("session_id = ? AND member_id = ? AND status IN ?", sessionID, memberID, []EnrolmentStatus{Enrolled, Waiting}).Take(&e).Error
		switch {
		case err == nil && e.Status == Enrolled:
			return tx.Model(&Enrolment{}).Where("id = ?", e.ID).Updates(map[string]any{"attended_at": now, "excused_at": nil}).Error
		case err == nil: // on the waiting list, and here after all
			if err := tx.Model(&Enrolment{}).Where("id = ?", e.ID).Updates(map[string]any{"status": Enrolled, "attended_at": now, "excused_at": nil}).Error; err != nil {
				return err
			}
		case errors.Is(err, gorm.ErrRecordNotFound):
			if err := tx.Create(&Enrolment{SessionID: sessionID, MemberID: memberID, Status: Enrolled, CreatedAt: now, CreatedBy: by, AttendedAt: &now}).Error; err != nil {
				return err
			}
		default:
			return err
		}
		return tx.Model(&CourseSession{}).Where("id = ?", sessionID).Update("taken", gorm.Expr("taken + 1")).Error
	})
}

// PendingRating is the most recent session the member attended, that has
// ended, and that they have not rated (or skipped) yet; nil when none.
func (s *Store) PendingRating(ctx context.Context, memberID int64) (*SessionView, error) {
	var ss []CourseSession
	err := s.R.WithContext(ctx).Table("course_sessions").Select("course_sessions.*").
		Joins("JOIN enrolments ON enrolments.session_id = course_sessions.id").
		Joins("LEFT JOIN ratings ON ratings.session_id = course_sessions.id AND ratings.member_id = enrolments.member_id").
		Where("enrolments.member_id = ? AND enrolments.attended_at IS NOT NULL AND course_sessions.ends_at <= ? AND ratings.session_id IS NULL",
			memberID, s.Now().Unix()).
		Order("course_sessions.ends_at DESC").Limit(1).Find(&ss).Error
	if err != nil || len(ss) == 0 {
		return nil, err
	}
	vs, err := s.sessionViews(ctx, ss)
	if err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// Rate stores a member's smiley (1–4, or 0 for "skip") for a session they
// attended. The first answer counts; later ones change nothing.
func (s *Store) Rate(ctx context.Context, sessionID, memberID int64, score int) error {
	if score < 0 || score > 4 {
		return &FieldError{"score", "out_of_range"}
	}
	var attended int64
	if err := s.R.WithContext(ctx).Model(&Enrolment{}).
		Where("session_id = ? AND member_id = ? AND attended_at IS NOT NULL", sessionID, memberID).Count(&attended).Error; err != nil {
		return err
	}
	if attended == 0 {
		return ErrNotFound
	}
	return s.W.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Rating{SessionID: sessionID, MemberID: memberID, Score: score, CreatedAt: s.Now()}).Error
}

// SessionRatings counts the smileys of a session: index 1–4 by face, 0
// the skips.
func (s *Store) SessionRatings(ctx context.Context, sessionID int64) ([5]int, error) {
	var out [5]int
	var rows []struct {
		Score int
		N     int
	}
	err := s.R.WithContext(ctx).Model(&Rating{}).Select("score, COUNT(*) AS n").
		Where("session_id = ?", sessionID).Group("score").Scan(&rows).Error
	for _, r := range rows {
		if r.Score >= 0 && r.Score <= 4 {
			out[r.Score] = r.N
		}
	}
	return out, err
}

// MemberAttendance lists every session at a site a member was enrolled
// in, with whether they came, newest first, for the team meeting.
func (s *Store) MemberAttendance(ctx context.Context, memberID, siteID int64) ([]MemberEnrolment, error) {
	return s.memberEnrolments(ctx, "enrolments.member_id = ? AND enrolments.status = ? AND course_sessions.starts_at <= ? AND "+sessionAtSite,
		memberID, Enrolled, s.Now().Unix(), siteID)
}

// WaitingCounts counts the waiting list of each session.
func (s *Store) WaitingCounts(ctx context.Context, sessionIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(sessionIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SessionID int64
		N         int
	}
	err := s.R.WithContext(ctx).Model(&Enrolment{}).Select("session_id, COUNT(*) AS n").
		Where("session_id IN ? AND status = ?", sessionIDs, Waiting).Group("session_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.SessionID] = r.N
	}
	return out, err
}

// Promotion is a member who moved up from a waiting list.
type Promotion struct {
	Nickname  string
	MemberID  int64
	SessionID int64
	StartsAt  int64
	CourseID  int64
	At        time.Time
}

// RecentPromotions lists who moved up from a waiting list since a time,
// for the dashboard.
func (s *Store) RecentPromotions(ctx context.Context, siteID int64, since time.Time) ([]Promotion, error) {
	var ps []Promotion
	err := s.R.WithContext(ctx).Table("enrolments").
		Select("members.nickname, enrolments.member_id, enrolments.session_id, course_sessions.starts_at, course_sessions.course_id, enrolments.promoted_at AS at").
		Joins("JOIN members ON members.id = enrolments.member_id").
		Joins("JOIN course_sessions ON course_sessions.id = enrolments.session_id").
		Joins("JOIN courses ON courses.id = course_sessions.course_id").
		Where("courses.site_id = ? AND enrolments.status = ? AND enrolments.promoted_at >= ?", siteID, Enrolled, since).
		Order("enrolments.promoted_at DESC").Limit(50).Scan(&ps).Error
	return ps, err
}
