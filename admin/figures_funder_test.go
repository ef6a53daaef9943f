package admin_test

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// figB is site B's figures of the period the tests ask for
// (figuresQuery), and of the one before, as the store masks them.
func figB(t *testing.T, st *store.Store, b *store.Site) (now, before *store.MaskedFigures) {
	t.Helper()
	loc := b.Location()
	p := store.Period{From: time.Date(2025, 3, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 7, 1, 0, 0, 0, 0, loc)}
	n, err := st.PeriodFigures(ctx, []int64{b.ID}, p)
	if err != nil {
		t.Fatal(err)
	}
	y, err := st.PeriodFigures(ctx, []int64{b.ID}, p.Previous())
	if err != nil {
		t.Fatal(err)
	}
	return n.Mask(), y.Mask()
}

const figuresQuery = "?from=2025-03-01&to=2026-06-30"

// The figures page draws its three charts, each an SVG image named by its
// caption in the catalog's words; a smiley count of fewer than 5 is a
// hatched bar labelled "< 5", never a bar of its true length.
func TestFiguresCharts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f, _, b := figuresFixture(t, st)
		nl := nlLoc(t)
		c := f.signIn(t, store.RoleAdmin)
		if r := switchTo(c, b.ID); r.Status != 303 {
			t.Fatalf("switch site: %d", r.Status)
		}
		body := c.Get("/admin/figures" + figuresQuery).Body
		for id, key := range map[string]string{"months": "admin.figures.chart.months", "attendance": "admin.figures.chart.attendance",
			"satisfaction": "admin.figures.chart.satisfaction"} {
			if !strings.Contains(body, `<figcaption id="ch-`+id+`-cap">`+nl.T(key)+`</figcaption>`) {
				t.Errorf("no caption %q for the %s chart", nl.T(key), id)
			}
			if !strings.Contains(body, `<svg class="chartsvg" role="img" aria-labelledby="ch-`+id+`-cap"`) {
				t.Errorf("no SVG image named by its caption for the %s chart", id)
			}
		}
		now, _ := figB(t, st, b)
		var small store.MaskedCourse
		for _, mc := range now.Courses {
			if mc.Course.Name("nl") == "Small group" {
				small = mc
			}
		}
		if small.Smileys[1] != store.MaskedSmall {
			t.Fatalf("the seed's small group has smiley 1 %q, want %q", small.Smileys[1], store.MaskedSmall)
		}
		sat := regexp.MustCompile(`(?s)<figure class="figchart" id="ch-satisfaction">.*?</figure>`).FindString(body)
		if !regexp.MustCompile(`<rect [^>]*fill="url\(#ch-satisfaction-h0\)"[^>]*/><text [^>]*>&lt; 5</text>`).MatchString(sat) {
			t.Errorf("the small group's smiley 1 is not a hatched bar labelled < 5:\n%s", sat)
		}
		if !strings.Contains(body, html.EscapeString(nl.T("admin.figures.chart.hatched"))) {
			t.Error("the page does not say what a hatched bar is")
		}
		if !strings.Contains(body, `href="/admin/figures/funder`+strings.ReplaceAll(figuresQuery, "&", "&amp;")) {
			t.Error("the figures page does not link to the funder's layout of the same period")
		}
	})
}

