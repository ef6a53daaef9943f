package kiosk

import (
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// visitor lets through a kiosk request with a checked-in member and puts
// the member's id in the locals; anyone else goes back to the idle screen.
func (k *Kiosk) visitor(c *fiber.Ctx) error {
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	id, ok := sess.Get("member").(int64)
	if !ok {
		return c.Redirect("/kiosk", fiber.StatusSeeOther)
	}
	c.Locals("member", id)
	return c.Next()
}

func memberID(c *fiber.Ctx) int64 { id, _ := c.Locals("member").(int64); return id }

// daySay is how a day is said: today, tomorrow, or its weekday and the
// day of the month, each a prompt a volunteer can record.
func daySay(l *web.Loc, day, now time.Time, loc *time.Location) []string {
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	switch day.In(loc).Format(time.DateOnly) {
	case today.Format(time.DateOnly):
		return []string{"kiosk.lab.today", l.T("kiosk.lab.today")}
	case today.AddDate(0, 0, 1).Format(time.DateOnly):
		return []string{"kiosk.lab.tomorrow", l.T("kiosk.lab.tomorrow")}
	}
	wd := fmt.Sprintf("weekday.%d", int(day.In(loc).Weekday()))
	n := day.In(loc).Day()
	return []string{wd, l.T(wd), web.PromptDayOfMonth(n), strconv.Itoa(n)}
}

// whenSay is how a day and a time are said: prompts and their words.
func whenSay(l *web.Loc, t, now time.Time, loc *time.Location) []string {
	hhmm := l.Time(t)
	return append(daySay(l, t, now, loc), web.PromptTime(hhmm), hhmm)
}

// dayLabel names a day the way a visitor thinks of it: today, tomorrow,
// or its weekday and date.
func dayLabel(l *web.Loc, day, now time.Time, loc *time.Location) string {
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	switch day.In(loc).Format(time.DateOnly) {
	case today.Format(time.DateOnly):
		return l.T("kiosk.lab.today")
	case today.AddDate(0, 0, 1).Format(time.DateOnly):
		return l.T("kiosk.lab.tomorrow")
	}
	return l.DayName(day) + " " + l.DayMonth(day)
}

// labDays: which day? Today, tomorrow and the next days as big buttons.
func (k *Kiosk) labDays(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	days, err := k.st.BookableDays(ctx, site)
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	var tiles strings.Builder
	now, loc := k.st.Now(), site.Location()
	for _, d := range days {
		tiles.WriteString(k.w.DayTile("/kiosk/lab/"+d.In(loc).Format(time.DateOnly), d.In(loc).Day(), dayLabel(v.L, d, now, loc),
			v.L.SayParts(daySay(v.L, d, now, loc)...)))
	}
	v.Data = map[string]any{"Days": template.HTML(tiles.String()), "Q": v.L.Say("kiosk.lab.which_day")} //nolint:gosec // DayTile escapes
	return k.w.Render(c, fiber.StatusOK, "kiosk/lab_days", v)
}

func parseDay(c *fiber.Ctx, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, c.Params("day"), loc)
	if err != nil {
		return d, fiber.ErrNotFound
	}
	return d.Add(12 * time.Hour), nil
}

// labSlots: which time? The free slots of the day as tiles.
func (k *Kiosk) labSlots(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	day, err := parseDay(c, site.Location())
	if err != nil {
		return err
	}
	slots, err := k.st.LabDay(ctx, site, day)
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	var tiles strings.Builder
	now := k.st.Now()
	for _, s := range slots {
		if s.Free() == 0 || !now.Before(s.Start.Add(s.End.Sub(s.Start)/2)) {
			continue
		}
		hhmm := v.L.Time(s.Start)
		local := s.Start.In(site.Location())
		// The free seats show as a number by a chair, and are said in words.
		tiles.WriteString(k.w.SlotTile("/kiosk/lab/"+c.Params("day")+"/"+strconv.FormatInt(s.Start.Unix(), 10),
			local.Hour(), local.Minute(), hhmm, s.Free(), v.L.N("kiosk.lab.free", s.Free()), v.L.SayText(web.PromptTime(hhmm), hhmm)))
	}
	q := append(daySay(v.L, day, now, site.Location()), "kiosk.lab.which_time", v.L.T("kiosk.lab.which_time"))
	v.Data = map[string]any{"Day": dayLabel(v.L, day, now, site.Location()), "DayNum": day.In(site.Location()).Day(),
		"Slots": template.HTML(tiles.String()), "Q": v.L.SayParts(q...)} //nolint:gosec // SlotTile escapes
	return k.w.Render(c, fiber.StatusOK, "kiosk/lab_slots", v)
}

