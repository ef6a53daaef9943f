package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LabMode says how the lab's seats are given out.
type LabMode string

// Lab modes, as public-PC systems offer them.
const (
	LabBoth        LabMode = "both"        // reservations, and walk-ins on free seats
	LabReservation LabMode = "reservation" // reservations only
	LabWalkIn      LabMode = "walkin"      // walk-ins only: nothing to book
)

// Lab is a site's computer lab: its seats and its booking rules.
type Lab struct {
	SiteID       int64 `gorm:"primaryKey"`
	Seats        int
	SlotMinutes  int
	HorizonDays  int // how many days ahead a visitor may book
	MaxBookings  int // upcoming bookings one member may hold
	Mode         LabMode
	GraceMinutes int // a booking not attended this long after its start is released
}

// DefaultLab is the configuration of a lab nobody has set up yet.
func DefaultLab(siteID int64) Lab {
	return Lab{SiteID: siteID, Seats: 8, SlotMinutes: 60, HorizonDays: 7, MaxBookings: 2, Mode: LabBoth, GraceMinutes: 15}
}

// LabHours is one opening period on a weekday, in minutes after midnight
// local time (Sunday is 0, as in time.Weekday).
type LabHours struct {
	ID      int64
	SiteID  int64
	Weekday int
	Opens   int
	Closes  int
}

// TableName keeps GORM from pluralising "hours".
func (LabHours) TableName() string { return "lab_hours" }

// LabClosure is a day the lab is closed: a holiday, a day it hosts a course.
type LabClosure struct {
	ID     int64
	SiteID int64
	Day    string // YYYY-MM-DD, local
	Reason string
}

// LabSlot counts the seats taken and blocked in one slot.
type LabSlot struct {
	SiteID   int64 `gorm:"primaryKey"`
	StartsAt int64 `gorm:"primaryKey"` // unix seconds
	Taken    int
	Blocked  int
}

// BookingStatus is where a lab booking stands.
type BookingStatus string

// Booking states.
const (
	BookingBooked    BookingStatus = "booked"
	BookingAttended  BookingStatus = "attended"
	BookingCancelled BookingStatus = "cancelled"
	BookingNoShow    BookingStatus = "no_show" // released after the grace time
)

// Booking is a member's seat in one lab slot. Times are unix seconds so
// that a slot is the same key on every database.
type Booking struct {
	ID         int64
	SiteID     int64
	MemberID   int64
	StartsAt   int64
	EndsAt     int64
	Status     BookingStatus
	CreatedAt  time.Time
	CreatedBy  *int64
	AttendedAt *time.Time
	ClosedAt   *time.Time
}

// Start and End as times.
func (b Booking) Start() time.Time { return time.Unix(b.StartsAt, 0).UTC() }

// End is when the booked slot ends.
func (b Booking) End() time.Time { return time.Unix(b.EndsAt, 0).UTC() }

// Why a booking is refused. Each has its own message for the visitor.
var (
	ErrSlotFull        = errors.New("slot full")
	ErrSlotPast        = errors.New("slot in the past")
	ErrBeyondHorizon   = errors.New("beyond booking horizon")
	ErrNotOpen         = errors.New("lab not open then")
	ErrTooManyBookings = errors.New("too many bookings")
	ErrAlreadyBooked   = errors.New("already booked")
	ErrNoActiveCard    = errors.New("no active card")
	ErrNotBookable     = errors.New("lab takes no reservations")
)

// Lab reads a site's lab configuration, or the defaults.
func (s *Store) Lab(ctx context.Context, siteID int64) (Lab, error) {
	conf, err := s.labConf(ctx, siteID)
	return conf.lab, err
}

// Keys of the lab's cache (markcache.go).
type (
	labConfKey int64
	labDaysKey struct {
		site  int64
		tz    string
		first string // the first local day
		n     int
	}
)

// labConf is labConfIn through the lab's cache.
func (s *Store) labConf(ctx context.Context, siteID int64) (labConfig, error) {
	return cachedRead(ctx, s, &s.labCache, labConfKey(siteID), nil, func() (labConfig, error) {
		return labConfIn(s.R.WithContext(ctx), siteID)
	})
}

