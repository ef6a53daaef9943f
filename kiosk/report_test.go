package kiosk_test

import (
	"bytes"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// A threshold reported from the idle screen is anonymous; one reported
// after check-in with "yes, help me" carries the member, taken from the
// scan and never from the form.
func TestReportThresholdAtTheKiosk(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, m := seed(t, st, "Amina", "ar")
		app := newKiosk(t, st)
		anon := webtest.NewClient(t, app)
		for _, p := range []string{"/kiosk/report", "/kiosk/report/bank", "/kiosk/report/bank/login/0"} {
			if r := anon.Get(p); r.Status != 200 {
				t.Fatalf("%s: %d", p, r.Status)
			}
		}
		if r := anon.Get("/kiosk/report/bank/login"); r.Status != 303 || r.Location != "/kiosk/report/bank/login/0" {
			t.Fatalf("no organisations: straight to the words (%d %q)", r.Status, r.Location)
		}
		for _, p := range []string{"/kiosk/report/moon", "/kiosk/report/bank/boredom", "/kiosk/report/bank/login/x"} {
			if r := anon.Get(p); r.Status != 404 {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		// Anonymous: no help question, stored at once without a member.
		anon.Get("/kiosk/report/bank/login/0")
		r := follow(anon, anon.Upload("/kiosk/report", "voice", "voice.webm", []byte("\x1aE\xdf\xa3 audio"), "domain", "bank", "problem", "login", "org", "0", "text", "", "member", "1"))
		if r.Status != 200 || !strings.Contains(r.Body, "Bedankt om het te vertellen") {
			t.Fatalf("anonymous report: %d\n%s", r.Status, r.Body)
		}
		c := webtest.NewClient(t, app)
		scanIn(t, c, m)
		c.Get("/kiosk/report/government/online_only/0")
		q := follow(c, c.Upload("/kiosk/report", "", "", nil, "domain", "government", "problem", "online_only", "org", "0", "text", "<b>OCMW</b>"))
		if !strings.Contains(q.Body, `name="help" value="yes"`) || strings.Contains(q.Body, "<b>OCMW</b>") {
			t.Fatalf("help question:\n%s", q.Body)
		}
		if r := follow(c, c.Post("/kiosk/report/answer", webtest.Form("help", "yes"))); r.Status != 200 || !strings.Contains(r.Body, `dir="rtl"`) {
			t.Fatalf("answer: %d", r.Status)
		}
		c.Get("/kiosk/report/bank/login/0")
		if r := c.Upload("/kiosk/report", "", "", nil, "domain", "nope", "problem", "login"); r.Status != 400 {
			t.Fatalf("forged domain: %d", r.Status)
		}
		rows, _, _, _ := st.Thresholds(ctx, site.ID, store.ThresholdFilter{})
		if len(rows) != 2 || rows[1].MemberID != nil || !rows[1].Voice || rows[0].MemberID == nil || *rows[0].MemberID != m.ID || rows[0].Text != "<b>OCMW</b>" || rows[0].Lang != "ar" {
			t.Fatalf("stored reports: %+v", rows)
		}
	})
}

// An organisation's uploaded logo shows on its tile at step 3.
func TestOrganisationLogoOnTheTile(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	site, _ := seed(t, st, "Jan", "nl")
	o, _ := st.AddOrganisation(ctx, site.ID, "Mutualiteit <x>", "")
	var png bytes.Buffer
	if err := pngEncode(&png); err != nil {
		t.Fatal(err)
	}
	if err := st.SetOrganisationLogo(ctx, o.ID, []byte("<svg onload=alert(1)>")); err == nil {
		t.Fatal("an svg/html logo was accepted")
	}
	if err := st.SetOrganisationLogo(ctx, o.ID, png.Bytes()); err != nil {
		t.Fatal(err)
	}
	c := webtest.NewClient(t, newKiosk(t, st))
	page := c.Get("/kiosk/report/health/language")
	if !strings.Contains(page.Body, `src="/kiosk/org-logo/`) || !strings.Contains(page.Body, "Mutualiteit &lt;x&gt;") {
		t.Fatalf("organisation step:\n%s", page.Body)
	}
	logo := c.Get("/kiosk/org-logo/" + strconv.FormatInt(o.ID, 10))
	if logo.Status != 200 || logo.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("logo: %d %s", logo.Status, logo.Header.Get("Content-Type"))
	}
	if r := c.Get("/kiosk/org-logo/999"); r.Status != 404 {
		t.Fatalf("missing logo: %d", r.Status)
	}
}

func pngEncode(w *bytes.Buffer) error {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	return png.Encode(w, img)
}
