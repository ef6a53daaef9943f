package admin_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

func TestThresholdInboxTriageThemes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		m, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Amina", Lang: "ar"})
		payload := `<script>alert(1)</script>=HYPERLINK("http://x")`
		if _, err := st.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "ar", Text: payload}); err != nil {
			t.Fatal(err)
		}
		help, _ := st.ReportThreshold(ctx, store.ReportInput{Domain: "government", Problem: "online_only", Lang: "ar", Text: "secret words", MemberID: &m.ID, WantsHelp: true})

		// Staff see who asked for help, but not the words.
		staff := f.signIn(t, store.RoleStaff)
		d := staff.Get("/admin")
		if !strings.Contains(d.Body, "Amina") || strings.Contains(d.Body, "secret words") {
			t.Fatalf("staff dashboard:\n%s", d.Body)
		}
		if r := staff.Get("/admin/thresholds"); r.Status != 403 {
			t.Fatalf("staff reads the inbox: %d", r.Status)
		}

		c := f.signIn(t, store.RoleFacilitator)
		inbox := c.Get("/admin/thresholds")
		if strings.Contains(inbox.Body, "<script>alert(1)") || !strings.Contains(inbox.Body, "&lt;script&gt;alert(1)&lt;/script&gt;=HYPERLINK(&#34;http://x&#34;)") {
			t.Fatalf("the report text is not shown as text:\n%s", inbox.Body)
		}
		if r := c.Get("/admin/thresholds?help=1"); len(regexp.MustCompile(`href="/admin/thresholds/[0-9]+"`).FindAllString(r.Body, -1)) != 1 {
			t.Fatal("help filter")
		}
		// A theme, after looking for similar ones.
		if r := c.Get("/admin/themes?title=Bank+apps+want+itsme"); !strings.Contains(r.Body, "Thema maken") {
			t.Fatal("no create step")
		}
		r := c.Post("/admin/themes", webtest.Form("title", "Bank apps want itsme"))
		if r.Status != 303 {
			t.Fatalf("create theme: %d", r.Status)
		}
		themePath := r.Location
		if s := c.Get("/admin/themes?title=itsme+again"); !strings.Contains(s.Body, themePath) {
			t.Fatal("a similar theme is not suggested")
		}
		themeID := strings.TrimPrefix(themePath, "/admin/themes/")
		for i := 0; i < 5; i++ {
			rep, _ := st.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "nl"})
			c.Get(fmt.Sprintf("/admin/thresholds/%d", rep.ID))
			if r := c.Post(fmt.Sprintf("/admin/thresholds/%d", rep.ID), webtest.Form("domain", "bank", "problem", "login", "level", "meso", "theme", themeID)); r.Status != 303 {
				t.Fatalf("triage: %d", r.Status)
			}
		}
		if r := c.Post(fmt.Sprintf("/admin/thresholds/%d", help.ID), webtest.Form("domain", "bank", "problem", "login", "level", "giga")); r.Status != 422 {
			t.Fatalf("bad level: %d", r.Status)
		}
		today := time.Now().Format("2006-01-02")
		c.Get(themePath)
		for _, res := range []string{"not", "works"} {
			if r := c.Post(themePath+"/solutions", webtest.Form("what", "try "+res, "tried_on", today, "people", "5", "result", res)); r.Status != 303 {
				t.Fatalf("solution: %d", r.Status)
			}
		}
		if r := c.Post(themePath, webtest.Form("title", "Bank apps want itsme", "status", "testing", "follow_up_on", today)); r.Status != 303 {
			t.Fatalf("follow-up: %d", r.Status)
		}
		page := c.Get(themePath)
		if !strings.Contains(page.Body, "5 meldingen") || !strings.Contains(page.Body, "werkt niet") || !strings.Contains(page.Body, "sol-works") {
			t.Fatalf("theme page:\n%s", page.Body)
		}
		if d := c.Get("/admin"); !strings.Contains(d.Body, "Bank apps want itsme") {
			t.Fatal("the follow-up is not on the dashboard")
		}
		// The follow-up is done: the report is unlinked.
		c.Get("/admin")
		if r := c.Post(fmt.Sprintf("/admin/thresholds/%d/helped", help.ID), nil); r.Status != 303 {
			t.Fatalf("helped: %d", r.Status)
		}
		if got, _ := st.Threshold(ctx, help.ID); got.MemberID != nil {
			t.Fatal("still linked")
		}
		if ids := webtest.MessageIDs(page.Body); len(ids) > 0 {
			t.Fatalf("untranslated: %v", ids)
		}
		// The dossier holds only approved quotes, never the reports' words.
		withWords, _ := st.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "nl", Text: "Mijn naam is Jan Peeters, 0470 11 22 33"})
		tid := mustInt(t, themeID)
		st.Triage(ctx, withWords.ID, store.TriageInput{Domain: "bank", Problem: "login", Level: "meso", ThemeID: &tid})
		c.Get(themePath)
		if r := c.Post(themePath+"/quotes", webtest.Form("quote", "", "threshold", fmt.Sprint(withWords.ID))); r.Status != 422 {
			t.Fatalf("empty quote: %d", r.Status)
		}
		if r := c.Post(themePath+"/quotes", webtest.Form("quote", "Ik kan geen afspraak maken zonder itsme.", "threshold", fmt.Sprint(withWords.ID))); r.Status != 303 {
			t.Fatalf("quote: %d", r.Status)
		}
		dossier := c.Get(themePath + "/dossier?lang=fr")
		if !strings.Contains(dossier.Body, "Ik kan geen afspraak maken zonder itsme.") || strings.Contains(dossier.Body, "Peeters") || strings.Contains(dossier.Body, "HYPERLINK") {
			t.Fatalf("dossier:\n%s", dossier.Body)
		}
		// A quote that looks like markup or a formula prints as typed.
		c.Get(themePath)
		c.Post(themePath+"/quotes", webtest.Form("quote", payload))
		if d := c.Get(themePath + "/dossier"); strings.Contains(d.Body, "<script>alert(1)") || !strings.Contains(d.Body, "&lt;script&gt;") {
			t.Fatal("the dossier page does not show the quote as text")
		}
		pdf := c.Get(themePath + "/dossier.pdf?lang=nl")
		if pdf.Status != 200 || !strings.HasPrefix(pdf.Body, "%PDF") {
			t.Fatalf("dossier pdf: %d", pdf.Status)
		}
		text := pdfText(t, []byte(pdf.Body))
		if !strings.Contains(text, "Ik kan geen afspraak maken zonder itsme.") || !strings.Contains(text, `=HYPERLINK("http://x")`) || strings.Contains(text, "Peeters") {
			t.Fatalf("dossier pdf text:\n%s", text)
		}
		// The export carries the approved quote, never a report's own words
		// (TestAnonymousThresholdExport reads it back in full).
		csvOut := c.Get("/admin/thresholds/export.csv")
		if !strings.Contains(csvOut.Body, "Ik kan geen afspraak maken zonder itsme.") {
			t.Fatalf("csv export:\n%s", csvOut.Body)
		}
		for _, raw := range []string{"<script>", "HYPERLINK", "secret words", "Peeters", "0470"} {
			if strings.Contains(csvOut.Body, raw) {
				t.Fatalf("the export carries a report's own words (%q):\n%s", raw, csvOut.Body)
			}
		}
		if strings.Contains(csvOut.Body, "Amina") {
			t.Fatal("the export names a member")
		}
		if x := c.Get("/admin/thresholds/export.xlsx"); x.Status != 200 || !strings.HasPrefix(x.Body, "PK") {
			t.Fatalf("xlsx: %d", x.Status)
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// pdfText extracts a PDF's text with poppler's pdftotext, as a reader
// would see it (the PDF's own streams are compressed).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing (poppler-utils); .ci/test installs it")
		}
		t.Skip("pdftotext not installed")
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestRecordThresholdAtTheDesk(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		m, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Yonas", Lang: "ti"})
		c := f.signIn(t, store.RoleStaff)
		c.Get("/admin/thresholds/new")
		if r := c.Post("/admin/thresholds/new", webtest.Form("domain", "work", "problem", "language", "lang", "ti", "help", "yes", "code", "ZZZ999")); r.Status != 422 {
			t.Fatalf("unknown code: %d", r.Status)
		}
		if r := c.Post("/admin/thresholds/new", webtest.Form("domain", "work", "problem", "language", "lang", "ti", "text", "VDAB site only in Dutch", "help", "yes", "code", m.Card.CheckCode)); r.Status != 303 {
			t.Fatalf("record: %d", r.Status)
		}
		rows, _, _, _ := st.Thresholds(ctx, 1, store.ThresholdFilter{})
		if len(rows) != 1 || rows[0].Source != "desk" || rows[0].MemberID == nil || rows[0].RecordedBy == nil {
			t.Fatalf("recorded: %+v", rows)
		}
	})
}

