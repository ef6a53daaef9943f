package admin_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

func TestInventoryLendReturn(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.app = webtest.NewApp(t, func(app *fiber.App, w *web.Web) {
			admin.Mount(app, st, w, admin.Options{LoginPerMinute: 30, Log: quiet, PublicURL: "http://desk.local:8080/"})
		})
		for _, p := range []string{"/admin/devices", "/admin/lend", "/admin/return", "/admin/overdue"} {
			if r := f.signIn(t, store.RoleFacilitator).Get(p); r.Status != 403 {
				t.Errorf("facilitator %s: %d", p, r.Status)
			}
		}
		c := f.signIn(t, store.RoleStaff)
		c.Get("/admin/devices")
		if r := c.Post("/admin/devices", webtest.Form("type", "laptop", "count", "3", "serial", "SN1")); r.Status != 422 {
			t.Fatalf("one serial for three: %d", r.Status)
		}
		r := c.Post("/admin/devices", webtest.Form("type", "laptop", "count", "3", "make", "Lenovo", "model", "T480 <x>"))
		if r.Status != 303 || !strings.Contains(r.Location, "added=3") {
			t.Fatalf("bulk add: %d %q", r.Status, r.Location)
		}
		labels := c.Get("/admin/devices/labels.pdf?" + r.Location[strings.Index(r.Location, "id="):])
		if labels.Status != 200 || !strings.HasPrefix(labels.Body, "%PDF") {
			t.Fatalf("labels: %d", labels.Status)
		}
		if r := c.Post("/admin/devices", webtest.Form("type", "accessory", "count", "1", "model", "charger", "parent", "lap-0001")); r.Status != 303 {
			t.Fatalf("charger: %d", r.Status)
		}
		list := c.Get("/admin/devices?q=t480")
		if strings.Count(list.Body, `class="code"><a href="/admin/devices/`) != 3 || !strings.Contains(list.Body, "T480 &lt;x&gt;") {
			t.Fatalf("inventory list:\n%s", list.Body)
		}
		// The label's QR leads a staff phone to the device's page.
		if r := c.Get("/d/LAP-0002"); r.Status != 303 || r.Location != "/admin/devices/tag/LAP-0002" {
			t.Fatalf("label link: %d %q", r.Status, r.Location)
		}
		if r := c.Get("/admin/devices/tag/LAP-0002"); r.Status != 303 {
			t.Fatalf("tag lookup: %d", r.Status)
		}

		m, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Olena", Lang: "uk", Phone: "0470 12 34 56"})
		c.Get("/admin/lend")
		c.Post("/admin/lend/scan", webtest.Form("scan", "http://desk.local:8080/d/LAP-0001"))
		page := c.Get("/admin/lend")
		if !strings.Contains(page.Body, "Scan nu de lidkaart") || !strings.Contains(page.Body, "ACC-0001") {
			t.Fatalf("device first, then card:\n%s", page.Body)
		}
		c.Post("/admin/lend/scan", webtest.Form("scan", strings.ToLower(m.Card.Token)))
		page = c.Get("/admin/lend")
		if !strings.Contains(page.Body, `id="lend-member"`) || !strings.Contains(page.Body, "Olena") || !strings.Contains(page.Body, "14 dagen") {
			t.Fatalf("basket:\n%s", page.Body)
		}
		c.Post("/admin/lend/scan", webtest.Form("scan", "garbage!"))
		if page := c.Get("/admin/lend"); !strings.Contains(page.Body, "geen lidkaart en geen label") {
			t.Fatal("unknown scan not explained")
		}
		c.Post("/admin/lend/confirm", nil)
		if page := c.Get("/admin/lend"); !strings.Contains(page.Body, "Vink aan") {
			t.Fatal("lending without the terms")
		}
		r = c.Post("/admin/lend/confirm", webtest.Form("terms", "yes"))
		if r.Status != 303 || !strings.Contains(r.Location, "receipt=") {
			t.Fatalf("lend: %d %q", r.Status, r.Location)
		}
		mp := c.Get(r.Location)
		rec := regexp.MustCompile(`href="(/admin/loans/receipt/[0-9,]+)"`).FindStringSubmatch(mp.Body)
		if rec == nil {
			t.Fatal("no receipt link")
		}
		if pdf := c.Get(rec[1]); pdf.Status != 200 || !strings.HasPrefix(pdf.Body, "%PDF") {
			t.Fatalf("receipt: %d", pdf.Status)
		}
		// What Olena takes home is in Ukrainian, the laptop named in the
		// kiosk's words, with the number to call that the admin set.
		adm := f.signIn(t, store.RoleAdmin)
		adm.Get("/admin/settings")
		if r := adm.Post("/admin/settings", webtest.Form("org", "De Drempel", "retention", "183", "phone", "=cmd()")); r.Status != 422 {
			t.Fatalf("a phone number that is not one: %d", r.Status)
		}
		if r := adm.Post("/admin/settings", webtest.Form("org", "De Drempel", "retention", "183", "phone", "03 123 45 67")); r.Status != 303 {
			t.Fatalf("settings: %d", r.Status)
		}
		x, err := web.NewI18n(nil)
		if err != nil {
			t.Fatal(err)
		}
		uk := x.Loc("uk", "nl")
		text := pdfText(t, []byte(c.Get(rec[1]).Body))
		for _, want := range []string{uk.T("receipt.title"), uk.T("kiosk.loans.type.laptop"), "03 123 45 67", "LAP-0001"} {
			if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
				t.Errorf("the receipt lacks %q:\n%s", want, text)
			}
		}
		// A second desk tries to lend the same laptop.
		d2 := f.signIn(t, store.RoleAdmin)
		d2.Get("/admin/lend")
		d2.Post("/admin/lend/scan", webtest.Form("scan", "LAP-0001"))
		if page := d2.Get("/admin/lend"); !strings.Contains(page.Body, "LAP-0001 kan niet uitgeleend worden") {
			t.Fatalf("lent twice:\n%s", page.Body)
		}

		// Take it back: the charger too, not wiped yet.
		c.Get("/admin/return")
		if r := c.Post("/admin/return/scan", webtest.Form("scan", m.Card.Token)); r.Status != 422 || !strings.Contains(r.Body, "Dat is een lidkaart") {
			t.Fatalf("card at the return desk: %d", r.Status)
		}
		if r := c.Post("/admin/return/scan", webtest.Form("scan", "LAP-0003")); r.Status != 422 || !strings.Contains(r.Body, "niet uitgeleend") {
			t.Fatalf("not lent: %d", r.Status)
		}
		form := c.Post("/admin/return/scan", webtest.Form("scan", "LAP-0001"))
		acc := regexp.MustCompile(`name="accessory" value="([0-9]+)"`).FindStringSubmatch(form.Body)
		dev := regexp.MustCompile(`name="device" value="([0-9]+)"`).FindStringSubmatch(form.Body)
		if acc == nil || dev == nil {
			t.Fatalf("return check:\n%s", form.Body)
		}
		if r := c.Post("/admin/return/confirm", webtest.Form("device", dev[1], "accessory", acc[1], "back_"+acc[1], "yes", "damaged", "yes", "damage", "=HYPERLINK(\"x\")")); r.Status != 303 {
			t.Fatalf("return: %d", r.Status)
		}
		dp := c.Get("/admin/devices/" + dev[1])
		if !strings.Contains(dp.Body, "wordt nagekeken") || !strings.Contains(dp.Body, "staff@test.be") || !strings.Contains(dp.Body, "=HYPERLINK(&#34;x&#34;)") {
			t.Fatalf("device page after return:\n%s", dp.Body)
		}
		if r := c.Post("/admin/devices/"+dev[1]+"/status", webtest.Form("status", "wiped")); r.Status != 303 {
			t.Fatalf("confirm wipe: %d", r.Status)
		}
		if dp := c.Get("/admin/devices/" + dev[1]); !strings.Contains(dp.Body, `id="device-status">beschikbaar`) {
			t.Fatal("not available after the wipe")
		}

		// Overdue: on the list and on the dashboard.
		c.Post("/admin/lend/scan", webtest.Form("scan", m.Card.Token))
		c.Post("/admin/lend/scan", webtest.Form("scan", "LAP-0002"))
		c.Post("/admin/lend/confirm", webtest.Form("terms", "yes"))
		open, _ := st.MemberOpenLoans(ctx, m.ID)
		if len(open) != 1 {
			t.Fatalf("open loans: %d", len(open))
		}
		c.Get("/admin/devices/" + fmt.Sprint(open[0].DeviceID))
		if r := c.Post(fmt.Sprintf("/admin/loans/%d/extend", open[0].ID), webtest.Form("due", st.Now().AddDate(0, 0, -5).Format("2006-01-02"))); r.Status != 303 {
			t.Fatalf("due date in the past: %d", r.Status)
		}
		if o := c.Get("/admin/overdue"); !strings.Contains(o.Body, "LAP-0002") || !strings.Contains(o.Body, "0470 12 34 56") {
			t.Fatalf("overdue list:\n%s", o.Body)
		}
		if d := c.Get("/admin"); !strings.Contains(d.Body, `id="overdue-count">1<`) {
			t.Fatal("no overdue badge")
		}
		if d := f.signIn(t, store.RoleFacilitator).Get("/admin"); strings.Contains(d.Body, "overdue-count") {
			t.Fatal("facilitators see loans")
		}
		if r := c.Post(fmt.Sprintf("/admin/loans/%d/extend", open[0].ID), webtest.Form("due", "2001-01-01")); r.Status != 422 {
			t.Fatalf("a due date in 2001: %d", r.Status)
		}
		if r := c.Post(fmt.Sprintf("/admin/loans/%d/nonsense", open[0].ID), nil); r.Status != 404 {
			t.Fatalf("unknown loan action: %d", r.Status)
		}
		for _, p := range []string{"/admin/devices/999999", "/admin/devices/abc", "/admin/devices/tag/NOPE-1", "/d/%3Cscript%3E", "/admin/loans/receipt/999999"} {
			if r := c.Get(p); r.Status != 404 {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		if ids := webtest.MessageIDs(c.Get("/admin/devices/" + dev[1]).Body); len(ids) > 0 {
			t.Errorf("untranslated: %v", ids)
		}
	})
}

