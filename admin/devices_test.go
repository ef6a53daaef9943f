package admin_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/devices"
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
		if r := c.Upload("/admin/devices/import", "file", "bad.csv", []byte(bad)); r.Status != 422 || !strings.Contains(r.Body, "Rij 3, kolom type:") {
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
		site, _ := st.Site(ctx, lap.SiteID)
		loans, err := devices.NewDesk(st).Lend(ctx, site, store.LendInput{MemberID: m.ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: 2})
		if err != nil || !loans[0].DueAt.Equal(devices.DueAfter(loans[0].LentAt, 21, site.Location())) {
			t.Fatalf("21-day policy: %v %+v", err, loans)
		}
		rep := c.Get("/admin/reports/loans")
		if !strings.Contains(rep.Body, `id="r-loans">1<`) || !strings.Contains(rep.Body, "NET-0001") {
			t.Fatalf("report:\n%s", rep.Body)
		}
		if r := c.Get("/admin/reports/loans.csv"); !strings.Contains(r.Body, "Laptop;1") {
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

// staffID is the desk account of a fixture.
func staffID(t *testing.T, st *store.Store) int64 {
	t.Helper()
	us, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Role == store.RoleStaff {
			return u.ID
		}
	}
	t.Fatal("no staff account")
	return 0
}

// A device is corrected on its page: the form again with what was typed
// and a sentence on a refusal, the device's page and its history on
// success.
func TestDeviceEdit(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		site, _ := st.EnsureSite(ctx, "Test", "Europe/Brussels")
		by := staffID(t, st)
		add := func(in store.DeviceInput) store.Device {
			t.Helper()
			ds, err := st.AddDevices(ctx, site.ID, in, 1, by)
			if err != nil {
				t.Fatal(err)
			}
			return ds[0]
		}
		lap1 := add(store.DeviceInput{Type: store.Laptop, Make: "Dell", Model: "E7470", Serial: "SN-1"})
		add(store.DeviceInput{Type: store.Laptop, Make: "Dell", Model: "E5570"})
		charger := add(store.DeviceInput{Type: store.Accessory, Model: "lader", ParentID: &lap1.ID})
		add(store.DeviceInput{Type: store.Accessory, Model: "muis"})
		edit := fmt.Sprintf("/admin/devices/%d/edit", charger.ID)

		if r := f.signIn(t, store.RoleFacilitator).Get(edit); r.Status != 403 {
			t.Fatalf("a facilitator edits a device: %d", r.Status)
		}
		c := f.signIn(t, store.RoleStaff)
		if dp := c.Get(fmt.Sprintf("/admin/devices/%d", charger.ID)); !strings.Contains(dp.Body, `href="`+edit+`"`) {
			t.Fatal("the device's page does not lead to its form")
		}
		form := c.Get(edit)
		if form.Status != 200 || !strings.Contains(form.Body, `value="lader"`) || !strings.Contains(form.Body, `value="LAP-0001"`) {
			t.Fatalf("edit form: %d\n%s", form.Status, form.Body)
		}
		for _, tc := range []struct {
			name, path string
			form       []string
			want, kept string
		}{
			{"another device's serial", "/admin/devices/2/edit", []string{"make", "Dell typed", "serial", "sn-1"}, "Dit serienummer staat al bij een ander toestel.", `value="Dell typed"`},
			{"goes with itself", edit, []string{"model", "lader typed", "parent", "ACC-0001"}, "Een toestel kan niet bij zichzelf horen.", `value="lader typed"`},
			{"goes with an accessory", edit, []string{"model", "lader typed", "parent", "acc-0002"}, "Dat label hoort bij toebehoren", `value="acc-0002"`},
			{"no such tag", edit, []string{"model", "lader typed", "parent", "LAP-9999"}, "Er is hier geen toestel met dat label.", `value="LAP-9999"`},
			{"not a tag", edit, []string{"model", "lader typed", "parent", "<script>"}, "Er is hier geen toestel met dat label.", `value="&lt;script&gt;"`},
			{"make too long", edit, []string{"make", strings.Repeat("x", 61), "notes", "typed note"}, "Merk is te lang.", ">typed note</textarea>"},
			{"invalid UTF-8", edit, []string{"model", "a\xffb", "notes", "typed note"}, "Model bevat tekens die niet kunnen.", ">typed note</textarea>"},
		} {
			c.Get(tc.path)
			r := c.Post(tc.path, webtest.Form(tc.form...))
			if r.Status != 422 || !strings.Contains(r.Body, tc.want) || !strings.Contains(r.Body, tc.kept) {
				t.Errorf("%s: %d, want 422 with %q and %q\n%s", tc.name, r.Status, tc.want, tc.kept, r.Body)
			}
			if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
				t.Errorf("%s: untranslated %v", tc.name, ids)
			}
		}
		if d, _ := st.Device(ctx, charger.ID); d.Model != "lader" || *d.ParentID != lap1.ID {
			t.Fatalf("a refused edit changed the device: %+v", d)
		}

		c.Get(edit)
		r := c.Post(edit, webtest.Form("make", "Lenovo", "model", "65 W", "serial", "", "parent", " lap-0002 ", "notes", "Olena's old one"))
		if r.Status != 303 || r.Location != fmt.Sprintf("/admin/devices/%d", charger.ID) {
			t.Fatalf("edit: %d %q", r.Status, r.Location)
		}
		dp := c.Get(r.Location)
		for _, want := range []string{"Wijzigingen opgeslagen.", "Lenovo 65 W", ">LAP-0002</a>", "Olena&#39;s old one",
			"gegevens aangepast: merk, model, notitie, hoort bij", "staff@test.be"} {
			if !strings.Contains(dp.Body, want) {
				t.Errorf("the device's page lacks %q", want)
			}
		}
		if ids := webtest.MessageIDs(dp.Body); len(ids) > 0 {
			t.Errorf("untranslated: %v", ids)
		}
		hist, _ := st.DeviceHistory(ctx, charger.ID)
		if len(hist) == 0 || hist[0].Kind != "edited" || strings.Contains(hist[0].Note, "Olena") {
			t.Errorf("history: %+v", hist)
		}
		for _, p := range []string{"/admin/devices/999999/edit", "/admin/devices/abc/edit"} {
			if r := c.Get(p); r.Status != 404 {
				t.Errorf("GET %s: %d", p, r.Status)
			}
		}
		c.Get(edit)
		if r := c.Post("/admin/devices/999999/edit", webtest.Form("make", "x")); r.Status != 404 {
			t.Errorf("POST to no device: %d", r.Status)
		}

		// The add form's refusals read as sentences too.
		c.Get("/admin/devices")
		r = c.Post("/admin/devices", webtest.Form("type", "laptop", "count", "3", "serial", "SN-9", "make", "Acer"))
		if r.Status != 422 || !strings.Contains(r.Body, "Een serienummer hoort bij één toestel") || !strings.Contains(r.Body, `value="Acer"`) {
			t.Errorf("one serial for three: %d\n%s", r.Status, r.Body)
		}
		if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
			t.Errorf("add form: untranslated %v", ids)
		}
		r = c.Post("/admin/devices", webtest.Form("type", "accessory", "count", "1", "parent", "ACC-0002"))
		if r.Status != 422 || !strings.Contains(r.Body, "Dat label hoort bij toebehoren") {
			t.Errorf("an accessory of an accessory: %d", r.Status)
		}
	})
}

