package admin

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// Figures for a period (issue 11): per site, or for the network (every
// site for an admin, the user's own sites for anyone else), each figure
// next to the previous period of the same length. Every count goes out
// through store's Mask: no count from 1 to 4 shows, nor can be worked
// out from the others.
//
// figuresFor assembles everything once, as tables of masked text; the
// page and the XLSX only lay them out. Another output (a PDF, charts, a
// funder's layout) takes the same figuresData, or its Now/Before
// store.Figures for what the tables do not hold (per month).

// figTable is one block: rows of a label and, for each column, the
// period's value next to the previous one's.
type figTable struct {
	ID      string // people, courses, lab, lending, thresholds
	Title   string
	RowHead string
	Cols    []string
	Rows    []figRow
}

type figRow struct {
	Label string
	Cells []figCell
	Total bool
}

type figCell struct{ Now, Before string }

type figuresData struct {
	Range, Scope     string
	From, To         string // the period's first and last day
	PrevFrom, PrevTo string
	Now, Before      *store.Figures
	Tables           []figTable
}

// figRanges are the period shortcuts.
var figRanges = []string{"month", "last_quarter", "year", "last_year"}

// figPeriod reads the period: a shortcut (?range=), or ?from= and ?to=
// (to inclusive); this month by default.
func figPeriod(c *fiber.Ctx, loc *time.Location, now time.Time) (string, store.Period, error) {
	r := c.Query("range")
	if r == "" && c.Query("from") == "" && c.Query("to") == "" {
		r = "month"
	}
	if r != "" {
		p, ok := store.NamedPeriod(r, now, loc)
		if !ok {
			return r, store.Period{}, fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
		}
		return r, p, nil
	}
	from, to, err := period(c, loc, now)
	if err != nil {
		return "", store.Period{}, err
	}
	if to.Sub(from) > 11*366*24*time.Hour {
		return "", store.Period{}, fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
	}
	return "", store.Period{From: from, To: to}, nil
}

// figuresFor counts and masks the figures the request asks for.
func (a *Admin) figuresFor(c *fiber.Ctx, l *web.Loc) (*figuresData, error) {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	r, p, err := figPeriod(c, site.Location(), a.st.Now())
	if err != nil {
		return nil, err
	}
	d := &figuresData{Range: r, Scope: "site"}
	ids := []int64{site.ID}
	if c.Query("scope") == "network" {
		d.Scope = "network"
		sites, err := a.st.UserSites(ctx, currentUser(c).ID)
		if err != nil {
			return nil, err
		}
		ids = ids[:0]
		for _, s := range sites {
			ids = append(ids, s.ID)
		}
	}
	prev := p.Previous()
	if d.Now, err = a.st.PeriodFigures(ctx, ids, p); err != nil {
		return nil, err
	}
	if d.Before, err = a.st.PeriodFigures(ctx, ids, prev); err != nil {
		return nil, err
	}
	d.From, d.To = p.From.Format(time.DateOnly), p.Last().Format(time.DateOnly)
	d.PrevFrom, d.PrevTo = prev.From.Format(time.DateOnly), prev.Last().Format(time.DateOnly)
	d.Tables = figTables(l, d.Now.Mask(), d.Before.Mask())
	return d, nil
}

