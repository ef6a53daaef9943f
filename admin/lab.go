package admin

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// labDay shows one day of the lab: every slot, who booked it (nickname
// only), attended or not, and the seats blocked.
func (a *Admin) labDay(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	var err error
	loc := site.Location()
	day := a.st.Now().In(loc)
	if q := c.Query("day"); q != "" {
		if day, err = time.ParseInLocation(time.DateOnly, q, loc); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
		}
	}
	y, m, d := day.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
	slots, err := a.st.LabDay(ctx, site, midnight.Add(12*time.Hour))
	if err != nil {
		return err
	}
	rows, err := a.st.LabBookings(ctx, site.ID, midnight, time.Date(y, m, d+1, 0, 0, 0, 0, loc))
	if err != nil {
		return err
	}
	type slotView struct {
		store.Slot
		Bookings []store.BookingRow
	}
	var views []slotView
	for _, s := range slots {
		sv := slotView{Slot: s}
		for _, r := range rows {
			if r.StartsAt == s.Start.Unix() {
				sv.Bookings = append(sv.Bookings, r)
			}
		}
		views = append(views, sv)
	}
	return a.w.Render(c, fiber.StatusOK, "admin/lab", a.view(c, map[string]any{
		"Day":   midnight,
		"Date":  midnight.Format(time.DateOnly),
		"Prev":  midnight.AddDate(0, 0, -1).Format(time.DateOnly),
		"Next":  midnight.AddDate(0, 0, 1).Format(time.DateOnly),
		"Slots": views,
	}))
}

// labWeek shows seven days at a glance: for each slot time and day, the
// seats booked out of the seats there are.
func (a *Admin) labWeek(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	var err error
	loc := site.Location()
	from := a.st.Now().In(loc)
	if q := c.Query("from"); q != "" {
		if from, err = time.ParseInLocation(time.DateOnly, q, loc); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
		}
	}
	y, m, d := from.Date()
	monday := time.Date(y, m, d-(int(from.Weekday())+6)%7, 0, 0, 0, 0, loc)
	slots, err := a.st.LabDays(ctx, site, monday, 7)
	if err != nil {
		return err
	}
	type cell struct {
		Slot *store.Slot
		Day  string
	}
	var days []time.Time
	for i := 0; i < 7; i++ {
		days = append(days, time.Date(monday.Year(), monday.Month(), monday.Day()+i, 12, 0, 0, 0, loc))
	}
	var times []string
	grid := map[string][]cell{}
	for i := range slots {
		sl := &slots[i]
		local := sl.Start.In(loc)
		hm := local.Format("15:04")
		if _, ok := grid[hm]; !ok {
			times = append(times, hm)
			grid[hm] = make([]cell, 7)
			for k := range grid[hm] {
				grid[hm][k].Day = days[k].Format(time.DateOnly)
			}
		}
		k := int(local.Sub(monday).Hours() / 24)
		if k >= 0 && k < 7 {
			grid[hm][k].Slot = sl
		}
	}
	sort.Strings(times)
	type row struct {
		Time  string
		Cells []cell
	}
	var rows []row
	for _, t := range times {
		rows = append(rows, row{t, grid[t]})
	}
	return a.w.Render(c, fiber.StatusOK, "admin/lab_week", a.view(c, map[string]any{
		"Days": days, "Rows": rows,
		"Prev": monday.AddDate(0, 0, -7).Format(time.DateOnly), "Next": monday.AddDate(0, 0, 7).Format(time.DateOnly),
	}))
}

func (a *Admin) labBlock(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	var err error
	start, err1 := strconv.ParseInt(c.FormValue("start"), 10, 64)
	seats, err2 := strconv.Atoi(c.FormValue("seats"))
	if err1 != nil || err2 != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	err = a.st.BlockSeats(c.UserContext(), site, time.Unix(start, 0), seats)
	if errors.Is(err, store.ErrNotOpen) {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.lab.err.not_a_slot")
	}
	if fe, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "error.seats."+fe.Code)
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.lab.blocked")
	return c.Redirect("/admin/lab?day="+time.Unix(start, 0).In(site.Location()).Format(time.DateOnly), fiber.StatusSeeOther)
}

// bookingCancel cancels a booking from the schedule or a member's page.
func (a *Admin) bookingCancel(c *fiber.Ctx) error {
	b, err := load(c, a.st.Booking)
	if err != nil {
		return err
	}
	id := b.ID
	if err := a.st.CancelBooking(c.UserContext(), id, 0); errors.Is(err, store.ErrNotFound) {
		return fiber.NewError(fiber.StatusConflict, "admin.lab.err.not_cancellable")
	} else if err != nil {
		return err
	}
	a.log.Info("booking cancelled", "booking", id, "by", currentUser(c).ID)
	a.flash(c, "admin.lab.cancelled")
	return c.Redirect(safeBack(c.FormValue("back"), fmt.Sprintf("/admin/members/%d", b.MemberID)), fiber.StatusSeeOther)
}