// labConfirm: one question, yes or no.
func (k *Kiosk) labConfirm(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	start, err := strconv.ParseInt(c.Params("start"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	v := k.view(c, nil)
	t := time.Unix(start, 0)
	v.Data = map[string]any{
		"Q":     v.L.SayWith("kiosk.lab.confirm", whenSay(v.L, t, k.st.Now(), site.Location())),
		"When":  dayLabel(v.L, t, k.st.Now(), site.Location()) + " " + v.L.Time(t),
		"Start": start,
		"Back":  "/kiosk/lab/" + c.Params("day"),
	}
	return k.w.Render(c, fiber.StatusOK, "kiosk/lab_confirm", v)
}

func (k *Kiosk) labBook(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	start, err := strconv.ParseInt(c.FormValue("start"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	// The member is the one who scanned, never a form field.
	b, err := k.st.BookLab(ctx, store.BookInput{Site: site, MemberID: memberID(c), Start: time.Unix(start, 0)})
	if id, ok := web.BookingError(err); ok {
		return k.showNote(c, note{Error: id, Back: "/kiosk/lab", Status: fiber.StatusConflict})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/kiosk/bookings/%d/done", b.ID), fiber.StatusSeeOther)
}

// ownBooking loads a booking of the checked-in member; anyone else's is
// not found, whatever id is in the URL.
func (k *Kiosk) ownBooking(c *fiber.Ctx) (*store.Booking, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, fiber.ErrNotFound
	}
	b, err := k.st.Booking(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if b.MemberID != memberID(c) {
		return nil, fiber.ErrNotFound
	}
	return b, nil
}

// when is a moment as shown and as said.
type when struct {
	Text  string
	Parts []string // prompt, words, prompt, words…
}

func (k *Kiosk) bookingWhen(c *fiber.Ctx, l *web.Loc, b *store.Booking) (when, error) {
	now, loc := k.st.Now(), web.SiteOf(c).Location()
	return when{dayLabel(l, b.Start(), now, loc) + " " + l.Time(b.Start()), whenSay(l, b.Start(), now, loc)}, nil
}

func (k *Kiosk) bookingDone(c *fiber.Ctx) error {
	b, err := k.ownBooking(c)
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	w, err := k.bookingWhen(c, v.L, b)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"When": w.Text, "Q": v.L.SayWith("kiosk.lab.booked", w.Parts)}
	return k.w.Render(c, fiber.StatusOK, "kiosk/lab_done", v)
}

// bookings: "My bookings", with a cancel button on each.
func (k *Kiosk) bookings(c *fiber.Ctx) error {
	bs, err := k.st.UpcomingBookings(c.UserContext(), memberID(c))
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	type row struct {
		ID       int64
		When     string
		Attended bool
		Say      web.Speech // the day and time
		Cancel   web.Speech // "cancel" and the day and time
	}
	var rows []row
	for _, b := range bs {
		w, err := k.bookingWhen(c, v.L, &b)
		if err != nil {
			return err
		}
		rows = append(rows, row{b.ID, w.Text, b.Status == store.BookingAttended, v.L.SayParts(w.Parts...), v.L.SayWith("kiosk.bookings.cancel", w.Parts)})
	}
	es, err := k.st.UpcomingEnrolments(c.UserContext(), memberID(c))
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	var courses []sessionTile
	for _, e := range es {
		t := k.tile(v, e.Session, site.Location())
		t.Waiting, t.EnrolmentID = e.Status == store.Waiting, e.ID
		courses = append(courses, t)
	}
	loans, err := k.st.MemberOpenLoans(c.UserContext(), memberID(c))
	if err != nil {
		return err
	}
	type loanTile struct {
		Icon, What, Due string
		Late            bool
		Say             web.Speech
	}
	var lt []loanTile
	now := k.st.Now()
	for _, l := range loans {
		what := "kiosk.loans.type." + string(l.DeviceType)
		due := dayLabel(v.L, l.DueAt, now, site.Location())
		lt = append(lt, loanTile{Icon: string(l.DeviceType), What: v.L.T(what), Due: due, Late: l.DueAt.Before(now),
			Say: v.L.SayParts(what, v.L.T(what), "", v.L.T("kiosk.loans.due", "Day", due))})
	}
	v.Data = map[string]any{"Bookings": rows, "Courses": courses, "Loans": lt}
	return k.w.Render(c, fiber.StatusOK, "kiosk/bookings", v)
}

func (k *Kiosk) cancelConfirm(c *fiber.Ctx) error {
	b, err := k.ownBooking(c)
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	w, err := k.bookingWhen(c, v.L, b)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"When": w.Text, "Action": fmt.Sprintf("/kiosk/bookings/%d/cancel", b.ID), "Icon": "laptop",
		"Q": v.L.SayWith("kiosk.bookings.cancel_q", w.Parts)}
	return k.w.Render(c, fiber.StatusOK, "kiosk/cancel_confirm", v)
}

func (k *Kiosk) cancel(c *fiber.Ctx) error {
	b, err := k.ownBooking(c)
	if err != nil {
		return err
	}
	return k.cancelled(c, k.st.CancelBooking(c.UserContext(), b.ID, memberID(c)))
}

// cancelled answers a visitor's cancellation of a booking or a course
// place. One that is gone already (cancelled, released) needs nothing more.
func (k *Kiosk) cancelled(c *fiber.Ctx, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return c.Redirect("/kiosk/bookings", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	return k.showNote(c, note{Flash: "kiosk.bookings.cancelled", Back: "/kiosk/bookings"})
}