// figTables lays the masked figures of the period (n) and the one before
// (b) out as the blocks' tables.
func figTables(l *web.Loc, n, b *store.MaskedFigures) []figTable {
	one := func(label, now, before string) figRow {
		return figRow{Label: label, Cells: []figCell{{now, before}}}
	}
	value := []string{l.T("admin.figures.value")}
	people := figTable{ID: "people", Title: l.T("admin.figures.people"), RowHead: l.T("admin.figures.figure"), Cols: value, Rows: []figRow{
		one(l.T("admin.figures.participants"), n.Participants, b.Participants),
		one(l.T("admin.figures.new"), n.NewParticipants, b.NewParticipants),
		one(l.T("admin.figures.returning"), n.Returning, b.Returning),
		one(l.T("admin.figures.visits"), n.Visits, b.Visits),
	}}

	courses := figTable{ID: "courses", Title: l.T("admin.figures.courses"), RowHead: l.T("admin.figures.course"),
		Cols: []string{l.T("admin.figures.sessions"), l.T("admin.figures.course_participants"), l.T("admin.figures.hours"), l.T("admin.figures.fill"),
			l.T("admin.figures.smiley.1"), l.T("admin.figures.smiley.2"), l.T("admin.figures.smiley.3"), l.T("admin.figures.smiley.4")}}
	courseCells := func(x, y store.MaskedCourse) []figCell {
		return []figCell{{x.Sessions, y.Sessions}, {x.Participants, y.Participants}, {x.Hours, y.Hours}, {x.Fill, y.Fill},
			{x.Smileys[1], y.Smileys[1]}, {x.Smileys[2], y.Smileys[2]}, {x.Smileys[3], y.Smileys[3]}, {x.Smileys[4], y.Smileys[4]}}
	}
	lang := l.Lang.Code
	zero := store.MaskedCourse{Sessions: "0", Participants: "0", Hours: "0.0", Fill: "0 %", Smileys: [5]string{"0", "0", "0", "0", "0"}}
	before := map[int64]store.MaskedCourse{}
	for _, c := range b.Courses {
		before[c.Course.ID] = c
	}
	seen := map[int64]bool{}
	for _, c := range n.Courses {
		seen[c.Course.ID] = true
		y, ok := before[c.Course.ID]
		if !ok {
			y = zero
		}
		courses.Rows = append(courses.Rows, figRow{Label: c.Course.Name(lang, "nl", "fr"), Cells: courseCells(c, y)})
	}
	for _, c := range b.Courses {
		if !seen[c.Course.ID] {
			courses.Rows = append(courses.Rows, figRow{Label: c.Course.Name(lang, "nl", "fr"), Cells: courseCells(zero, c)})
		}
	}
	courses.Rows = append(courses.Rows, figRow{Label: l.T("admin.figures.total"), Cells: courseCells(n.CourseTotals, b.CourseTotals), Total: true})

	lab := figTable{ID: "lab", Title: l.T("admin.figures.lab"), RowHead: l.T("admin.figures.figure"), Cols: value, Rows: []figRow{
		one(l.T("admin.figures.bookings"), n.Bookings, b.Bookings),
		one(l.T("admin.figures.hours_booked"), n.BookedHours, b.BookedHours),
		one(l.T("admin.figures.hours_used"), n.UsedHours, b.UsedHours),
		one(l.T("admin.figures.no_show_rate"), n.NoShowRate, b.NoShowRate),
	}}

	lending := figTable{ID: "lending", Title: l.T("admin.figures.lending"), RowHead: l.T("admin.devices.type"),
		Cols: []string{l.T("admin.figures.loans"), l.T("admin.figures.loan_days"), l.T("admin.figures.overdue")}}
	loanCells := func(x, y store.MaskedLoan) []figCell {
		return []figCell{{x.Loans, y.Loans}, {x.Days, y.Days}, {x.Overdue, y.Overdue}}
	}
	for _, t := range store.DeviceTypes {
		x, y := store.MaskedLoan{Loans: "0", Days: "0", Overdue: "0 %"}, store.MaskedLoan{Loans: "0", Days: "0", Overdue: "0 %"}
		found := false
		for _, m := range n.Loans {
			if m.Type == t {
				x, found = m, true
			}
		}
		for _, m := range b.Loans {
			if m.Type == t {
				y, found = m, true
			}
		}
		if found {
			lending.Rows = append(lending.Rows, figRow{Label: l.T("admin.devices.type." + string(t)), Cells: loanCells(x, y)})
		}
	}
	lending.Rows = append(lending.Rows, figRow{Label: l.T("admin.figures.total"), Cells: loanCells(n.LoanTotals, b.LoanTotals), Total: true})

	th := figTable{ID: "thresholds", Title: l.T("admin.figures.thresholds"), RowHead: l.T("admin.figures.figure"), Cols: value}
	th.Rows = append(th.Rows, figRow{Label: l.T("admin.figures.reports"), Cells: []figCell{{n.Reports, b.Reports}}, Total: true})
	split := func(heading, prefix string, keys []string, x, y store.MaskedBreakdown) {
		lookup := func(m store.MaskedBreakdown, k string) string {
			if m.Withheld {
				return store.HiddenValue
			}
			for _, line := range m.Lines {
				if line.Key == k {
					return line.Count
				}
			}
			return "0"
		}
		for _, k := range keys {
			cx, cy := lookup(x, k), lookup(y, k)
			if cx == "0" && cy == "0" {
				continue
			}
			th.Rows = append(th.Rows, one(heading+": "+l.T(prefix+k), cx, cy))
		}
	}
	split(l.T("admin.thresholds.domain"), "kiosk.report.domain.", store.ThresholdDomains, n.ByDomain, b.ByDomain)
	split(l.T("admin.thresholds.problem"), "kiosk.report.problem.", store.ThresholdProblems, n.ByProblem, b.ByProblem)
	split(l.T("admin.thresholds.level"), "admin.thresholds.level.", store.ThresholdLevels, n.ByLevel, b.ByLevel)
	th.Rows = append(th.Rows,
		one(l.T("admin.figures.themes_opened"), n.ThemesOpened, b.ThemesOpened),
		one(l.T("admin.figures.themes_solved"), n.ThemesSolved, b.ThemesSolved))
	return []figTable{people, courses, lab, lending, th}
}