// labConfig is a lab's settings and weekly hours: every slot page needs
// them. The lab's pages keep them, and the slots' seats, only while the
// lab's change mark stays the same (markcache.go): servers sharing one
// database see a change made on any of them at their next page (issue 9).
// A booking reads them anew in its own transaction. One indexed query
// reads both.
type labConfig struct {
	lab   Lab
	hours []LabHours
}

// labConfQuery reads the lab row (or nothing) and its weekly hours in one
// statement, so settings and hours come from one snapshot and one round
// trip. The literal one-row table keeps a row for the hours even when the
// lab was never saved; a row with NULL hours means no hours. The CAST lets
// PostgreSQL type the parameter.
const labConfQuery = `SELECT l.seats, l.slot_minutes, l.horizon_days, l.max_bookings, l.mode, l.grace_minutes,
	h.id, h.weekday, h.opens, h.closes
FROM (SELECT CAST(? AS BIGINT) AS site_id) k
LEFT JOIN labs l ON l.site_id = k.site_id
LEFT JOIN lab_hours h ON h.site_id = k.site_id
ORDER BY h.weekday, h.opens, h.id`

// labConfIn reads a site's labConfig through db, which may be a
// transaction: a booking decides on the settings its own transaction sees.
func labConfIn(db *gorm.DB, siteID int64) (labConfig, error) {
	c := labConfig{lab: DefaultLab(siteID)}
	rows, err := db.Raw(labConfQuery, siteID).Rows()
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seats, slot, horizon, maxB, grace sql.NullInt64
			mode                              sql.NullString
			id, weekday, opens, closes        sql.NullInt64
		)
		if err := rows.Scan(&seats, &slot, &horizon, &maxB, &mode, &grace, &id, &weekday, &opens, &closes); err != nil {
			return c, err
		}
		if seats.Valid { // the same on every row: the lab was saved
			c.lab = Lab{SiteID: siteID, Seats: int(seats.Int64), SlotMinutes: int(slot.Int64), HorizonDays: int(horizon.Int64),
				MaxBookings: int(maxB.Int64), Mode: LabMode(mode.String), GraceMinutes: int(grace.Int64)}
		}
		if id.Valid {
			c.hours = append(c.hours, LabHours{ID: id.Int64, SiteID: siteID, Weekday: int(weekday.Int64),
				Opens: int(opens.Int64), Closes: int(closes.Int64)})
		}
	}
	return c, rows.Err()
}

// SaveLab validates and stores a lab configuration.
func (s *Store) SaveLab(ctx context.Context, l Lab) error {
	switch {
	case l.Seats < 0 || l.Seats > 500:
		return &FieldError{"seats", "out_of_range"}
	case l.SlotMinutes < 15 || l.SlotMinutes > 480:
		return &FieldError{"slot_minutes", "out_of_range"}
	case l.HorizonDays < 0 || l.HorizonDays > 90:
		return &FieldError{"horizon_days", "out_of_range"}
	case l.MaxBookings < 1 || l.MaxBookings > 50:
		return &FieldError{"max_bookings", "out_of_range"}
	case l.GraceMinutes < 0 || l.GraceMinutes > l.SlotMinutes:
		return &FieldError{"grace_minutes", "out_of_range"}
	case l.Mode != LabBoth && l.Mode != LabReservation && l.Mode != LabWalkIn:
		return &FieldError{"mode", "bad_choice"}
	}
	return s.W.WithContext(ctx).Save(&l).Error
}

// LabBookable reports whether visitors can book the site's lab: it takes
// reservations and has opening hours. The kiosk asks at every greeting:
// one indexed query.
func (s *Store) LabBookable(ctx context.Context, siteID int64) (bool, error) {
	conf, err := s.labConf(ctx, siteID)
	if err != nil {
		return false, err
	}
	return conf.lab.Mode != LabWalkIn && conf.lab.Seats > 0 && len(conf.hours) > 0, nil
}