// The inventory import takes the columns by the names its page shows, in
// Dutch, French or English, and says in words what is wrong and where.
func TestDeviceImportByColumnNames(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		site, _ := st.EnsureSite(ctx, "Test", "Europe/Brussels")
		c := f.signIn(t, store.RoleStaff)
		page := c.Get("/admin/devices")
		for _, want := range []string{"Soort, Merk, Model, Serienummer, Notitie", "laptop, tablet, telefoon, internetdongle of toebehoren"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the import form does not say %q", want)
			}
		}
		count := func() int {
			t.Helper()
			ds, err := st.Devices(ctx, site.ID, store.DeviceFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(ds)
		}

		french := "Numéro de série;Type;Marque;Modèle;Remarques\nSN-7;Ordinateur portable;Dell;E7470;=1+1\n;clé internet;Huawei;E5576;\n;;;;\n"
		if r := c.Upload("/admin/devices/import", "file", "fr.csv", []byte(french)); r.Status != 303 {
			t.Fatalf("French headers: %d\n%s", r.Status, r.Body)
		}
		lap, err := st.DeviceByTag(ctx, "LAP-0001")
		if err != nil || lap.Make != "Dell" || lap.Model != "E7470" || lap.Serial != "SN-7" || lap.Notes != "=1+1" {
			t.Fatalf("imported laptop: %v %+v", err, lap)
		}
		if d, err := st.DeviceByTag(ctx, "NET-0001"); err != nil || d.Make != "Huawei" {
			t.Fatalf("imported dongle: %v %+v", err, d)
		}
		c.Get("/admin/devices")
		english := "\ufeff  MAKE ,serial number,TYPE\nLenovo,SN-8,Laptop\n"
		if r := c.Upload("/admin/devices/import", "file", "en.csv", []byte(english)); r.Status != 303 {
			t.Fatalf("English headers in another order: %d\n%s", r.Status, r.Body)
		}
		if d, err := st.DeviceByTag(ctx, "LAP-0002"); err != nil || d.Make != "Lenovo" || d.Serial != "SN-8" {
			t.Fatalf("imported by column name: %v %+v", err, d)
		}
		if count() != 3 {
			t.Fatalf("%d devices", count())
		}

		for _, tc := range []struct{ name, file, want string }{
			{"a type nobody knows", "Soort,Merk,Model\nlaptop,Dell,E7470\ntablet,Apple,iPad\ntoaster,X,Y\n",
				"Er is niets ingevoerd. Rij 4, kolom Soort: kies laptop, tablet, telefoon, internetdongle of toebehoren."},
			{"without a header row", "laptop,Dell\n,Acer\n", "Er is niets ingevoerd. Rij 2, kolom Soort: kies laptop"},
			{"a serial twice", "type,serial\nlaptop,SN-X\nlaptop,sn-x\n", "Rij 3, kolom serial: dit serienummer staat al bij een ander toestel"},
			{"a serial already lent out", "type;Serienummer\nlaptop;SN-7\n", "Rij 2, kolom Serienummer: dit serienummer staat al bij een ander toestel"},
			{"too long", "Soort,Merk\nlaptop," + strings.Repeat("x", 61) + "\n", "Rij 2, kolom Merk: dit is te lang, hoogstens 60 tekens."},
			{"a column nobody knows", "Soort,Merk,Kleur\nlaptop,Dell,rood\n", "De kopregel heeft een kolom „Kleur” die Drempel niet kent: gebruik Soort, Merk, Model, Serienummer, Notitie."},
			{"a column twice", "Soort,Merk,merk\nlaptop,Dell,HP\n", "De kolom „merk” staat twee keer in de kopregel."},
			{"no type column", "Merk,Model\nDell,E7470\n", "De kopregel heeft geen kolom Soort"},
			{"only a header", "Soort,Merk\n", "Er is niets ingevoerd: het bestand heeft geen rijen met toestellen"},
		} {
			c.Get("/admin/devices")
			r := c.Upload("/admin/devices/import", "file", "bad.csv", []byte(tc.file))
			if r.Status != 422 || !strings.Contains(r.Body, tc.want) {
				t.Errorf("%s: %d, want %q\n%s", tc.name, r.Status, tc.want, r.Body)
			}
			if ids := webtest.MessageIDs(r.Body); len(ids) > 0 || strings.Contains(r.Body, "bad_choice") {
				t.Errorf("%s: untranslated %v", tc.name, ids)
			}
			if !strings.Contains(r.Body, `name="file"`) {
				t.Errorf("%s: the import form is not there to try again", tc.name)
			}
		}
		if count() != 3 {
			t.Fatalf("a refused import left %d devices", count())
		}

		// Staff who work in French read it in French.
		fr := f.signIn(t, store.RoleStaff)
		fr.Get("/admin/devices")
		fr.Post("/admin/lang", webtest.Form("lang", "fr", "back", "/admin/devices"))
		fr.Get("/admin/devices")
		r := fr.Upload("/admin/devices/import", "file", "bad.csv", []byte("grille-pain;X\n"))
		if want := "Rien n'a été importé. Ligne 1, colonne Type\u00a0: choisissez ordinateur portable, tablette, téléphone, clé internet ou accessoire."; r.Status != 422 || !strings.Contains(r.Body, html.EscapeString(want)) {
			t.Errorf("in French: %d, want %q\n%s", r.Status, want, r.Body)
		}

		// Every type, named as each admin language's page names it, under
		// that language's column names.
		x, err := web.NewI18n(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range web.AdminLanguages() {
			l := x.Loc(lang.Code, lang.Code)
			file := strings.ToUpper(l.T("admin.devices.type")) + ";" + l.T("admin.devices.make") + ";" + l.T("field.note") + "\n"
			for _, typ := range store.DeviceTypes {
				file += strings.ToLower(l.T("admin.devices.type."+string(typ))) + ";" + lang.Code + ";\n"
			}
			c.Get("/admin/devices")
			if r := c.Upload("/admin/devices/import", "file", lang.Code+".csv", []byte(file)); r.Status != 303 {
				t.Errorf("%s words:\n%s\n%d %s", lang.Code, file, r.Status, r.Body)
			}
		}
		list, _ := st.Devices(ctx, site.ID, store.DeviceFilter{Q: "fr"})
		types := map[store.DeviceType]int{}
		for _, d := range list {
			if d.Make == "fr" {
				types[d.Type]++
			}
		}
		if len(types) != len(store.DeviceTypes) {
			t.Errorf("French type names: %v", types)
		}
	})
}

