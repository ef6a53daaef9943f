package admin

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/chart"
	"github.com/drempel/drempel/web/printing"
)

// Figures for a period (issue 11): per site, or for the network (every
// site for an admin, the user's own sites for anyone else), each figure
// next to the previous period of the same length. Every count goes out
// through store's Mask: no count from 1 to 4 shows, nor can be worked
// out from the others.
//
// figuresFor assembles everything once, as tables of masked text; the
// page, the XLSX and the PDF (in Dutch or French, for a funder) only lay
// them out. The charts (people per month, attendance and smileys per
// course) and the funder's layout (support activities, as AMIF asks)
// take figuresData's Now and Before, masked, for what the tables do not
// hold. Nothing here shows a number that did not go through Mask.

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
	// The period and the one before, side by side. The network's figures
	// are masked against each site's own too (store.NetworkFigures), and
	// so is every later Mask of them.
	count := func(q store.Period) (*store.Figures, *store.MaskedFigures, error) {
		if d.Scope == "network" {
			return a.st.NetworkFigures(ctx, ids, q)
		}
		f, err := a.st.PeriodFigures(ctx, ids, q)
		if err != nil {
			return nil, nil, err
		}
		return f, f.Mask(), nil
	}
	var before *store.MaskedFigures
	var errBefore error
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Before, before, errBefore = count(prev)
	}()
	var now *store.MaskedFigures
	d.Now, now, err = count(p)
	<-done
	if err != nil {
		return nil, err
	}
	if errBefore != nil {
		return nil, errBefore
	}
	d.From, d.To = p.From.Format(time.DateOnly), p.Last().Format(time.DateOnly)
	d.PrevFrom, d.PrevTo = prev.From.Format(time.DateOnly), prev.Last().Format(time.DateOnly)
	d.Tables = figTables(l, now, before)
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
		for _, k := range keys {
			cx, cy := lineCount(x, k), lineCount(y, k)
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
	return []figTable{people, profileTable(l, n, b), courses, lab, lending, th, helpTable(l, n, b), tandemsTable(l, n, b)}
}

// helpTable is the help queue's block: tickets, how they ended, and how
// long visitors waited for a helper.
func helpTable(l *web.Loc, n, b *store.MaskedFigures) figTable {
	one := func(label, now, before string) figRow {
		return figRow{Label: label, Cells: []figCell{{now, before}}}
	}
	t := figTable{ID: "help", Title: l.T("admin.figures.help"), RowHead: l.T("admin.figures.figure"), Cols: []string{l.T("admin.figures.value")},
		Rows: []figRow{{Label: l.T("admin.figures.help.tickets"), Cells: []figCell{{n.Help.Tickets, b.Help.Tickets}}, Total: true}}}
	for _, k := range append(append([]string(nil), store.HelpOutcomes...), "open") {
		label := l.T("admin.figures.help.open")
		if k != "open" {
			label = l.T("admin.help.outcome." + k)
		}
		t.Rows = append(t.Rows, one(label, lineCount(n.Help.Outcomes, k), lineCount(b.Help.Outcomes, k)))
	}
	t.Rows = append(t.Rows,
		one(l.T("admin.figures.help.days"), n.Help.Days, b.Help.Days),
		one(l.T("admin.figures.help.wait_median"), n.Help.WaitMedian, b.Help.WaitMedian),
		one(l.T("admin.figures.help.wait_p90"), n.Help.WaitP90, b.Help.WaitP90))
	return t
}

// tandemsTable is the mentoring tandems' block.
func tandemsTable(l *web.Loc, n, b *store.MaskedFigures) figTable {
	one := func(label, now, before string) figRow {
		return figRow{Label: label, Cells: []figCell{{now, before}}}
	}
	t := figTable{ID: "tandems", Title: l.T("admin.figures.tandems"), RowHead: l.T("admin.figures.figure"), Cols: []string{l.T("admin.figures.value")},
		Rows: []figRow{
			one(l.T("admin.figures.tandems.active"), n.Tandems.Active, b.Tandems.Active),
			one(l.T("admin.figures.tandems.new"), n.Tandems.New, b.Tandems.New),
			one(l.T("admin.figures.tandems.meetings"), n.Tandems.Meetings, b.Tandems.Meetings),
			one(l.T("admin.figures.tandems.hours"), n.Tandems.Hours, b.Tandems.Hours),
		}}
	before := map[string]string{}
	for _, o := range b.Tandems.Outcomes {
		before[o.Key] = o.Count
	}
	for _, o := range n.Tandems.Outcomes {
		t.Rows = append(t.Rows, one(l.T("admin.figures.tandems.outcome")+": "+l.T("admin.tandems.outcome."+o.Key), o.Count, before[o.Key]))
	}
	return t
}