// The funder's layout (AMIF) shows what the store counts, masked, next to
// the previous period, on the page, in the XLSX and in the PDF (in
// French when asked); a language course three people attended shows
// "< 5" in all three.
func TestFunderLayout(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f, _, b := figuresFixture(t, st)
		if err := st.W.Exec(`UPDATE courses SET activity = ? WHERE id IN (SELECT course_id FROM course_texts WHERE name = ?)`,
			store.ActivityLanguage, "Small group").Error; err != nil {
			t.Fatal(err)
		}
		nl := nlLoc(t)
		c := f.signIn(t, store.RoleAdmin)
		if r := switchTo(c, b.ID); r.Status != 303 {
			t.Fatalf("switch site: %d", r.Status)
		}
		r := c.Get("/admin/figures/funder" + figuresQuery)
		if r.Status != 200 {
			t.Fatalf("funder: %d", r.Status)
		}
		if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
			t.Errorf("untranslated: %v", ids)
		}
		now, before := figB(t, st, b)
		x, y := now.Support, before.Support
		count := func(m store.MaskedBreakdown, k string) string {
			if m.Withheld {
				return store.HiddenValue
			}
			for _, l := range m.Lines {
				if l.Key == k {
					return l.Count
				}
			}
			return "0"
		}
		type want struct{ section, label, now, before string }
		wants := []want{
			{"support", nl.T("admin.funder.participants"), x.Participants, y.Participants},
			{"support", nl.T("admin.funder.helped"), x.Helped, y.Helped},
			{"support", nl.T("admin.funder.completed"), x.Completed, y.Completed},
			{"support", nl.T("admin.funder.hours"), x.Hours, y.Hours},
		}
		for _, a := range store.CourseActivities {
			wants = append(wants, want{"support", nl.T("admin.funder.of_which", "What", nl.T("admin.courses.activity."+string(a))),
				count(x.ByActivity, string(a)), count(y.ByActivity, string(a))})
		}
		for _, g := range store.Genders {
			wants = append(wants, want{"gender", nl.T("admin.profile.gender." + g), count(x.ByGender, g), count(y.ByGender, g)})
		}
		for _, a := range store.AgeBands {
			wants = append(wants, want{"age", nl.T("admin.profile.age_band." + a), count(x.ByAgeBand, a), count(y.ByAgeBand, a)})
		}
		for _, w := range wants {
			if got := figCell(t, r.Body, w.section, w.label, 0); got != w.now {
				t.Errorf("%s: %q, the store says %q", w.label, got, w.now)
			}
			if got := figCell(t, r.Body, w.section, w.label, 1); got != w.before {
				t.Errorf("%s, previous period: %q, the store says %q", w.label, got, w.before)
			}
		}
		language := nl.T("admin.funder.of_which", "What", nl.T("admin.courses.activity.language"))
		if got := figCell(t, r.Body, "support", language, 0); got != store.MaskedSmall {
			t.Errorf("3 in a language course show as %q, want %q", got, store.MaskedSmall)
		}
		if x.Participants == "0" || x.Participants == "" {
			t.Errorf("no support participants counted (%q): the seed has courses", x.Participants)
		}
		if strings.Contains(r.Body, ">3<") || strings.Contains(r.Body, ">1<") {
			t.Error("a count below 5 shows on the funder's page")
		}

		xl := c.Get("/admin/figures/funder.xlsx" + figuresQuery)
		book, err := excelize.OpenReader(bytes.NewReader([]byte(xl.Body)))
		if err != nil {
			t.Fatalf("xlsx (%d): %v", xl.Status, err)
		}
		defer book.Close()
		noSmallCounts(t, book)
		rows, err := book.GetRows(nl.T("admin.funder.support"))
		if err != nil {
			t.Fatalf("no sheet %q: %v", nl.T("admin.funder.support"), err)
		}
		found := false
		for _, row := range rows {
			if len(row) > 2 && row[0] == language {
				found = row[1] == store.MaskedSmall
			}
		}
		if !found {
			t.Errorf("the XLSX lacks %q with %q: %v", language, store.MaskedSmall, rows)
		}

		// In French, whatever the staff member reads.
		cat, err := web.NewI18n(nil)
		if err != nil {
			t.Fatal(err)
		}
		fr := cat.Loc("fr", "fr")
		pdf := c.Get("/admin/figures/funder.pdf" + figuresQuery + "&lang=fr")
		if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("funder pdf: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
		}
		text := pdfRawText(t, []byte(pdf.Body))
		frLanguage := fr.T("admin.funder.of_which", "What", fr.T("admin.courses.activity.language"))
		for _, line := range []string{fr.T("admin.funder.title"), frLanguage + " " + store.MaskedSmall + " ",
			fr.T("admin.funder.participants") + " " + x.Participants + " " + y.Participants} {
			if !strings.Contains(text, line) {
				t.Errorf("the French PDF lacks %q:\n%s", line, text)
			}
		}
		if strings.Contains(text, nl.T("admin.funder.title")) {
			t.Error("the French PDF has the Dutch title")
		}

		// Without ?lang=, the staff member's language; a staff member who
		// reads English gets the server's default, Dutch; a language a
		// funder is not sent in is not one.
		title := func(q string) string {
			t.Helper()
			r := c.Get("/admin/figures/funder.pdf" + figuresQuery + q)
			if r.Status != 200 {
				t.Fatalf("funder pdf%s: %d", q, r.Status)
			}
			return pdfRawText(t, []byte(r.Body))
		}
		if got := title(""); !strings.Contains(got, nl.T("admin.funder.title")) {
			t.Errorf("a Dutch-speaking admin's PDF is not in Dutch:\n%s", got)
		}
		c.Post("/admin/lang", webtest.Form("lang", "en", "back", "/admin/figures"))
		en := cat.Loc("en", "en")
		if page := c.Get("/admin/figures/funder" + figuresQuery).Body; !strings.Contains(page, en.T("admin.funder.title")) {
			t.Fatal("the admin did not switch to English")
		}
		for _, q := range []string{"", "&lang=en", "&lang=de"} {
			if got := title(q); !strings.Contains(got, nl.T("admin.funder.title")) || strings.Contains(got, en.T("admin.funder.title")) {
				t.Errorf("an English-speaking admin's PDF%s is not in Dutch:\n%s", q, got)
			}
		}
	})
}
