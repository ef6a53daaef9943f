package admin

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

// The attendance review of a team meeting: per course, or across every
// course of the site in a period, a grid of participants × sessions
// (present, absent, excused), absences in a row highlighted, and a
// staff-only note per participant; printable (PDF) and exportable (XLSX,
// CSV).

// attendancePeriod reads the review's period: ?period=month (this month)
// or quarter (the last calendar quarter), else ?from and ?to (days, to
// included), else this month. It returns [from, to) and the shortcut used.
func attendancePeriod(c *fiber.Ctx, loc *time.Location, now time.Time) (time.Time, time.Time, string, error) {
	named := map[string]string{"month": "month", "quarter": "last_quarter"}[c.Query("period")]
	if named == "" && c.Query("from") == "" && c.Query("to") == "" {
		named = "month"
	}
	if named != "" {
		p, _ := store.NamedPeriod(named, now, loc)
		short := "month"
		if named == "last_quarter" {
			short = "quarter"
		}
		return p.From, p.To, short, nil
	}
	from, err := time.ParseInLocation(time.DateOnly, c.Query("from"), loc)
	if err != nil {
		return from, from, "", fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
	}
	to, err := time.ParseInLocation(time.DateOnly, c.Query("to"), loc)
	if err != nil || to.Before(from) || to.Sub(from) > 3*366*24*time.Hour {
		return from, from, "", fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
	}
	return from, to.AddDate(0, 0, 1), "", nil
}

// attendanceQuery is what the review was asked for, to link to its
// printout, exports and itself.
type attendanceQuery struct {
	Course   int64
	From, To string // days, to included
	Period   string
}

func (q attendanceQuery) Encode() string {
	v := url.Values{}
	if q.Course != 0 {
		v.Set("course", strconv.FormatInt(q.Course, 10))
	}
	if q.Period != "" {
		v.Set("period", q.Period)
	} else {
		v.Set("from", q.From)
		v.Set("to", q.To)
	}
	return v.Encode()
}

// attendanceReview loads the review the request asks for.
func (a *Admin) attendanceReview(c *fiber.Ctx) ([]store.AttendanceGrid, attendanceQuery, error) {
	site := web.SiteOf(c)
	var q attendanceQuery
	if s := c.Query("course"); s != "" && s != "0" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, q, fiber.ErrNotFound
		}
		if err := a.own(c, store.KindCourse, id); err != nil {
			return nil, q, err
		}
		q.Course = id
	}
	from, to, shortcut, err := attendancePeriod(c, site.Location(), a.st.Now())
	if err != nil {
		return nil, q, err
	}
	q.From, q.To, q.Period = from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), shortcut
	grids, err := a.st.Attendance(c.UserContext(), site.ID, q.Course, from, to)
	return grids, q, err
}

// cellMark is a grid cell's short mark and its word, in the reader's
// language.
func cellMark(l *web.Loc, cell store.AttendanceCell) (short, word string) {
	switch cell {
	case store.CellNone:
		return "", l.T("admin.attendance.cell.none")
	case store.CellUpcoming:
		return "·", l.T("admin.attendance.cell.upcoming")
	}
	return l.T("admin.attendance.short." + string(cell)), l.T("admin.attendance.cell." + string(cell))
}

// gridCell is one cell of the page's grid.
type gridCell struct {
	Class, Short, Word string
	InRun              bool
}

// gridRow is one participant's row on the page.
type gridRow struct {
	store.AttendanceRow
	Marks []gridCell
}

// gridView is one course's grid on the page.
type gridView struct {
	Course store.Course
	Name   string
	Heads  []time.Time
	Rows   []gridRow
}

func (a *Admin) attendancePage(c *fiber.Ctx) error {
	grids, q, err := a.attendanceReview(c)
	if err != nil {
		return err
	}
	v := a.view(c, nil)
	if f := c.Params("format"); f != "" {
		return a.attendanceExport(c, v.L, grids, q, f)
	}
	courses, err := a.st.Courses(c.UserContext(), web.SiteOf(c).ID)
	if err != nil {
		return err
	}
	var gs []gridView
	for _, g := range grids {
		gv := gridView{Course: g.Course, Name: g.Course.Name(v.L.Lang.Code)}
		for _, s := range g.Sessions {
			gv.Heads = append(gv.Heads, s.Start())
		}
		for _, r := range g.Rows {
			row := gridRow{AttendanceRow: r}
			for i, cell := range r.Cells {
				short, word := cellMark(v.L, cell)
				row.Marks = append(row.Marks, gridCell{Class: string(cell), Short: short, Word: word, InRun: r.InRun[i]})
			}
			gv.Rows = append(gv.Rows, row)
		}
		gs = append(gs, gv)
	}
	v.Data = map[string]any{"Grids": gs, "Q": q, "Query": q.Encode(), "Courses": courses, "Run": store.AbsentRun,
		"Back": "/admin/attendance?" + q.Encode()}
	return a.w.Render(c, fiber.StatusOK, "admin/attendance", v)
}