// SetLabHours replaces a site's weekly opening hours.
func (s *Store) SetLabHours(ctx context.Context, siteID int64, hours []LabHours) error {
	for _, h := range hours {
		if h.Weekday < 0 || h.Weekday > 6 || h.Opens < 0 || h.Closes > 24*60 || h.Opens >= h.Closes {
			return &FieldError{"hours", "bad_hours"}
		}
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("site_id = ?", siteID).Delete(&LabHours{}).Error; err != nil {
			return err
		}
		for _, h := range hours {
			h.ID, h.SiteID = 0, siteID
			if err := tx.Create(&h).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// LabHoursOf lists a site's opening hours by weekday and time.
func (s *Store) LabHoursOf(ctx context.Context, siteID int64) ([]LabHours, error) {
	var hs []LabHours
	err := s.R.WithContext(ctx).Where("site_id = ?", siteID).Order("weekday, opens").Find(&hs).Error
	return hs, err
}

// CloseLab marks a local day as closed; OpenLab undoes it.
func (s *Store) CloseLab(ctx context.Context, siteID int64, day, reason string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return &FieldError{"day", "bad_date"}
	}
	reason, err := cleanText("reason", reason, 200)
	if err != nil {
		return err
	}
	return s.W.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&LabClosure{SiteID: siteID, Day: day, Reason: reason}).Error
}

// OpenLab removes a closure.
func (s *Store) OpenLab(ctx context.Context, siteID int64, day string) error {
	return s.W.WithContext(ctx).Where("site_id = ? AND day = ?", siteID, day).Delete(&LabClosure{}).Error
}

// LabClosures lists closures from a day on.
func (s *Store) LabClosures(ctx context.Context, siteID int64, from string) ([]LabClosure, error) {
	var cs []LabClosure
	err := s.R.WithContext(ctx).Where("site_id = ? AND day >= ?", siteID, from).Order("day").Find(&cs).Error
	return cs, err
}

// Slot is one bookable period of the lab as a visitor sees it.
type Slot struct {
	Start, End time.Time
	Seats      int
	Taken      int
	Blocked    int
}

// Free is how many seats can still be booked.
func (s Slot) Free() int { return max(s.Seats-s.Taken-s.Blocked, 0) }

// schedule is what the lab looks like over some local days, before
// counting: the slot starts of each day, in order.
type schedule struct {
	lab    Lab
	loc    *time.Location
	starts []time.Time
}

// scheduleOf builds the lab's slots for n local days from the day holding
// `from`, with three queries whatever n is.
func scheduleOf(tx *gorm.DB, conf labConfig, site *Site, from time.Time, n int) (schedule, error) {
	sc := schedule{loc: site.Location(), lab: conf.lab}
	y, m, d := from.In(sc.loc).Date()
	first := time.Date(y, m, d, 0, 0, 0, 0, sc.loc)
	var closures []LabClosure
	if err := tx.Where("site_id = ? AND day >= ? AND day <= ?", site.ID, first.Format(time.DateOnly),
		first.AddDate(0, 0, n-1).Format(time.DateOnly)).Find(&closures).Error; err != nil {
		return sc, err
	}
	closed := map[string]bool{}
	for _, c := range closures {
		closed[c.Day] = true
	}
	hours := conf.hours
	step := sc.lab.SlotMinutes
	for i := 0; i < n; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, sc.loc)
		if closed[day.Format(time.DateOnly)] {
			continue
		}
		dy, dm, dd := day.Date()
		for _, h := range hours {
			if h.Weekday != int(day.Weekday()) {
				continue
			}
			for t := h.Opens; t+step <= h.Closes; t += step {
				// Built from the wall clock, so a slot on a daylight-saving
				// day starts at the hour the lab's clock shows.
				sc.starts = append(sc.starts, time.Date(dy, dm, dd, t/60, t%60, 0, 0, sc.loc))
			}
		}
	}
	return sc, nil
}

// labSlots counts the seats of every slot in n local days from `from`,
// with the configuration conf read by the caller.
func labSlots(db *gorm.DB, conf labConfig, site *Site, from time.Time, n int) ([]Slot, error) {
	sc, err := scheduleOf(db, conf, site, from, n)
	if err != nil || len(sc.starts) == 0 {
		return nil, err
	}
	var counts []LabSlot
	if err := db.Where("site_id = ? AND starts_at BETWEEN ? AND ?", site.ID,
		sc.starts[0].Unix(), sc.starts[len(sc.starts)-1].Unix()).Find(&counts).Error; err != nil {
		return nil, err
	}
	byStart := map[int64]LabSlot{}
	for _, c := range counts {
		byStart[c.StartsAt] = c
	}
	slots := make([]Slot, len(sc.starts))
	for i, st := range sc.starts {
		c := byStart[st.Unix()]
		slots[i] = Slot{Start: st.UTC(), End: st.Add(time.Duration(sc.lab.SlotMinutes) * time.Minute).UTC(),
			Seats: sc.lab.Seats, Taken: c.Taken, Blocked: c.Blocked}
	}
	return slots, nil
}