// lineCount is a breakdown's count for a key: "0" when it has none, and
// hidden when the breakdown is withheld.
func lineCount(m store.MaskedBreakdown, k string) string {
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

// profileRows are a breakdown of participants by age band or gender as
// rows: every band a funder asks about, even at 0, then those never
// asked (members registered before the question) when there are any.
func profileRows(l *web.Loc, heading, prefix string, keys []string, x, y store.MaskedBreakdown) []figRow {
	var rows []figRow
	for _, k := range append(append([]string(nil), keys...), "") {
		cx, cy := lineCount(x, k), lineCount(y, k)
		label := l.T(prefix + k)
		if k == "" {
			if cx == "0" && cy == "0" {
				continue
			}
			label = l.T("admin.profile.not_asked")
		}
		if heading != "" {
			label = heading + ": " + label
		}
		rows = append(rows, figRow{Label: label, Cells: []figCell{{cx, cy}}})
	}
	return rows
}

// profileTable is the participants' profile: age band, gender (both
// optional at registration) and language. Never nationality or
// residence status: Drempel does not hold them.
func profileTable(l *web.Loc, n, b *store.MaskedFigures) figTable {
	t := figTable{ID: "profile", Title: l.T("admin.figures.profile"), RowHead: l.T("admin.figures.figure"), Cols: []string{l.T("admin.figures.value")}}
	t.Rows = append(t.Rows, profileRows(l, l.T("admin.figures.age_band"), "admin.profile.age_band.", store.AgeBands, n.ByAgeBand, b.ByAgeBand)...)
	t.Rows = append(t.Rows, profileRows(l, l.T("admin.figures.gender"), "admin.profile.gender.", store.Genders, n.ByGender, b.ByGender)...)
	// Languages: those either period counts, in the order Drempel offers
	// them, then any other code as it is.
	has := map[string]bool{}
	var codes []string
	for _, m := range []store.MaskedBreakdown{n.ByLang, b.ByLang} {
		for _, line := range m.Lines {
			has[line.Key] = true
		}
	}
	for _, lang := range web.Languages {
		if has[lang.Code] {
			codes = append(codes, lang.Code)
			delete(has, lang.Code)
		}
	}
	for _, m := range []store.MaskedBreakdown{n.ByLang, b.ByLang} {
		for _, line := range m.Lines {
			if has[line.Key] {
				codes = append(codes, line.Key)
				delete(has, line.Key)
			}
		}
	}
	heading := l.T("admin.figures.lang")
	for _, code := range codes {
		name := code
		if lang, ok := web.LookupLanguage(code); ok {
			name = lang.Endonym
		}
		t.Rows = append(t.Rows, figRow{Label: heading + ": " + name, Cells: []figCell{{lineCount(n.ByLang, code), lineCount(b.ByLang, code)}}})
	}
	if len(codes) == 0 && (n.ByLang.Withheld || b.ByLang.Withheld) {
		t.Rows = append(t.Rows, figRow{Label: heading, Cells: []figCell{{lineCount(n.ByLang, "-"), lineCount(b.ByLang, "-")}}})
	}
	return t
}

// figLayout is one way to lay a period's figures out: all of them, or
// as a funder asks. Each is a page, an XLSX and a PDF in Dutch or French.
type figLayout struct {
	name, title, template, path string
	tables                      func(l *web.Loc, d *figuresData) []figTable
	charts                      bool
}

var (
	allFigures = figLayout{name: "figures", title: "admin.figures.title", template: "admin/figures", path: "/admin/figures",
		tables: func(_ *web.Loc, d *figuresData) []figTable { return d.Tables }, charts: true}
	funderFigures = figLayout{name: "funder", title: "admin.funder.title", template: "admin/figures_funder", path: "/admin/figures/funder",
		tables: func(l *web.Loc, d *figuresData) []figTable { return funderTables(l, d.Now.Mask(), d.Before.Mask()) }}
)

// figuresPage is GET /admin/figures, with charts; /admin/figures.xlsx,
// one sheet per block; and /admin/figures.pdf, in Dutch or French.
func (a *Admin) figuresPage(c *fiber.Ctx) error { return a.figuresIn(c, allFigures) }

// funderPage is GET /admin/figures/funder, and its .pdf and .xlsx: the
// period's figures shaped as an integration funder (AMIF) asks for them.
func (a *Admin) funderPage(c *fiber.Ctx) error { return a.figuresIn(c, funderFigures) }

func (a *Admin) figuresIn(c *fiber.Ctx, lay figLayout) error {
	v := a.view(c, nil)
	format := c.Params("format")
	l := v.L
	switch format {
	case "", "xlsx":
	case "pdf":
		l = a.figPDFLoc(c, v.L)
	default:
		return fiber.ErrNotFound
	}
	d, err := a.figuresFor(c, l)
	if err != nil {
		return err
	}
	tables := lay.tables(l, d)
	var charts []*chart.Chart
	if lay.charts {
		charts = figCharts(l, d.Now.Mask())
	}
	switch format {
	case "xlsx":
		return figuresXLSX(c, lay.name, d, tables)
	case "pdf":
		return a.figuresPDF(c, l, lay.name, l.T(lay.title), d, tables, charts)
	}
	data := figView(d, tables, lay.path)
	if lay.charts {
		data["Charts"] = charts
	}
	v.Data = data
	return a.w.Render(c, fiber.StatusOK, lay.template, v)
}

// figView is what the figures' pages show: the period, its choices, the
// tables, and links to the other formats.
func figView(d *figuresData, tables []figTable, path string) map[string]any {
	return map[string]any{"F": d, "Tables": tables, "Path": path, "Ranges": figRanges, "Query": figQuery(d, d.Scope),
		"SiteQuery": figQuery(d, "site"), "NetworkQuery": figQuery(d, "network"), "PDFLangs": figPDFLangs}
}

// funderTables lay the support figures out as an integration funder's
// report asks: participants in support activities (courses with
// attendance), of which in each kind of activity; those who said it
// helped them; the hours; those who completed a course or series; and
// the participants by gender and by age band.
func funderTables(l *web.Loc, n, b *store.MaskedFigures) []figTable {
	x, y := n.Support, b.Support
	one := func(label, now, before string) figRow {
		return figRow{Label: label, Cells: []figCell{{now, before}}}
	}
	value := []string{l.T("admin.figures.value")}
	support := figTable{ID: "support", Title: l.T("admin.funder.support"), RowHead: l.T("admin.figures.figure"), Cols: value}
	support.Rows = append(support.Rows, figRow{Label: l.T("admin.funder.participants"), Cells: []figCell{{x.Participants, y.Participants}}, Total: true})
	for _, act := range store.CourseActivities {
		k := string(act)
		support.Rows = append(support.Rows, one(l.T("admin.funder.of_which", "What", l.T("admin.courses.activity."+k)),
			lineCount(x.ByActivity, k), lineCount(y.ByActivity, k)))
	}
	support.Rows = append(support.Rows,
		one(l.T("admin.funder.helped"), x.Helped, y.Helped),
		one(l.T("admin.funder.completed"), x.Completed, y.Completed),
		one(l.T("admin.funder.hours"), x.Hours, y.Hours))
	gender := figTable{ID: "gender", Title: l.T("admin.funder.by_gender"), RowHead: l.T("admin.figures.gender"), Cols: value,
		Rows: profileRows(l, "", "admin.profile.gender.", store.Genders, x.ByGender, y.ByGender)}
	age := figTable{ID: "age", Title: l.T("admin.funder.by_age"), RowHead: l.T("admin.figures.age_band"), Cols: value,
		Rows: profileRows(l, "", "admin.profile.age_band.", store.AgeBands, x.ByAgeBand, y.ByAgeBand)}
	return []figTable{support, gender, age}
}

// figCharts are the figures people would rather look at: people per
// month, attendance hours per course, and the smileys per course, of
// the period (the tables hold the previous one).
func figCharts(l *web.Loc, n *store.MaskedFigures) []*chart.Chart {
	empty := l.T("admin.figures.chart.empty")
	var months []chart.Row
	for _, m := range n.Months {
		months = append(months, chart.Row{Label: m.Month.Format("01/2006"), Values: []string{m.Participants, m.Visits}})
	}
	people := chart.New("months", l.T("admin.figures.chart.months"), empty, []chart.Series{
		{Name: l.T("admin.figures.participants"), Color: chartGreen},
		{Name: l.T("admin.figures.visits"), Color: chartBlue},
	}, months)
	lang := l.Lang.Code
	var hours, smileys []chart.Row
	for _, c := range n.Courses {
		name := c.Course.Name(lang, "nl", "fr")
		hours = append(hours, chart.Row{Label: name, Values: []string{c.Hours}})
		// A course nobody rated has no smileys to draw.
		if c.Rated != "0" {
			smileys = append(smileys, chart.Row{Label: name, Values: []string{c.Smileys[1], c.Smileys[2], c.Smileys[3], c.Smileys[4]}})
		}
	}
	attendance := chart.New("attendance", l.T("admin.figures.chart.attendance"), empty,
		[]chart.Series{{Name: l.T("admin.figures.hours"), Color: chartGreen}}, hours)
	var faces []chart.Series
	for score, color := range smileyColors {
		faces = append(faces, chart.Series{Name: l.T(fmt.Sprintf("admin.figures.smiley.%d", score+1)), Color: color, Icon: fmt.Sprintf("smiley-%d", score+1)})
	}
	satisfaction := chart.New("satisfaction", l.T("admin.figures.chart.satisfaction"), empty, faces, smileys)
	return []*chart.Chart{people, attendance, satisfaction}
}

// The charts' colours: each at least 4.5:1 against white, so a bar
// stands out (WCAG 1.4.11 asks 3:1) and the smileys keep the course
// page's red to green.
const (
	chartGreen = "#0b6e4f"
	chartBlue  = "#1f5fa8"
)

var smileyColors = []string{"#b3261e", "#8a5a00", "#3d6b0c", "#0b6e4f"}

// figPDFLangs are the languages a funder's PDF is written in.
var figPDFLangs = []string{"nl", "fr"}

// figPDFLoc is the language of a PDF for a funder, Dutch or French: the
// one asked for (?lang=), else the staff member's own, else the
// server's default; English-speaking staff get Dutch unless the server
// speaks French by default, and may ask for either.
func (a *Admin) figPDFLoc(c *fiber.Ctx, l *web.Loc) *web.Loc {
	lang := ""
	for _, want := range []string{c.Query("lang"), l.Lang.Code, a.w.Opts.DefaultLang, "nl"} {
		if slices.Contains(figPDFLangs, want) {
			lang = want
			break
		}
	}
	return a.w.I18n.LocIn(lang, lang, web.SiteOf(c).Location())
}

// figuresPDF prints charts and tables of figures on landscape A4, each
// value as the page shows it.
func (a *Admin) figuresPDF(c *fiber.Ctx, l *web.Loc, name, title string, d *figuresData, tables []figTable, charts []*chart.Chart) error {
	day := func(s string) string {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return s
		}
		return t.Format("02/01/2006")
	}
	where := l.T("admin.figures.scope.site") + ": " + web.SiteOf(c).Name
	if d.Scope == "network" {
		where = l.T("admin.figures.scope.network")
	}
	doc := printing.FiguresDoc{
		Title: title,
		Subtitle: where + " · " + l.T("admin.figures.period") + ": " + day(d.From) + " – " + day(d.To) +
			" · " + l.T("admin.figures.before") + ": " + day(d.PrevFrom) + " – " + day(d.PrevTo),
		Charts: charts, ChartNote: l.T("admin.figures.chart.hatched"),
		Note:   l.T("admin.figures.masked_note"),
		Before: l.T("admin.figures.before"),
		Lang:   l.Lang.Code, Dir: l.Lang.Dir(),
	}
	for _, t := range tables {
		pt := printing.FiguresTable{Heading: t.Title, RowHead: t.RowHead, Cols: t.Cols}
		for _, r := range t.Rows {
			row := printing.FiguresRow{Label: r.Label}
			for _, cell := range r.Cells {
				row.Cells = append(row.Cells, [2]string{cell.Now, cell.Before})
			}
			pt.Rows = append(pt.Rows, row)
		}
		doc.Tables = append(doc.Tables, pt)
	}
	return sendPDF(c, "drempel-"+name+"-"+d.Scope+"-"+d.From+"-"+l.Lang.Code+".pdf", func(w io.Writer) error { return printing.WriteFiguresPDF(w, doc) })
}

// figuresXLSX writes the tables one sheet each, every figure next to the
// previous period's.
func figuresXLSX(c *fiber.Ctx, name string, d *figuresData, tables []figTable) error {
	now := d.From + " – " + d.To
	before := d.PrevFrom + " – " + d.PrevTo
	var sheets []web.Sheet
	for _, t := range tables {
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
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="drempel-`+name+"-"+d.Scope+"-"+d.From+`.xlsx"`)
	return web.WriteXLSXBook(c.Response().BodyWriter(), sheets)
}

// figQuery is the query string of the figures in another format or scope.
func figQuery(d *figuresData, scope string) string {
	if d.Range != "" {
		return "?range=" + d.Range + "&scope=" + scope
	}
	return "?from=" + d.From + "&to=" + d.To + "&scope=" + scope
}