// While the public URL is this computer's own (localhost), the pages that
// print labels say that phones will not reach their QR codes, and how to
// set --public-url; printing still works.
func TestLabelsWarnWhileLocalhost(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	f := newFixture(t, st)
	site, _ := st.EnsureSite(ctx, "Test", "Europe/Brussels")
	ds, err := st.AddDevices(ctx, site.ID, store.DeviceInput{Type: store.Laptop}, 1, staffID(t, st))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		warn bool
	}{
		{"http://localhost:8080", true},
		{"http://127.0.0.1:8111/", true},
		{"http://[::1]:8080", true},
		{"http://LOCALHOST", true},
		{"localhost:8080", true},
		{"http://192.168.1.20:8080", false},
		{"https://drempel.example.be", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			f.app = webtest.NewApp(t, func(app *fiber.App, w *web.Web) {
				admin.Mount(app, st, w, admin.Options{LoginPerMinute: 30, Log: quiet, PublicURL: tc.url})
			})
			c := f.signIn(t, store.RoleStaff)
			for _, p := range []string{"/admin/devices", fmt.Sprintf("/admin/devices/%d", ds[0].ID)} {
				body := c.Get(p).Body
				warned := strings.Contains(body, `role="alert" id="labels-warning"`)
				if warned != tc.warn {
					t.Errorf("%s: warned %v", p, warned)
				}
				if warned {
					for _, want := range []string{"De QR-codes op de labels werken nog niet op een telefoon", "--public-url", "DREMPEL_PUBLIC_URL", "--public-url http://192.168.1.20"} {
						if !strings.Contains(body, want) {
							t.Errorf("%s: the warning lacks %q", p, want)
						}
					}
				}
				if ids := webtest.MessageIDs(body); len(ids) > 0 {
					t.Errorf("%s: untranslated %v", p, ids)
				}
			}
			if r := c.Get(fmt.Sprintf("/admin/devices/labels.pdf?id=%d", ds[0].ID)); r.Status != 200 || !strings.HasPrefix(r.Body, "%PDF") {
				t.Errorf("labels: %d", r.Status)
			}
		})
	}
}