// LabDays lists the slots of n local days from the day holding from.
// The slots are shared with other callers: read them, never change them.
func (s *Store) LabDays(ctx context.Context, site *Site, from time.Time, n int) ([]Slot, error) {
	mark, err := s.labCache.current(ctx, s)
	if err != nil {
		return nil, err
	}
	_, slots, err := s.labDays(ctx, mark, site, from, n)
	return slots, err
}

// labDays is the configuration and the slots of n local days from the
// day holding from, as kept at mark.
func (s *Store) labDays(ctx context.Context, mark int64, site *Site, from time.Time, n int) (labConfig, []Slot, error) {
	conf, err := keptRead(&s.labCache, mark, labConfKey(site.ID), nil, func() (labConfig, error) {
		return labConfIn(s.R.WithContext(ctx), site.ID)
	})
	if err != nil {
		return conf, nil, err
	}
	if n <= 0 {
		return conf, nil, nil
	}
	loc := site.Location()
	key := labDaysKey{site.ID, loc.String(), from.In(loc).Format(time.DateOnly), n}
	slots, err := keptRead(&s.labCache, mark, key, nil, func() ([]Slot, error) {
		return labSlots(s.R.WithContext(ctx), conf, site, from, n)
	})
	return conf, slots, err
}

// LabDay lists the slots of a local day (any time on that day) with their
// counts. A closed day, or a day without opening hours, has none.
func (s *Store) LabDay(ctx context.Context, site *Site, day time.Time) ([]Slot, error) {
	return s.LabDays(ctx, site, day, 1)
}

// BookableSlots lists every slot from now to the horizon that a visitor
// could book now: not half gone, and with a free seat.
func (s *Store) BookableSlots(ctx context.Context, site *Site) ([]Slot, error) {
	mark, err := s.labCache.current(ctx, s)
	if err != nil {
		return nil, err
	}
	conf, _, err := s.labDays(ctx, mark, site, time.Time{}, 0)
	if err != nil || conf.lab.Mode == LabWalkIn {
		return nil, err
	}
	now := s.Now()
	_, slots, err := s.labDays(ctx, mark, site, now, conf.lab.HorizonDays+1)
	if err != nil {
		return nil, err
	}
	var out []Slot
	for _, sl := range slots {
		if sl.Free() > 0 && bookableAt(sl.Start, sl.End, now) {
			out = append(out, sl)
		}
	}
	return out, nil
}

// BookableDays lists the local days, from today to the horizon, on which
// the lab has a slot a visitor could still book now (each at noon).
func (s *Store) BookableDays(ctx context.Context, site *Site) ([]time.Time, error) {
	slots, err := s.BookableSlots(ctx, site)
	if err != nil {
		return nil, err
	}
	loc := site.Location()
	var days []time.Time
	last := ""
	for _, sl := range slots {
		local := sl.Start.In(loc)
		if d := local.Format(time.DateOnly); d != last {
			last = d
			y, m, dd := local.Date()
			days = append(days, time.Date(y, m, dd, 12, 0, 0, 0, loc))
		}
	}
	return days, nil
}

// bookableAt: a slot can be booked until half of it has gone by.
func bookableAt(start, end, now time.Time) bool {
	return now.Before(start.Add(end.Sub(start) / 2))
}

// BookInput is a request for a seat in a lab slot.
type BookInput struct {
	Site     *Site
	MemberID int64
	Start    time.Time
	By       *int64 // the staff member booking at the desk; nil at the kiosk
}

