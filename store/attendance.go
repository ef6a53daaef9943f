package store

import (
	"context"
	"errors"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Courses as a programme runs them: sessions added as a weekly series in
// one step, a roll call that opens when the session does (present,
// absent, excused), and the attendance review of the team meeting — a
// grid of participants × sessions per course, with absences in a row and
// a staff-only note per participant.

// RollCallOpens is how long before its start a session's roll call opens:
// the moment a check-in at the desk starts counting as present, so that
// people who come early can be marked as they arrive.
const RollCallOpens = 15 * time.Minute

// ErrRollNotOpen refuses a roll call (or a walk-in) for a session that
// has not started yet.
var ErrRollNotOpen = errors.New("the session has not started: no roll call yet")

// RollCallOpen reports whether the roll of a session may be called at now.
func RollCallOpen(s CourseSession, now time.Time) bool {
	return s.StartsAt <= now.Add(RollCallOpens).Unix()
}

// RollMark is what the roll call records for an enrolled member.
type RollMark string

// Roll call marks.
const (
	RollPresent RollMark = "present"
	RollAbsent  RollMark = "absent"
	RollExcused RollMark = "excused" // absent, and let us know
)

// SetRoll records the roll call for one enrolment. It is refused with
// ErrRollNotOpen for a session that has not started (see RollCallOpens);
// an enrolment that is not a seat is ErrNotFound.
func (s *Store) SetRoll(ctx context.Context, enrolmentID int64, mark RollMark) error {
	now := s.Now()
	upd := map[string]any{}
	switch mark {
	case RollPresent:
		upd["attended_at"], upd["excused_at"] = now, nil
	case RollAbsent:
		upd["attended_at"], upd["excused_at"] = nil, nil
	case RollExcused:
		upd["attended_at"], upd["excused_at"] = nil, now
	default:
		return &FieldError{"mark", "bad_choice"}
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e Enrolment
		if err := tx.Where("id = ? AND status = ?", enrolmentID, Enrolled).Take(&e).Error; err != nil {
			return notFound(err)
		}
		var sess CourseSession
		if err := tx.Take(&sess, e.SessionID).Error; err != nil {
			return notFound(err)
		}
		if !RollCallOpen(sess, now) {
			return ErrRollNotOpen
		}
		return tx.Model(&Enrolment{}).Where("id = ?", e.ID).Updates(upd).Error
	})
}

// MaxSessionsAtOnce is how many sessions a repeat may make in one step.
const MaxSessionsAtOnce = 60

// SessionRepeat is a weekly series of sessions: every week on a weekday,
// from a first day for a number of weeks, or until a day, leaving out the
// days to skip (a holiday). Days are dates in the site's time zone (Loc);
// each session starts and ends at the same clock time that day.
type SessionRepeat struct {
	From    time.Time // the first day the series may start on
	Weekday time.Weekday
	Weeks   int       // for this many weeks, or
	Until   time.Time // until this day (included); zero when Weeks is set
	Skip    []time.Time
	// Start and End are the clock times, as minutes after midnight.
	Start, End int
	Loc        *time.Location
	Place      string
	Seats      int
	// FacilitatorID leads every session, when set.
	FacilitatorID *int64
}

