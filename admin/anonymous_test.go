package admin_test

import (
	"encoding/csv"
	"fmt"
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

// What the reports' visitors said, with what must never leave Drempel.
var rawWords = []struct{ text, name, phone string }{
	{"Ik ben Jan Peeters, bel me op 0470 12 34 56, de bank-app wil itsme", "Peeters", "0470 12 34 56"},
	{"Fatima El Amrani +32 3 123 45 67: de dokter neemt alleen online afspraken", "El Amrani", "123 45 67"},
}

// approvedWords are the facilitators' cleaned versions of rawWords, and a
// quote that looks like a formula.
var approvedWords = []string{"Zonder itsme kom ik niet in mijn bankapp.", "De dokter neemt alleen online afspraken.", `=HYPERLINK("http://x")`}

// seedDomains makes a theme of 11 reports on one day: domains counted
// 1 (health), 3 (school) and 7 (bank); one problem, one level. The first
// bank report and the health one carry rawWords; the health one was
// made by a member who asked for help.
func seedDomains(t *testing.T, st *store.Store) (theme *store.Theme, bank, health int64) {
	t.Helper()
	site, err := st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels") // the fixture's site
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Yonas", Lang: "ti"})
	if err != nil {
		t.Fatal(err)
	}
	theme, err = st.SaveTheme(ctx, 0, site.ID, store.ThemeInput{Title: "Alles moet online"})
	if err != nil {
		t.Fatal(err)
	}
	for domain, n := range map[string]int{"health": 1, "school": 3, "bank": 7} {
		for i := 0; i < n; i++ {
			in := store.ReportInput{SiteID: site.ID, Domain: domain, Problem: "online_only", Lang: "nl"}
			switch {
			case domain == "bank" && i == 0:
				in.Text = rawWords[0].text
			case domain == "health":
				in.Text, in.Lang, in.MemberID, in.WantsHelp = rawWords[1].text, "ar", &m.ID, true
			}
			r, err := st.ReportThreshold(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Triage(ctx, r.ID, store.TriageInput{Domain: domain, Problem: "online_only", Level: "meso", ThemeID: &theme.ID}); err != nil {
				t.Fatal(err)
			}
			switch {
			case domain == "bank" && i == 0:
				bank = r.ID
			case domain == "health":
				health = r.ID
			}
		}
	}
	return theme, bank, health
}

// The threshold export that Drempel offers as anonymous carries no
// visitor's own words, no member and no day, in CSV and XLSX alike: only
// the words a facilitator approved, and counts under 5 as "< 5".
func TestAnonymousThresholdExport(t *testing.T) {
	i18n, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	nl := i18n.Loc("nl", "nl")
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		theme, bank, health := seedDomains(t, st)
		c := f.signIn(t, store.RoleFacilitator)
		// The facilitator approves a cleaned version of each report's
		// words from the report's own page.
		for i, id := range []int64{bank, health, health} {
			page := c.Get(fmt.Sprintf("/admin/thresholds/%d", id))
			if !strings.Contains(page.Body, nl.T("admin.thresholds.shared_words")) {
				t.Fatalf("no shared words on the report's page:\n%s", page.Body)
			}
			back := fmt.Sprintf("/admin/thresholds/%d", id)
			r := c.Post(fmt.Sprintf("/admin/themes/%d/quotes", theme.ID), webtest.Form("quote", approvedWords[i], "threshold", fmt.Sprint(id), "back", back))
			if r.Status != 303 || r.Location != back {
				t.Fatalf("approve: %d %q", r.Status, r.Location)
			}
		}
		if page := c.Get(fmt.Sprintf("/admin/thresholds/%d", bank)); !strings.Contains(page.Body, html.EscapeString(approvedWords[0])) {
			t.Fatalf("the report's page does not show its approved words:\n%s", page.Body)
		}

		csvOut := c.Get("/admin/thresholds/export.csv")
		if csvOut.Status != 200 {
			t.Fatalf("csv: %d", csvOut.Status)
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvOut.Body, "\ufeff")))
		cr.Comma = web.CSVSeparator
		csvRows, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("csv read back: %v\n%s", err, csvOut.Body)
		}
		xlsxOut := c.Get("/admin/thresholds/export.xlsx")
		if xlsxOut.Status != 200 {
			t.Fatalf("xlsx: %d", xlsxOut.Status)
		}
		x, err := excelize.OpenReader(strings.NewReader(xlsxOut.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		xlsxRows, err := x.GetRows(x.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		day := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
		for format, rows := range map[string][][]string{"csv": csvRows, "xlsx": xlsxRows} {
			var all strings.Builder
			for _, row := range rows {
				for _, cell := range row {
					all.WriteString(cell + "\n")
					if day.MatchString(cell) {
						t.Errorf("%s: a day: %q", format, cell)
					}
				}
			}
			text := all.String()
			for _, w := range rawWords {
				for _, leak := range []string{w.text, w.name, w.phone, "Jan", "0470", "+32"} {
					if strings.Contains(text, leak) {
						t.Errorf("%s: the export carries a visitor's own words (%q):\n%s", format, leak, text)
					}
				}
			}
			if strings.Contains(text, "Yonas") {
				t.Errorf("%s: the export names a member", format)
			}
			words := map[string]bool{}
			counts := map[string]string{}
			for _, row := range rows {
				if len(row) < 3 {
					continue
				}
				if row[0] == "words" && len(row) >= 4 {
					words[row[3]] = true
				}
				counts[row[0]+"/"+row[1]] = row[2]
			}
			for _, w := range approvedWords[:2] {
				if !words[w] {
					t.Errorf("%s: approved words %q are missing:\n%s", format, w, text)
				}
			}
			if !words["'"+approvedWords[2]] {
				t.Errorf("%s: a quote that looks like a formula is not neutralised:\n%s", format, text)
			}
			for domain, want := range map[string]string{"health": "< 5", "school": "< 5", "bank": "7"} {
				if got := counts["domain/"+nl.T("kiosk.report.domain."+domain)]; got != want {
					t.Errorf("%s: %s counted %q, want %q", format, domain, got, want)
				}
			}
			if counts["total/"] != "11" {
				t.Errorf("%s: total %q", format, counts["total/"])
			}
			for k, v := range counts {
				if k != "part/item" && v != "" && v != "< 5" && v != "≥ 5" && !regexp.MustCompile(`^([5-9]|[1-9][0-9]+)$`).MatchString(v) {
					t.Errorf("%s: %s counted %q", format, k, v)
				}
			}
		}
	})
}