// figuresPage is GET /admin/figures, and /admin/figures.xlsx: one sheet
// per block.
func (a *Admin) figuresPage(c *fiber.Ctx) error {
	v := a.view(c, nil)
	d, err := a.figuresFor(c, v.L)
	if err != nil {
		return err
	}
	switch c.Params("format") {
	case "":
	case "xlsx":
		return a.figuresXLSX(c, v.L, d)
	default:
		return fiber.ErrNotFound
	}
	v.Data = map[string]any{"F": d, "Ranges": figRanges, "Query": figQuery(d, d.Scope),
		"SiteQuery": figQuery(d, "site"), "NetworkQuery": figQuery(d, "network")}
	return a.w.Render(c, fiber.StatusOK, "admin/figures", v)
}

func (a *Admin) figuresXLSX(c *fiber.Ctx, l *web.Loc, d *figuresData) error {
	now := d.From + " – " + d.To
	before := d.PrevFrom + " – " + d.PrevTo
	var sheets []web.Sheet
	for _, t := range d.Tables {
		head := []string{t.RowHead}
		for _, col := range t.Cols {
			head = append(head, col+" ("+now+")", col+" ("+before+")")
		}
		tab := web.Table{head}
		for _, r := range t.Rows {
			row := []string{r.Label}
			for _, cell := range r.Cells {
				row = append(row, cell.Now, cell.Before)
			}
			tab = append(tab, row)
		}
		name := t.Title
		if len([]rune(name)) > 31 {
			name = string([]rune(name)[:31])
		}
		sheets = append(sheets, web.Sheet{Name: name, Table: tab})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="drempel-figures-`+d.Scope+"-"+d.From+`.xlsx"`)
	return web.WriteXLSXBook(c.Response().BodyWriter(), sheets)
}

// figQuery is the query string of the figures in another format or scope.
func figQuery(d *figuresData, scope string) string {
	if d.Range != "" {
		return "?range=" + d.Range + "&scope=" + scope
	}
	return "?from=" + d.From + "&to=" + d.To + "&scope=" + scope
}