// Plan lists the sessions a repeat makes, and the days it skips. It is
// refused with a FieldError when the series is empty, too long (more than
// MaxSessionsAtOnce), ends before it starts, or skips a day that is not
// one of its own.
func (r SessionRepeat) Plan() (sessions []SessionInput, skipped []time.Time, err error) {
	loc := r.Loc
	if loc == nil {
		loc = time.UTC
	}
	if r.From.IsZero() {
		return nil, nil, &FieldError{"date", "required"}
	}
	if r.Weekday < time.Sunday || r.Weekday > time.Saturday {
		return nil, nil, &FieldError{"weekday", "bad_choice"}
	}
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	first := day(r.From)
	for first.Weekday() != r.Weekday {
		first = first.AddDate(0, 0, 1)
	}
	var days []time.Time
	switch {
	case r.Weeks != 0 && !r.Until.IsZero():
		return nil, nil, &FieldError{"until", "weeks_or_until"}
	case r.Weeks != 0:
		if r.Weeks < 1 || r.Weeks > MaxSessionsAtOnce {
			return nil, nil, &FieldError{"weeks", "repeat_range"}
		}
		for i := 0; i < r.Weeks; i++ {
			days = append(days, first.AddDate(0, 0, 7*i))
		}
	case !r.Until.IsZero():
		until := day(r.Until)
		if until.Before(first) {
			return nil, nil, &FieldError{"until", "before_start"}
		}
		for d := first; !d.After(until); d = d.AddDate(0, 0, 7) {
			if len(days) == MaxSessionsAtOnce+len(r.Skip) {
				return nil, nil, &FieldError{"until", "repeat_range"}
			}
			days = append(days, d)
		}
	default:
		return nil, nil, &FieldError{"weeks", "required"}
	}
	skip := map[string]bool{}
	for _, d := range r.Skip {
		key := day(d).Format(time.DateOnly)
		found := false
		for _, x := range days {
			found = found || x.Format(time.DateOnly) == key
		}
		if !found {
			return nil, nil, &FieldError{"skip", "not_a_session_day"}
		}
		skip[key] = true
	}
	for _, d := range days {
		if skip[d.Format(time.DateOnly)] {
			skipped = append(skipped, d)
			continue
		}
		at := func(min int) time.Time {
			return time.Date(d.Year(), d.Month(), d.Day(), min/60, min%60, 0, 0, loc)
		}
		in := SessionInput{Start: at(r.Start), End: at(r.End), Place: r.Place, Seats: r.Seats, FacilitatorID: r.FacilitatorID}
		if in, err = in.clean(); err != nil {
			return nil, nil, err
		}
		sessions = append(sessions, in)
	}
	if len(sessions) == 0 {
		return nil, nil, &FieldError{"skip", "nothing_left"}
	}
	if len(sessions) > MaxSessionsAtOnce {
		return nil, nil, &FieldError{"until", "repeat_range"}
	}
	return sessions, skipped, nil
}