// memberBook books a lab seat for a member at the desk.
func (a *Admin) memberBook(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	start, err := strconv.ParseInt(c.FormValue("start"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.lab.err.choose_slot")
	}
	by := currentUser(c).ID
	_, err = a.st.BookLab(c.UserContext(), store.BookInput{Site: site, MemberID: id, Start: time.Unix(start, 0), By: &by})
	if msg, ok := web.BookingError(err); ok {
		return fiber.NewError(fiber.StatusConflict, msg)
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.lab.booked")
	return c.Redirect(fmt.Sprintf("/admin/members/%d", id), fiber.StatusSeeOther)
}

func (a *Admin) labSettings(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	lab, err := a.st.Lab(ctx, site.ID)
	if err != nil {
		return err
	}
	hours, err := a.st.LabHoursOf(ctx, site.ID)
	if err != nil {
		return err
	}
	closures, err := a.st.LabClosures(ctx, site.ID, a.st.Now().In(site.Location()).Format(time.DateOnly))
	if err != nil {
		return err
	}
	// Two periods a day (morning and afternoon) cover every lab we know.
	var week [7][2]string
	seen := [7]int{}
	for _, h := range hours {
		if seen[h.Weekday] < 2 {
			week[h.Weekday][seen[h.Weekday]] = clock(h.Opens) + "-" + clock(h.Closes)
			seen[h.Weekday]++
		}
	}
	type dayRow struct {
		Weekday int
		Periods [2]string
	}
	var rows []dayRow
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} { // Monday first, as in Belgium
		rows = append(rows, dayRow{d, week[d]})
	}
	return a.w.Render(c, fiber.StatusOK, "admin/lab_settings", a.view(c, map[string]any{
		"Lab": lab, "Week": rows, "Closures": closures,
		"Modes": []store.LabMode{store.LabBoth, store.LabReservation, store.LabWalkIn},
	}))
}

func clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// parsePeriod reads "09:00-12:00" into minutes after midnight.
func parsePeriod(s string) (int, int, bool) {
	from, to, ok := strings.Cut(strings.ReplaceAll(s, " ", ""), "-")
	if !ok {
		return 0, 0, false
	}
	parse := func(x string) (int, bool) {
		t, err := time.Parse("15:04", x)
		if err != nil {
			if x == "24:00" {
				return 24 * 60, true
			}
			return 0, false
		}
		return t.Hour()*60 + t.Minute(), true
	}
	a, ok1 := parse(from)
	b, ok2 := parse(to)
	return a, b, ok1 && ok2 && a < b
}

func (a *Admin) labSettingsSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	num := func(name string) int { n, _ := strconv.Atoi(strings.TrimSpace(c.FormValue(name))); return n }
	lab := store.Lab{SiteID: site.ID, Seats: num("seats"), SlotMinutes: num("slot_minutes"), HorizonDays: num("horizon_days"),
		MaxBookings: num("max_bookings"), GraceMinutes: num("grace_minutes"), Mode: store.LabMode(c.FormValue("mode"))}
	var hours []store.LabHours
	var bad []string
	for d := 0; d < 7; d++ {
		for p := 0; p < 2; p++ {
			v := strings.TrimSpace(c.FormValue(fmt.Sprintf("hours_%d_%d", d, p)))
			if v == "" {
				continue
			}
			from, to, ok := parsePeriod(v)
			if !ok {
				bad = append(bad, v)
				continue
			}
			hours = append(hours, store.LabHours{Weekday: d, Opens: from, Closes: to})
		}
	}
	if len(bad) > 0 {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.lab.err.hours")
	}
	if err := a.st.SaveLab(ctx, lab); err != nil {
		if fe, ok := store.AsFieldError(err); ok {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.lab.err."+fe.Field)
		}
		return err
	}
	if err := a.st.SetLabHours(ctx, site.ID, hours); err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/lab/settings", fiber.StatusSeeOther)
}

func (a *Admin) labClose(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	var err error
	err = a.st.CloseLab(c.UserContext(), site.ID, c.FormValue("day"), c.FormValue("reason"))
	if _, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "error.bad_date")
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/lab/settings", fiber.StatusSeeOther)
}

func (a *Admin) labReopen(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	if err := a.st.OpenLab(c.UserContext(), site.ID, c.FormValue("day")); err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/lab/settings", fiber.StatusSeeOther)
}

// safeBack accepts a path on this server to return to, or gives the
// fallback: never another host, never a character that could end a header.
func safeBack(back, fallback string) string {
	for _, r := range back {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(back, "//") {
		return fallback
	}
	return back
}