// A partner dossier, as a page and as a PDF, shows a domain counted 1, 3
// and 7 as "< 5", "< 5" and "7", and a solution tried with 2 people as
// "< 5" too.
func TestDossierMasksSmallCounts(t *testing.T) {
	i18n, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		theme, _, _ := seedDomains(t, st)
		if err := st.AddSolution(ctx, theme.ID, "Samen een afspraak maken aan de pc", time.Now().Format(time.DateOnly), 2, "works", 1); err != nil {
			t.Fatal(err)
		}
		c := f.signIn(t, store.RoleFacilitator)
		for _, lang := range []string{"nl", "fr"} {
			l := i18n.Loc(lang, "nl")
			want := map[string]string{}
			for domain, n := range map[string]string{"health": "< 5", "school": "< 5", "bank": "7"} {
				want[l.T("kiosk.report.domain."+domain)] = n
			}
			base := fmt.Sprintf("/admin/themes/%d/dossier", theme.ID)
			page := c.Get(base + "?lang=" + lang)
			if page.Status != 200 {
				t.Fatalf("dossier: %d", page.Status)
			}
			var pageLines []string
			for _, m := range regexp.MustCompile(`<li>(.*?)</li>`).FindAllStringSubmatch(page.Body, -1) {
				pageLines = append(pageLines, html.UnescapeString(m[1]))
			}
			pdf := c.Get(base + ".pdf?lang=" + lang)
			if pdf.Status != 200 || !strings.HasPrefix(pdf.Body, "%PDF") {
				t.Fatalf("dossier pdf: %d", pdf.Status)
			}
			pdfLines := strings.Split(pdfText(t, []byte(pdf.Body)), "\n")
			for format, lines := range map[string][]string{"page": pageLines, "pdf": pdfLines} {
				got := map[string]string{}
				solution := ""
				for _, line := range lines {
					line = strings.TrimSpace(line)
					if label, n, ok := strings.Cut(line, ": "); ok {
						got[label] = n
					}
					if strings.Contains(line, "Samen een afspraak maken aan de pc") {
						solution = line
					}
				}
				for label, n := range want {
					if got[label] != n {
						t.Errorf("%s %s: %s shows %q, want %q\n%s", lang, format, label, got[label], n, strings.Join(lines, "\n"))
					}
				}
				if !strings.Contains(solution, "(< 5)") {
					t.Errorf("%s %s: the solution's people: %q", lang, format, solution)
				}
				for _, line := range lines {
					if regexp.MustCompile(`: [1-4]$|\([1-4]\)`).MatchString(strings.TrimSpace(line)) {
						t.Errorf("%s %s: a small count: %q", lang, format, line)
					}
				}
				joined := strings.Join(lines, "\n")
				if !strings.Contains(joined, l.N("admin.thresholds.count", 11)) {
					t.Errorf("%s %s: the total of 11 is missing:\n%s", lang, format, joined)
				}
				for _, w := range rawWords {
					if strings.Contains(joined, w.name) || strings.Contains(joined, w.phone) {
						t.Errorf("%s %s: a visitor's own words", lang, format)
					}
				}
			}
		}
	})
}