// AddSessions adds several sessions to a course in one transaction: all of
// them, or none.
func (s *Store) AddSessions(ctx context.Context, courseID int64, ins []SessionInput) ([]CourseSession, error) {
	if len(ins) == 0 || len(ins) > MaxSessionsAtOnce {
		return nil, &FieldError{"weeks", "repeat_range"}
	}
	out := make([]CourseSession, len(ins))
	for i, in := range ins {
		in, err := in.clean()
		if err != nil {
			return nil, err
		}
		out[i] = CourseSession{CourseID: courseID, StartsAt: in.Start.Unix(), EndsAt: in.End.Unix(), Place: in.Place,
			Seats: in.Seats, FacilitatorID: in.FacilitatorID}
	}
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Course{}).Where("id = ?", courseID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		for i := range out {
			if err := tx.Create(&out[i]).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AttendanceCell is where one participant stands at one session.
type AttendanceCell string

// Attendance cells.
const (
	CellNone     AttendanceCell = ""         // not enrolled in this session
	CellPresent  AttendanceCell = "present"  // came
	CellAbsent   AttendanceCell = "absent"   // enrolled, the session is on or over, did not come
	CellExcused  AttendanceCell = "excused"  // did not come, and let us know
	CellUpcoming AttendanceCell = "upcoming" // enrolled, the roll call is not open yet
)

// AbsentRun is how many absences in a row the review highlights.
const AbsentRun = 2

// AttendanceRow is one participant of a course in the review.
type AttendanceRow struct {
	MemberID int64
	Nickname string
	Cells    []AttendanceCell // one per session of the grid
	// InRun marks the cells that are part of AbsentRun or more absences
	// in a row (counting only the sessions the member was enrolled in;
	// present or excused ends a run).
	InRun                    []bool
	Present, Absent, Excused int
	LongestRun               int // the most absences in a row
	Note                     string
	NoteUpdatedAt            *time.Time
	Flagged                  bool // LongestRun ≥ AbsentRun
}

// AttendanceGrid is one course's participants × sessions over a period.
type AttendanceGrid struct {
	Course   Course
	Sessions []CourseSession
	Rows     []AttendanceRow
}

// AttendanceNote is a staff-only note about a participant of a course,
// for the team meeting.
type AttendanceNote struct {
	CourseID  int64 `gorm:"primaryKey"`
	MemberID  int64 `gorm:"primaryKey"`
	Note      string
	UpdatedAt time.Time
	UpdatedBy *int64
}

// Attendance builds the attendance review of a site's courses for the
// sessions that start in [from, to): one grid per course that has a
// session then (courseID 0: every course of the site; else that course,
// which must be the site's). Participants are the members with a seat in
// at least one of those sessions, by nickname; members erased on their
// request are left out.
func (s *Store) Attendance(ctx context.Context, siteID, courseID int64, from, to time.Time) ([]AttendanceGrid, error) {
	db := s.R.WithContext(ctx)
	q := db.Table("course_sessions").Select("course_sessions.*").
		Joins("JOIN courses ON courses.id = course_sessions.course_id").
		Where("courses.site_id = ? AND course_sessions.starts_at >= ? AND course_sessions.starts_at < ?", siteID, from.Unix(), to.Unix())
	if courseID != 0 {
		q = q.Where("courses.id = ?", courseID)
	}
	var ss []CourseSession
	if err := q.Order("course_sessions.starts_at, course_sessions.id").Limit(5000).Find(&ss).Error; err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, nil
	}
	sessIDs := make([]int64, len(ss))
	courseIDs := []int64{}
	seenCourse := map[int64]bool{}
	for i, x := range ss {
		sessIDs[i] = x.ID
		if !seenCourse[x.CourseID] {
			seenCourse[x.CourseID] = true
			courseIDs = append(courseIDs, x.CourseID)
		}
	}
	courses, err := s.coursesByID(ctx, courseIDs)
	if err != nil {
		return nil, err
	}
	type enrolRow struct {
		SessionID  int64
		MemberID   int64
		Nickname   string
		ErasedAt   *time.Time
		AttendedAt *time.Time
		ExcusedAt  *time.Time
	}
	var es []enrolRow
	for start := 0; start < len(sessIDs); start += 500 {
		var part []enrolRow
		if err := db.Table("enrolments").
			Select("enrolments.session_id, enrolments.member_id, members.nickname, members.erased_at, enrolments.attended_at, enrolments.excused_at").
			Joins("JOIN members ON members.id = enrolments.member_id").
			Where("enrolments.session_id IN ? AND enrolments.status = ?", sessIDs[start:min(start+500, len(sessIDs))], Enrolled).
			Scan(&part).Error; err != nil {
			return nil, err
		}
		es = append(es, part...)
	}
	var notes []AttendanceNote
	if err := db.Where("course_id IN ?", courseIDs).Find(&notes).Error; err != nil {
		return nil, err
	}
	now := s.Now()
	grids := make([]AttendanceGrid, 0, len(courses))
	for _, cid := range courseIDs {
		g := AttendanceGrid{Course: courses[cid]}
		col := map[int64]int{}
		for _, x := range ss {
			if x.CourseID == cid {
				col[x.ID] = len(g.Sessions)
				g.Sessions = append(g.Sessions, x)
			}
		}
		rows := map[int64]*AttendanceRow{}
		for _, e := range es {
			i, ok := col[e.SessionID]
			if !ok || e.ErasedAt != nil {
				continue
			}
			r := rows[e.MemberID]
			if r == nil {
				r = &AttendanceRow{MemberID: e.MemberID, Nickname: e.Nickname, Cells: make([]AttendanceCell, len(g.Sessions)),
					InRun: make([]bool, len(g.Sessions))}
				rows[e.MemberID] = r
			}
			switch {
			case e.AttendedAt != nil:
				r.Cells[i] = CellPresent
			case !RollCallOpen(g.Sessions[i], now):
				r.Cells[i] = CellUpcoming
			case e.ExcusedAt != nil:
				r.Cells[i] = CellExcused
			default:
				r.Cells[i] = CellAbsent
			}
		}
		for _, n := range notes {
			if r := rows[n.MemberID]; r != nil && n.CourseID == cid {
				r.Note, r.NoteUpdatedAt = n.Note, &n.UpdatedAt
			}
		}
		for _, r := range rows {
			r.count()
			g.Rows = append(g.Rows, *r)
		}
		sort.Slice(g.Rows, func(a, b int) bool {
			fa, fb := Fold(g.Rows[a].Nickname), Fold(g.Rows[b].Nickname)
			if fa != fb {
				return fa < fb
			}
			return g.Rows[a].MemberID < g.Rows[b].MemberID
		})
		grids = append(grids, g)
	}
	sort.SliceStable(grids, func(a, b int) bool {
		return Fold(grids[a].Course.Name("nl")) < Fold(grids[b].Course.Name("nl"))
	})
	return grids, nil
}

// count sums a row and finds its absences in a row: consecutive absent
// cells, skipping the sessions the member was not enrolled in; a present
// or excused cell ends a run.
func (r *AttendanceRow) count() {
	run := []int{}
	flush := func() {
		if len(run) >= AbsentRun {
			for _, i := range run {
				r.InRun[i] = true
			}
		}
		r.LongestRun = max(r.LongestRun, len(run))
		run = run[:0]
	}
	for i, c := range r.Cells {
		switch c {
		case CellPresent:
			r.Present++
			flush()
		case CellExcused:
			r.Excused++
			flush()
		case CellAbsent:
			r.Absent++
			run = append(run, i)
		}
	}
	flush()
	r.Flagged = r.LongestRun >= AbsentRun
}

// IsParticipant reports whether a member had a seat in a session of a
// course: whom a course's attendance note may be about.
func (s *Store) IsParticipant(ctx context.Context, courseID, memberID int64) (bool, error) {
	var n int64
	err := s.R.WithContext(ctx).Table("enrolments").
		Joins("JOIN course_sessions ON course_sessions.id = enrolments.session_id").
		Where("course_sessions.course_id = ? AND enrolments.member_id = ? AND enrolments.status = ?", courseID, memberID, Enrolled).
		Count(&n).Error
	return n > 0, err
}

// SetAttendanceNote keeps (or, empty, removes) the staff-only note about a
// participant of a course. A member who never had a seat in the course is
// ErrNotFound.
func (s *Store) SetAttendanceNote(ctx context.Context, courseID, memberID int64, note string, by *int64) error {
	note, err := cleanLines("note", note, 1000)
	if err != nil {
		return err
	}
	ok, err := s.IsParticipant(ctx, courseID, memberID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	db := s.W.WithContext(ctx)
	if note == "" {
		return db.Where("course_id = ? AND member_id = ?", courseID, memberID).Delete(&AttendanceNote{}).Error
	}
	return db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "course_id"}, {Name: "member_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"note", "updated_at", "updated_by"}),
	}).Create(&AttendanceNote{CourseID: courseID, MemberID: memberID, Note: note, UpdatedAt: s.Now(), UpdatedBy: by}).Error
}

// EraseAttendanceNotes removes the notes about a member, in tx: their
// erasure (EraseMember) must take these staff words with it.
func EraseAttendanceNotes(tx *gorm.DB, memberID int64) error {
	return tx.Where("member_id = ?", memberID).Delete(&AttendanceNote{}).Error
}