// A site in Los Angeles lends a laptop on a Friday evening, when it is
// already Saturday in UTC and in Brussels: the member page, the receipt,
// the device's page and the reminder all say it is due on the Friday two
// weeks on, the last day of the loan on the site's own calendar, and the
// overdue list counts the site's days.
func TestDueDayInTheSitesZone(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		la, err := st.CreateSite(ctx, store.SiteInput{Name: "Los Angeles", TimeZone: "America/Los_Angeles"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetUserSites(ctx, staffID(t, st), []int64{la.ID}); err != nil {
			t.Fatal(err)
		}
		realNow := time.Now
		defer st.SetClock(realNow)
		clock := func(wall string) {
			at, err := time.ParseInLocation(time.DateTime, wall, la.Location())
			if err != nil {
				t.Fatal(err)
			}
			st.SetClock(func() time.Time { return at })
		}
		clock("2026-10-30 18:00:00") // Saturday 31 October, 01:00 in UTC
		if _, err := st.AddDevices(ctx, la.ID, store.DeviceInput{Type: store.Laptop, Make: "Dell"}, 1, staffID(t, st)); err != nil {
			t.Fatal(err)
		}
		m, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Rosa", Lang: "nl", SiteID: la.ID})
		if err != nil {
			t.Fatal(err)
		}

		c := f.signIn(t, store.RoleStaff)
		c.Get("/admin/lend")
		c.Post("/admin/lend/scan", webtest.Form("scan", m.Card.Token))
		c.Post("/admin/lend/scan", webtest.Form("scan", "LAP-0001"))
		r := c.Post("/admin/lend/confirm", webtest.Form("terms", "yes"))
		if r.Status != 303 || !strings.Contains(r.Location, "receipt=") {
			t.Fatalf("lend: %d %q", r.Status, r.Location)
		}
		const due, wrong = "13/11/2026", "14/11/2026"
		mp := c.Get(r.Location)
		if !strings.Contains(mp.Body, due) || strings.Contains(mp.Body, wrong) {
			t.Errorf("the member page does not say due on %s:\n%s", due, mp.Body)
		}
		rec := regexp.MustCompile(`href="(/admin/loans/receipt/[0-9,]+)"`).FindStringSubmatch(mp.Body)
		if rec == nil {
			t.Fatal("no receipt link")
		}
		receipt := c.Get(rec[1])
		if receipt.Status != 200 {
			t.Fatalf("receipt: %d", receipt.Status)
		}
		if text := pdfText(t, []byte(receipt.Body)); !strings.Contains(text, due) || strings.Contains(text, wrong) {
			t.Errorf("the receipt does not say due on %s:\n%s", due, text)
		}
		lap, _ := st.DeviceByTag(ctx, "LAP-0001")
		loan, err := st.OpenLoan(ctx, lap.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := loan.DueAt.In(la.Location()).Format(time.DateTime); got != "2026-11-13 23:59:59" {
			t.Errorf("due at %s on the site's clock", got)
		}
		if dp := c.Get(fmt.Sprintf("/admin/devices/%d", lap.ID)); !strings.Contains(dp.Body, due) {
			t.Errorf("the device's page does not say due on %s", due)
		}

		// Two days late on Sunday morning in Los Angeles (Sunday
		// afternoon in Brussels).
		clock("2026-11-15 08:00:00")
		o := c.Get("/admin/overdue")
		if !strings.Contains(o.Body, `<td class="late">2</td>`) || !strings.Contains(o.Body, due) {
			t.Errorf("overdue list:\n%s", o.Body)
		}
		reminder := c.Get(fmt.Sprintf("/admin/loans/%d/reminder.pdf", loan.ID))
		if text := pdfText(t, []byte(reminder.Body)); reminder.Status != 200 || !strings.Contains(text, due) {
			t.Errorf("the reminder does not say due on %s: %d\n%s", due, reminder.Status, text)
		}

		// Staff give Rosa until Friday 20 November: the end of that day in
		// Los Angeles.
		c.Get(fmt.Sprintf("/admin/devices/%d", lap.ID))
		if r := c.Post(fmt.Sprintf("/admin/loans/%d/extend", loan.ID), webtest.Form("due", "2026-11-20")); r.Status != 303 {
			t.Fatalf("extend: %d", r.Status)
		}
		loan, _ = st.OpenLoan(ctx, lap.ID)
		if got := loan.DueAt.In(la.Location()).Format(time.DateTime); got != "2026-11-20 23:59:59" {
			t.Errorf("extended to %s on the site's clock", got)
		}
		if mp := c.Get(fmt.Sprintf("/admin/members/%d", m.ID)); !strings.Contains(mp.Body, "20/11/2026") {
			t.Errorf("the member page does not say due on 20/11/2026")
		}
		if o := c.Get("/admin/overdue"); strings.Contains(o.Body, "LAP-0001") {
			t.Errorf("still overdue after the extension")
		}
		if r := c.Post(fmt.Sprintf("/admin/loans/%d/extend", loan.ID), webtest.Form("due", "20/11/2026")); r.Status != 422 {
			t.Errorf("a day that is not a date: %d", r.Status)
		}
	})
}
