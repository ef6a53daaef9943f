package admin_test

import (
	"bytes"
	"html"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// figuresFixture is the figures' seed (the demo and site B) with one
// account per role; staff work at the demo site only.
func figuresFixture(t *testing.T, st *store.Store) (*fixture, *store.Site, *store.Site) {
	t.Helper()
	demo, b := storetest.SeedFigures(t, st)
	f := newFixture(t, st)
	return f, demo, b
}

// figCell is the text of a table's row (by its label) and column (0 is
// the first figure of the period, 1 the previous period's…).
func figCell(t *testing.T, body, section, label string, col int) string {
	t.Helper()
	sec := regexp.MustCompile(`(?s)<section id="f-` + section + `">.*?</section>`).FindString(body)
	row := regexp.MustCompile(`(?s)<tr[^>]*><th scope="row">` + regexp.QuoteMeta(html.EscapeString(label)) + `</th>(.*?)</tr>`).FindStringSubmatch(sec)
	if row == nil {
		t.Fatalf("no row %q in %s:\n%s", label, section, sec)
	}
	cells := regexp.MustCompile(`<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(row[1], -1)
	if col >= len(cells) {
		t.Fatalf("row %q has %d cells", label, len(cells))
	}
	return html.UnescapeString(cells[col][1])
}

// Issue 11, acceptance 4: a course three people attended shows "< 5" on
// the page and in the XLSX, read back.
func TestFiguresMaskSmallCounts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f, _, b := figuresFixture(t, st)
		nl := nlLoc(t)
		c := f.signIn(t, store.RoleAdmin)
		if r := switchTo(c, b.ID); r.Status != 303 {
			t.Fatalf("switch site: %d", r.Status)
		}
		q := "?from=2025-03-01&to=2026-06-30"
		r := c.Get("/admin/figures" + q)
		if r.Status != 200 {
			t.Fatalf("figures: %d", r.Status)
		}
		if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
			t.Errorf("untranslated: %v", ids)
		}
		// Participants is the second column pair: cells 2 and 3.
		if got := figCell(t, r.Body, "courses", "Small group", 2); got != store.MaskedSmall {
			t.Errorf("3 participants show as %q on the page", got)
		}
		if strings.Contains(r.Body, ">3<") || strings.Contains(r.Body, ">1<") {
			t.Errorf("a count below 5 shows on the page")
		}
		x := c.Get("/admin/figures.xlsx" + q)
		if x.Status != 200 || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx: %d %s", x.Status, x.Header.Get("Content-Type"))
		}
		book, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		want := []string{nl.T("admin.figures.people"), nl.T("admin.figures.profile"), nl.T("admin.figures.courses"), nl.T("admin.figures.lab"), nl.T("admin.figures.lending"), nl.T("admin.figures.thresholds")}
		if got := book.GetSheetList(); len(got) < len(want) || strings.Join(got[:len(want)], "|") != strings.Join(want, "|") {
			t.Errorf("sheets %v, want %v first", got, want)
		}
		rows, err := book.GetRows(nl.T("admin.figures.courses"))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range rows {
			if len(row) > 3 && row[0] == "Small group" {
				found = true
				if row[3] != store.MaskedSmall {
					t.Errorf("3 participants show as %q in the XLSX: %v", row[3], row)
				}
			}
		}
		if !found {
			t.Errorf("no Small group row in the XLSX: %v", rows)
		}
		// No cell anywhere in the workbook holds a count from 1 to 4.
		noSmallCounts(t, book)

		// The PDF, in the staff member's language (Dutch), prints the
		// same row as the XLSX: its first four columns, each with the
		// previous period's, in the first part of the courses' table.
		pdf := c.Get("/admin/figures.pdf" + q)
		if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
			t.Fatalf("pdf: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
		}
		text := pdfRawText(t, []byte(pdf.Body))
		if !strings.Contains(text, nl.T("admin.figures.title")) || !strings.Contains(text, nl.T("admin.figures.profile")) {
			t.Errorf("the PDF lacks its Dutch title or the profile:\n%s", text)
		}
		for _, row := range rows {
			if len(row) > 9 && row[0] == "Small group" {
				if line := strings.Join(row[:9], " "); !strings.Contains(text, line+"\n") {
					t.Errorf("the PDF lacks the line %q:\n%s", line, text)
				}
			}
		}
	})
}

// noSmallCounts fails on any cell of a workbook, but the first row and
// column, that holds a count from 1 to 4.
func noSmallCounts(t *testing.T, book *excelize.File) {
	t.Helper()
	for _, sh := range book.GetSheetList() {
		rows, _ := book.GetRows(sh)
		for _, row := range rows[1:] {
			for _, cell := range row[1:] {
				if n, err := strconv.Atoi(cell); err == nil && n > 0 && n < 5 {
					t.Errorf("sheet %s: a count of %d in %v", sh, n, row)
				}
			}
		}
	}
}

// pdfRawText is a PDF's text in the order it is drawn (pdftotext
// -raw): a table's row is one line, its cells one space apart.
func pdfRawText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing (poppler-utils); .ci/test installs it")
		}
		t.Skip("pdftotext not installed")
	}
	cmd := exec.Command("pdftotext", "-raw", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The page shows what the store counts, masked, for the site and for the
// network; the network of someone who works at one site is that site.
func TestFiguresScopeAndRoles(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f, demo, b := figuresFixture(t, st)
		nl := nlLoc(t)
		label := nl.T("admin.figures.visits")
		year := "?range=year"
		p := periodOfYear(demo)
		want := func(sites ...int64) string {
			t.Helper()
			fig, err := st.PeriodFigures(ctx, sites, p)
			if err != nil {
				t.Fatal(err)
			}
			return fig.Mask().Visits
		}
		admin := f.signIn(t, store.RoleAdmin)
		if got := figCell(t, admin.Get("/admin/figures"+year).Body, "people", label, 0); got != want(demo.ID) {
			t.Errorf("site visits %q, want %q", got, want(demo.ID))
		}
		net := admin.Get("/admin/figures" + year + "&scope=network").Body
		if got := figCell(t, net, "people", label, 0); got != want(demo.ID, b.ID) || got == want(demo.ID) {
			t.Errorf("network visits %q, want %q (the demo alone: %q)", got, want(demo.ID, b.ID), want(demo.ID))
		}
		staff := f.signIn(t, store.RoleStaff)
		if got := figCell(t, staff.Get("/admin/figures"+year+"&scope=network").Body, "people", label, 0); got != want(demo.ID) {
			t.Errorf("staff's network visits %q, want their site's %q", got, want(demo.ID))
		}
		if r := f.signIn(t, store.RoleCoordinator).Get("/admin/figures" + year); r.Status != 200 {
			t.Errorf("coordinator: %d", r.Status)
		}
		if r := f.signIn(t, store.RoleFacilitator).Get("/admin/figures"); r.Status != 403 {
			t.Errorf("facilitator: %d", r.Status)
		}
		for _, q := range []string{"?range=decade", "?from=2026-13-01", "?from=2026-05-01&to=2026-04-01"} {
			if r := admin.Get("/admin/figures" + q); r.Status != 400 {
				t.Errorf("%s: %d", q, r.Status)
			}
		}
		if r := admin.Get("/admin/figures.csv"); r.Status != 404 {
			t.Errorf("csv: %d", r.Status)
		}
		if r := admin.Get("/admin/figures/funder.pdf?range=decade"); r.Status != 400 {
			t.Errorf("funder pdf of a bad period: %d", r.Status)
		}
		if r := f.signIn(t, store.RoleFacilitator).Get("/admin/figures/funder"); r.Status != 403 {
			t.Errorf("facilitator, funder: %d", r.Status)
		}
		// Each shortcut is a period and the one before it.
		for _, rg := range []string{"month", "last_quarter", "year", "last_year"} {
			body := admin.Get("/admin/figures?range=" + rg).Body
			if !strings.Contains(body, `id="f-before"`) || !strings.Contains(body, `aria-current="page">`+nl.T("admin.figures.range."+rg)) {
				t.Errorf("shortcut %s: no period shown as current", rg)
			}
		}
	})
}

func periodOfYear(site *store.Site) store.Period {
	loc := site.Location()
	now := storetest.FiguresClock.In(loc)
	from := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
	return store.Period{From: from, To: from.AddDate(1, 0, 0)}
}

// nlLoc is the Dutch catalog, as the test clients read the pages.
func nlLoc(t *testing.T) *web.Loc {
	t.Helper()
	x, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	return x.Loc("nl", "nl")
}