func TestOrganisationDossier(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		c := f.signIn(t, store.RoleFacilitator)
		c.Get("/admin/organisations")
		if r := c.Post("/admin/organisations", webtest.Form("name", "")); r.Status != 422 {
			t.Fatalf("nameless organisation: %d", r.Status)
		}
		if r := c.Post("/admin/organisations", webtest.Form("name", "OCMW Antwerpen")); r.Status != 303 {
			t.Fatalf("add organisation: %d", r.Status)
		}
		orgs, _ := st.Organisations(ctx, 1)
		rep, _ := st.ReportThreshold(ctx, store.ReportInput{Domain: "government", Problem: "online_only", Lang: "nl", OrganisationID: &orgs[0].ID, Text: "Jan P. uit de Kiel"})
		theme, _ := st.SaveTheme(ctx, 0, 1, store.ThemeInput{Title: "Afspraken alleen online"})
		st.Triage(ctx, rep.ID, store.TriageInput{Domain: "government", Problem: "online_only", Level: "meso", ThemeID: &theme.ID, OrganisationID: &orgs[0].ID})
		st.ApproveQuote(ctx, theme.ID, &rep.ID, "Ik kan nergens meer naartoe bellen.", 1)
		d := c.Get(fmt.Sprintf("/admin/organisations/%d/dossier", orgs[0].ID))
		if d.Status != 200 || !strings.Contains(d.Body, "OCMW Antwerpen") || !strings.Contains(d.Body, "Ik kan nergens meer naartoe bellen.") || strings.Contains(d.Body, "Kiel") {
			t.Fatalf("organisation dossier: %d\n%s", d.Status, d.Body)
		}
		if r := c.Get("/admin/organisations/999999/dossier"); r.Status != 404 {
			t.Fatalf("unknown organisation: %d", r.Status)
		}
	})
}