// attendanceTable is the review as one table: a row per participant and
// session, which a spreadsheet filters and pivots.
func attendanceTable(l *web.Loc, grids []store.AttendanceGrid) web.Table {
	t := web.Table{{l.T("admin.attendance.course"), l.T("admin.attendance.activity"), l.T("admin.attendance.participant"),
		l.T("admin.date"), l.T("admin.courses.start"), l.T("admin.attendance.status"), l.T("admin.attendance.in_run"), l.T("admin.attendance.note")}}
	for _, g := range grids {
		name := g.Course.Name(l.Lang.Code)
		for _, r := range g.Rows {
			for i, cell := range r.Cells {
				if cell == store.CellNone {
					continue
				}
				s := g.Sessions[i]
				_, word := cellMark(l, cell)
				run := ""
				if r.InRun[i] {
					run = l.T("admin.attendance.yes")
				}
				t = append(t, []string{name, l.T("admin.courses.activity." + string(g.Course.Activity)), r.Nickname,
					l.Date(s.Start()), l.Time(s.Start()), word, run, r.Note})
			}
		}
	}
	return t
}

func (a *Admin) attendanceExport(c *fiber.Ctx, l *web.Loc, grids []store.AttendanceGrid, q attendanceQuery, format string) error {
	name := "drempel-attendance-" + q.From + "-" + q.To
	if format != "pdf" {
		return a.export(c, name, format, attendanceTable(l, grids))
	}
	doc := printing.AttendanceDoc{
		Title:    l.T("admin.attendance.title"),
		Subtitle: web.SiteOf(c).Name + " · " + l.Date(mustDay(q.From, c)) + " – " + l.Date(mustDay(q.To, c)),
		Legend: strings.Join([]string{
			l.T("admin.attendance.short.present") + " " + l.T("admin.attendance.cell.present"),
			l.T("admin.attendance.short.absent") + " " + l.T("admin.attendance.cell.absent"),
			l.T("admin.attendance.short.excused") + " " + l.T("admin.attendance.cell.excused"),
			"· " + l.T("admin.attendance.cell.upcoming"),
		}, "   ") + "   " + l.T("admin.attendance.run_legend", "Count", store.AbsentRun),
		Participant: l.T("admin.attendance.participant"),
		Totals:      l.T("admin.attendance.totals"),
		Note:        l.T("admin.attendance.note"),
		Empty:       l.T("admin.attendance.empty"),
		Lang:        l.Lang.Code, Dir: l.Lang.Dir(),
	}
	for _, g := range grids {
		pg := printing.AttendanceGrid{Heading: g.Course.Name(l.Lang.Code) + " · " + l.T("admin.courses.activity."+string(g.Course.Activity))}
		for _, s := range g.Sessions {
			pg.Sessions = append(pg.Sessions, l.DayMonth(s.Start()))
		}
		for _, r := range g.Rows {
			pr := printing.AttendanceRow{Name: r.Nickname, Note: r.Note, InRun: r.InRun,
				Totals: fmt.Sprintf("%s %d · %s %d · %s %d", l.T("admin.attendance.short.present"), r.Present,
					l.T("admin.attendance.short.absent"), r.Absent, l.T("admin.attendance.short.excused"), r.Excused)}
			for _, cell := range r.Cells {
				short, _ := cellMark(l, cell)
				pr.Cells = append(pr.Cells, short)
			}
			pg.Rows = append(pg.Rows, pr)
		}
		doc.Grids = append(doc.Grids, pg)
	}
	return sendPDF(c, name+".pdf", func(w io.Writer) error { return printing.WriteAttendancePDF(w, doc) })
}

// mustDay reads a day the review wrote itself.
func mustDay(s string, c *fiber.Ctx) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, s, web.SiteOf(c).Location())
	return t
}

// attendanceNote keeps the staff-only note about a participant of a
// course; the member must have had a seat in one of its sessions.
func (a *Admin) attendanceNote(c *fiber.Ctx) error {
	course, err := a.loadCourse(c)
	if err != nil {
		return err
	}
	mid, err := strconv.ParseInt(c.FormValue("member"), 10, 64)
	if err != nil || mid <= 0 {
		return fiber.ErrNotFound
	}
	by := currentUser(c).ID
	err = a.st.SetAttendanceNote(c.UserContext(), course.ID, mid, c.FormValue("note"), &by)
	if _, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.attendance.err.note")
	}
	if errors.Is(err, store.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	back := fmt.Sprintf("/admin/attendance?course=%d", course.ID)
	return c.Redirect(safeBack(c.FormValue("back"), back), fiber.StatusSeeOther)
}