// BookLab gives the member a seat in the slot starting at in.Start, or
// says why not. The seat count is taken with a conditional update inside
// the transaction, so however many kiosks and desks press at once, a slot
// never holds more bookings than seats.
func (s *Store) BookLab(ctx context.Context, in BookInput) (*Booking, error) {
	var b *Booking
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		conf, err := labConfIn(tx, in.Site.ID)
		if err != nil {
			return err
		}
		sc, err := scheduleOf(tx, conf, in.Site, in.Start, 1)
		if err != nil {
			return err
		}
		if sc.lab.Mode == LabWalkIn {
			return ErrNotBookable
		}
		var start time.Time
		for _, st := range sc.starts {
			if st.Equal(in.Start) {
				start = st
			}
		}
		if start.IsZero() {
			return ErrNotOpen
		}
		end := start.Add(time.Duration(sc.lab.SlotMinutes) * time.Minute)
		if !bookableAt(start, end, now) {
			return ErrSlotPast
		}
		y, m, d := now.In(sc.loc).Date()
		if !start.Before(time.Date(y, m, d+sc.lab.HorizonDays+1, 0, 0, 0, 0, sc.loc)) {
			return ErrBeyondHorizon
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
		var mine []Booking
		if err := tx.Where("member_id = ? AND status IN ? AND ends_at > ?", in.MemberID,
			[]BookingStatus{BookingBooked, BookingAttended}, now.Unix()).Find(&mine).Error; err != nil {
			return err
		}
		for _, o := range mine {
			if o.StartsAt == start.Unix() {
				return ErrAlreadyBooked
			}
		}
		if len(mine) >= sc.lab.MaxBookings {
			return ErrTooManyBookings
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&LabSlot{SiteID: in.Site.ID, StartsAt: start.Unix()}).Error; err != nil {
			return err
		}
		res := tx.Model(&LabSlot{}).
			Where("site_id = ? AND starts_at = ? AND taken + blocked < ?", in.Site.ID, start.Unix(), sc.lab.Seats).
			Update("taken", gorm.Expr("taken + 1"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrSlotFull
		}
		b = &Booking{SiteID: in.Site.ID, MemberID: in.MemberID, StartsAt: start.Unix(), EndsAt: end.Unix(),
			Status: BookingBooked, CreatedAt: now, CreatedBy: in.By}
		if err := tx.Create(b).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrAlreadyBooked
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// lockMember serialises one member's bookings on PostgreSQL, so that two
// desks cannot both give the member their last allowed booking. SQLite
// has one writer at a time already.
func lockMember(tx *gorm.DB, dialect string, memberID int64) error {
	var m Member
	q := tx.Select("id")
	if dialect == "postgres" {
		// NO KEY UPDATE: it serialises the member's own writers as FOR
		// UPDATE did, and lets another transaction insert a row that
		// refers to the member (its foreign key's KEY SHARE lock), which
		// may hold a change mark (markcache.go) that this one waits for.
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	err := q.Take(&m, memberID).Error
	return notFound(err)
}

// CancelBooking cancels a booked seat and frees it. A visitor may cancel
// only their own (memberID); staff pass 0.
func (s *Store) CancelBooking(ctx context.Context, id, memberID int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var b Booking
		q := tx.Where("id = ? AND status = ?", id, BookingBooked)
		if memberID != 0 {
			q = q.Where("member_id = ?", memberID)
		}
		if err := q.Take(&b).Error; err != nil {
			return notFound(err)
		}
		res := tx.Model(&Booking{}).Where("id = ? AND status = ?", id, BookingBooked).
			Updates(map[string]any{"status": BookingCancelled, "closed_at": s.Now()})
		if res.Error != nil || res.RowsAffected == 0 {
			return errors.Join(res.Error, ErrNotFound)
		}
		return tx.Model(&LabSlot{}).Where("site_id = ? AND starts_at = ?", b.SiteID, b.StartsAt).
			Update("taken", gorm.Expr("taken - 1")).Error
	})
}

// Booking loads one booking.
func (s *Store) Booking(ctx context.Context, id int64) (*Booking, error) {
	var b Booking
	if err := s.R.WithContext(ctx).Take(&b, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &b, nil
}

// UpcomingBookings lists a member's bookings that have not ended yet.
func (s *Store) UpcomingBookings(ctx context.Context, memberID int64) ([]Booking, error) {
	var bs []Booking
	// Raw, for the kiosk's "my bookings": GORM's chain built the statement
	// anew on every call.
	err := s.R.WithContext(ctx).Raw(`SELECT * FROM bookings WHERE member_id = ? AND status IN ? AND ends_at > ? ORDER BY starts_at`,
		memberID, []BookingStatus{BookingBooked, BookingAttended}, s.Now().Unix()).Scan(&bs).Error
	return bs, err
}

// UpcomingBookingsAt lists a member's bookings at a site that have not
// ended yet.
func (s *Store) UpcomingBookingsAt(ctx context.Context, memberID, siteID int64) ([]Booking, error) {
	var bs []Booking
	err := s.R.WithContext(ctx).Where("member_id = ? AND site_id = ? AND status IN ? AND ends_at > ?", memberID, siteID,
		[]BookingStatus{BookingBooked, BookingAttended}, s.Now().Unix()).Order("starts_at").Find(&bs).Error
	return bs, err
}

// markAttended is part of a check-in: a member who scans in from a
// quarter of an hour before their slot until its end has attended it.
func markAttended(tx *gorm.DB, v *Visit) (int64, error) {
	now := v.CheckedInAt.Unix()
	res := tx.Model(&Booking{}).
		Where("member_id = ? AND site_id = ? AND status = ? AND starts_at <= ? AND ends_at > ?",
			v.MemberID, v.SiteID, BookingBooked, now+15*60, now).
		Updates(map[string]any{"status": BookingAttended, "attended_at": v.CheckedInAt})
	return res.RowsAffected, res.Error
}

// ReleaseNoShows frees the seats of bookings nobody came for within the
// lab's grace time, so walk-ins can have them. It returns how many it
// released. The server runs it every minute.
func (s *Store) ReleaseNoShows(ctx context.Context) (int, error) {
	now := s.Now()
	var due []Booking
	err := s.R.WithContext(ctx).Table("bookings").Select("bookings.*").
		Joins("LEFT JOIN labs ON labs.site_id = bookings.site_id").
		Where("bookings.status = ? AND bookings.starts_at + COALESCE(labs.grace_minutes, 15) * 60 <= ?", BookingBooked, now.Unix()).
		Limit(1000).Find(&due).Error
	if err != nil {
		return 0, err
	}
	released := 0
	for _, b := range due {
		err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			res := tx.Model(&Booking{}).Where("id = ? AND status = ?", b.ID, BookingBooked).
				Updates(map[string]any{"status": BookingNoShow, "closed_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			released++
			return tx.Model(&LabSlot{}).Where("site_id = ? AND starts_at = ?", b.SiteID, b.StartsAt).
				Update("taken", gorm.Expr("taken - 1")).Error
		})
		if err != nil {
			return released, err
		}
	}
	return released, nil
}

// NoShows counts a member's released bookings at a site, for staff only.
func (s *Store) NoShows(ctx context.Context, memberID, siteID int64) (int64, error) {
	var n int64
	err := s.R.WithContext(ctx).Model(&Booking{}).Where("member_id = ? AND site_id = ? AND status = ?", memberID, siteID, BookingNoShow).Count(&n).Error
	return n, err
}

// BookingRow is a booking with the member's nickname, for staff.
type BookingRow struct {
	Booking
	Nickname string
}

// LabBookings lists a site's bookings between two instants, all states,
// by start time and then by when they were made.
func (s *Store) LabBookings(ctx context.Context, siteID int64, from, to time.Time) ([]BookingRow, error) {
	var rows []BookingRow
	err := s.R.WithContext(ctx).Table("bookings").Select("bookings.*, members.nickname").
		Joins("JOIN members ON members.id = bookings.member_id").
		Where("bookings.site_id = ? AND bookings.starts_at >= ? AND bookings.starts_at < ?", siteID, from.Unix(), to.Unix()).
		Order("bookings.starts_at, bookings.id").Scan(&rows).Error
	return rows, err
}

// BlockSeats takes seats of a slot out of booking (a group, a repair).
// Seats already booked stay booked: at most the free seats can be blocked.
func (s *Store) BlockSeats(ctx context.Context, site *Site, start time.Time, seats int) error {
	if seats < 0 {
		return &FieldError{"seats", "out_of_range"}
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		conf, err := labConfIn(tx, site.ID)
		if err != nil {
			return err
		}
		sc, err := scheduleOf(tx, conf, site, start, 1)
		if err != nil {
			return err
		}
		found := false
		for _, st := range sc.starts {
			found = found || st.Equal(start)
		}
		if !found {
			return ErrNotOpen
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&LabSlot{SiteID: site.ID, StartsAt: start.Unix()}).Error; err != nil {
			return err
		}
		res := tx.Model(&LabSlot{}).Where("site_id = ? AND starts_at = ? AND taken + ? <= ?", site.ID, start.Unix(), seats, sc.lab.Seats).
			Update("blocked", seats)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &FieldError{"seats", "more_than_free"}
		}
		return nil
	})
}