// The inbox's language filter lists exactly the reports made in that
// language (members, joined in for their nickname, have a lang too).
func TestThresholdInboxLanguageFilter(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		m, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Amina", Lang: "ar"})
		want := map[string][]string{}
		for _, in := range []store.ReportInput{
			{Domain: "bank", Problem: "login", Lang: "ar"},
			{Domain: "health", Problem: "language", Lang: "ar", MemberID: &m.ID, WantsHelp: true},
			{Domain: "bank", Problem: "login", Lang: "nl"},
			{Domain: "work", Problem: "language", Lang: "ti", MemberID: &m.ID, WantsHelp: true},
		} {
			r, err := st.ReportThreshold(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			want[in.Lang] = append([]string{fmt.Sprintf(`href="/admin/thresholds/%d"`, r.ID)}, want[in.Lang]...)
		}
		c := f.signIn(t, store.RoleFacilitator)
		link := regexp.MustCompile(`href="/admin/thresholds/[0-9]+"`)
		for _, lang := range []string{"ar", "nl", "ti", "uk"} {
			r := c.Get("/admin/thresholds?lang=" + lang)
			if r.Status != 200 {
				t.Fatalf("?lang=%s: %d", lang, r.Status)
			}
			if got := link.FindAllString(r.Body, -1); fmt.Sprint(got) != fmt.Sprint(want[lang]) {
				t.Errorf("?lang=%s lists %v, want %v", lang, got, want[lang])
			}
		}
	})
}

// A logo or pictogram sent for an organisation that does not exist is a
// 404, whoever sends it; for one that does, it is saved.
func TestOrganisationLookOfNoOrganisation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		var logo bytes.Buffer
		if err := png.Encode(&logo, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
			t.Fatal(err)
		}
		site, err := st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels") // the fixture's site
		if err != nil {
			t.Fatal(err)
		}
		org, err := st.AddOrganisation(ctx, site.ID, "OCMW Antwerpen", "building")
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range []store.Role{store.RoleFacilitator, store.RoleAdmin} {
			c := f.signIn(t, role)
			c.Get("/admin/organisations")
			if r := c.Upload("/admin/organisations/999999/look", "logo", "logo.png", logo.Bytes()); r.Status != 404 {
				t.Errorf("%s: a logo for no organisation: %d", role, r.Status)
			}
			if r := c.Upload("/admin/organisations/999999/look", "", "", nil, "pictogram", "people"); r.Status != 404 {
				t.Errorf("%s: a pictogram for no organisation: %d", role, r.Status)
			}
			if r := c.Upload(fmt.Sprintf("/admin/organisations/%d/look", org.ID), "logo", "logo.png", logo.Bytes()); r.Status != 303 {
				t.Errorf("%s: a logo: %d", role, r.Status)
			}
		}
		if _, typ, err := st.OrganisationLogo(ctx, org.ID); err != nil || typ != "image/png" {
			t.Fatalf("the logo was not kept: %v %q", err, typ)
		}
	})
}