func TestDeviceImportExportAndReports(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		c := f.signIn(t, store.RoleStaff)
		c.Get("/admin/devices")
		bad := "type;make;model;serial;notes\nlaptop;Dell;E7470;S1;ok\ntoaster;X;Y;;\n"
		if r := c.Upload("/admin/devices/import", "file", "bad.csv", []byte(bad)); r.Status != 422 || !strings.Contains(r.Body, "rij 2") {
			t.Fatalf("bad import: %d\n%s", r.Status, r.Body)
		}
		if list, _ := st.Devices(ctx, 1, store.DeviceFilter{}); len(list) != 0 {
			t.Fatalf("a failed import left %d devices", len(list))
		}
		good := "\ufefftype,make,model,serial,notes\nlaptop,Dell,E7470,S1,=HYPERLINK(\"http://x\")\ndongle,Huawei,E5576,,\n"
		c.Get("/admin/devices")
		if r := c.Upload("/admin/devices/import", "file", "good.csv", []byte(good)); r.Status != 303 {
			t.Fatalf("import: %d", r.Status)
		}
		csvOut := c.Get("/admin/devices/export.csv")
		if csvOut.Status != 200 || !strings.Contains(csvOut.Body, `'=HYPERLINK(""http://x"")`) || !strings.Contains(csvOut.Body, "NET-0001") {
			t.Fatalf("csv export:\n%s", csvOut.Body)
		}
		if x := c.Get("/admin/devices/export.xlsx"); x.Status != 200 || !strings.HasPrefix(x.Body, "PK") {
			t.Fatalf("xlsx export: %d", x.Status)
		}
		if r := c.Get("/admin/devices/export.doc"); r.Status != 404 {
			t.Fatalf("unknown format: %d", r.Status)
		}
		c.Get("/admin/devices")
		if r := c.Post("/admin/devices/policies", webtest.Form("days_laptop", "21", "days_tablet", "14", "days_phone", "14", "days_dongle", "0", "days_accessory", "14")); r.Status != 422 {
			t.Fatalf("0 days: %d", r.Status)
		}
		if r := c.Post("/admin/devices/policies", webtest.Form("days_laptop", "21", "days_tablet", "14", "days_phone", "14", "days_dongle", "30", "days_accessory", "14")); r.Status != 303 {
			t.Fatalf("policies: %d", r.Status)
		}
		m, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Jan", Lang: "fr"})
		lap, _ := st.DeviceByTag(ctx, "LAP-0001")
		loans, err := st.Lend(ctx, store.LendInput{SiteID: lap.SiteID, MemberID: m.ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: 2})
		if err != nil || loans[0].DueAt.Sub(st.Now()).Hours() < 20*24 {
			t.Fatalf("21-day policy: %v %+v", err, loans)
		}
		rep := c.Get("/admin/reports/loans")
		if !strings.Contains(rep.Body, `id="r-loans">1<`) || !strings.Contains(rep.Body, "NET-0001") {
			t.Fatalf("report:\n%s", rep.Body)
		}
		if r := c.Get("/admin/reports/loans.csv"); !strings.Contains(r.Body, "Laptop,1") {
			t.Fatalf("report csv:\n%s", r.Body)
		}
		if r := c.Get("/admin/reports/loans?from=bad"); r.Status != 400 {
			t.Fatalf("bad period: %d", r.Status)
		}
		if r := c.Get(fmt.Sprintf("/admin/loans/%d/reminder.pdf", loans[0].ID)); r.Status != 200 || !strings.HasPrefix(r.Body, "%PDF") {
			t.Fatalf("reminder: %d", r.Status)
		}
	})
}
