package admin_test

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

var (
	ctx   = context.Background()
	quiet = slog.New(slog.DiscardHandler)
)

const pw = "correct horse battery"

type fixture struct {
	st  *store.Store
	app *fiber.App
}

// seedStaff makes the first site and one account per role, signed in
// with the role's name: admin@test.be, staff@test.be…
func seedStaff(t *testing.T, st *store.Store) {
	t.Helper()
	if _, err := st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"); err != nil {
		t.Fatal(err)
	}
	for _, r := range store.Roles {
		if _, err := st.CreateUser(ctx, store.UserInput{Email: string(r) + "@test.be", Role: r, Password: pw}); err != nil {
			t.Fatal(err)
		}
	}
}

// firstSite is the id of the site seedStaff made, where the tests' staff
// work and their members are seen.
func firstSite(t *testing.T, st *store.Store) int64 {
	t.Helper()
	sites, err := st.Sites(ctx)
	if err != nil || len(sites) == 0 {
		t.Fatalf("no first site: %v", err)
	}
	return sites[0].ID
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	seedStaff(t, st)
	app := webtest.NewApp(t, func(app *fiber.App, w *web.Web) {
		admin.Mount(app, st, w, admin.Options{LoginPerMinute: 30, Log: quiet})
	})
	return &fixture{st: st, app: app}
}

func (f *fixture) signIn(t *testing.T, role store.Role) *webtest.Client {
	t.Helper()
	c := webtest.NewClient(t, f.app)
	c.Lang = "nl-BE"
	c.Get("/admin/login")
	r := c.Post("/admin/login", webtest.Form("email", string(role)+"@test.be", "password", pw))
	if r.Status != 303 || r.Location != "/admin" {
		t.Fatalf("sign in as %s: %d", role, r.Status)
	}
	return c
}

func TestSignInAndRoles(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		anon := webtest.NewClient(t, f.app)
		if r := anon.Get("/admin/members"); r.Status != 303 || r.Location != "/admin/login" {
			t.Fatalf("anonymous: %d %q", r.Status, r.Location)
		}
		anon.Get("/admin/login")
		if r := anon.Post("/admin/login", webtest.Form("email", "st\x00aff@test.be\xff", "password", "x")); r.Status != 401 {
			t.Fatalf("sign-in with invalid bytes: %d", r.Status)
		}
		r := anon.Post("/admin/login", webtest.Form("email", "staff@test.be", "password", "wrong password"))
		if r.Status != 401 || !strings.Contains(r.Body, "horen niet bij elkaar") || !strings.Contains(r.Body, `value="staff@test.be"`) {
			t.Fatalf("wrong password: %d", r.Status)
		}
		for _, c := range []struct {
			role   store.Role
			path   string
			status int
		}{
			{store.RoleStaff, "/admin", 200},
			{store.RoleStaff, "/admin/members", 200},
			{store.RoleStaff, "/admin/users", 403},
			{store.RoleFacilitator, "/admin", 200},
			{store.RoleFacilitator, "/admin/members", 403},
			{store.RoleFacilitator, "/admin/members/1", 403},
			{store.RoleFacilitator, "/admin/members/1/data", 403},
			{store.RoleCoordinator, "/admin/courses", 200},
			{store.RoleCoordinator, "/admin/members", 403},
			{store.RoleCoordinator, "/admin/lend", 403},
			{store.RoleCoordinator, "/admin/settings", 403},
			{store.RoleAdmin, "/admin/users", 200},
			{store.RoleAdmin, "/admin/members/999999", 404},
			{store.RoleAdmin, "/admin/members/abc", 404},
			{store.RoleAdmin, "/admin/members/-1", 404},
			{store.RoleAdmin, "/admin/nope", 404},
		} {
			cl := f.signIn(t, c.role)
			r := cl.Get(c.path)
			if r.Status != c.status {
				t.Errorf("%s GET %s: want %d, got %d", c.role, c.path, c.status, r.Status)
			}
			if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
				t.Errorf("%s %s: untranslated %v", c.role, c.path, ids)
			}
		}
		c := f.signIn(t, store.RoleStaff)
		c.Get("/admin")
		if r := c.Post("/admin/logout", nil); r.Status != 303 {
			t.Fatalf("logout: %d", r.Status)
		}
		if r := c.Get("/admin"); r.Status != 303 {
			t.Fatal("still signed in after logout")
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t, storetest.Open(t, "sqlite"))
	c := webtest.NewClient(t, f.app)
	c.Get("/admin/login")
	var last int
	for i := 0; i < 31; i++ {
		last = c.Post("/admin/login", webtest.Form("email", "x@test.be", "password", "nope nope nope")).Status
	}
	if last != 429 {
		t.Fatalf("31st attempt in a minute: want 429, got %d", last)
	}
}

func TestRegisterMemberAndCards(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		c := f.signIn(t, store.RoleStaff)
		c.Get("/admin/members/new")
		bad := []struct {
			form webtest.Response
			msg  string
		}{
			{c.Post("/admin/members", webtest.Form("nickname", "", "lang", "nl")), "is verplicht"},
			{c.Post("/admin/members", webtest.Form("nickname", strings.Repeat("é", 61), "lang", "nl")), "is te lang"},
			{c.Post("/admin/members", webtest.Form("nickname", "Jo\xff", "lang", "nl")), "tekens die niet kunnen"},
			{c.Post("/admin/members", webtest.Form("nickname", "Jo", "lang", "xx")), "Kies een taal"},
			{c.Post("/admin/members", webtest.Form("nickname", "Jo", "lang", "")), "is verplicht"},
			{c.Post("/admin/members", webtest.Form("nickname", "Jo", "lang", "nl", "email", "nope")), "geen geldig e-mailadres"},
		}
		for i, b := range bad {
			if b.form.Status != 422 || !strings.Contains(b.form.Body, b.msg) {
				t.Errorf("bad input %d: want 422 with %q, got %d", i, b.msg, b.form.Status)
			}
		}
		// The form keeps what was typed.
		if !strings.Contains(bad[5].form.Body, `value="nope"`) {
			t.Error("the form lost the user's input")
		}
		if page, _ := st.SearchMembers(ctx, firstSite(t, st), "", 10, 0); page.Total != 0 {
			t.Fatalf("bad input stored %d members", page.Total)
		}

		r := c.Post("/admin/members", webtest.Form("nickname", `<img src=x onerror=alert(1)>`, "lang", "ar"))
		if r.Status != 303 {
			t.Fatalf("register: %d\n%s", r.Status, r.Body)
		}
		page := c.Get(r.Location)
		if strings.Contains(page.Body, "<img src=x") || !strings.Contains(page.Body, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Fatal("a nickname must be shown as text")
		}
		if !strings.Contains(page.Body, "Lid ingeschreven") {
			t.Fatal("no confirmation after registering")
		}
		id := strings.TrimPrefix(r.Location, "/admin/members/")
		m, _ := st.SearchMembers(ctx, firstSite(t, st), "", 1, 0)
		code := m.Members[0].Card.CheckCode
		if list := c.Get("/admin/members?q=" + strings.ToLower(code)); !strings.Contains(list.Body, "/admin/members/"+id) {
			t.Fatal("search by check code")
		}
		if list := c.Get("/admin/members?q=nobody-here"); !strings.Contains(list.Body, "Geen lid gevonden") {
			t.Fatal("empty search result state")
		}
		if list := c.Get("/admin/members?q=%FF%00%FE"); list.Status != 200 {
			t.Fatalf("search with invalid bytes: %d", list.Status)
		}

		// Printing a card issues it: the card held before stops working,
		// and the member has a working card again.
		memberID := m.Members[0].ID
		held := func() *store.Card {
			t.Helper()
			card, err := st.ReissueCard(ctx, memberID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CardByToken(ctx, card.Token, firstSite(t, st)); err != nil {
				t.Fatalf("a card just issued does not work: %v", err)
			}
			return card
		}
		stopped := func(what string, card *store.Card) {
			t.Helper()
			if _, err := st.CardByToken(ctx, card.Token, firstSite(t, st)); err == nil {
				t.Fatalf("the card held before still works after %s", what)
			}
			if now := must(st.Member(ctx, memberID))(t); now.Card == nil || now.Card.ID == card.ID {
				t.Fatalf("after %s the member has no new card", what)
			}
		}
		before := held()
		c.Get("/admin/members/" + id)
		pdf := c.Post("/admin/members/"+id+"/card.pdf", nil)
		if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
			t.Fatalf("card pdf: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
		}
		stopped("printing", before)
		before = held()
		c.Get("/admin/members")
		sheet := c.Post("/admin/cards.pdf", webtest.Form("id", id, "id", id))
		if sheet.Status != 200 || !strings.HasPrefix(sheet.Body, "%PDF") {
			t.Fatalf("sheet pdf: %d", sheet.Status)
		}
		stopped("printing a sheet", before)
		for _, form := range [][]string{nil, {"id", "abc"}, {"id", "0"}} {
			if r := c.Post("/admin/cards.pdf", webtest.Form(form...)); r.Status != 400 {
				t.Errorf("cards.pdf %v: want 400, got %d", form, r.Status)
			}
		}
		if r := c.Get("/admin/members/" + id + "/card.pdf"); r.Status == 200 {
			t.Error("a GET prints (and issues) a card")
		}

		before = held()
		c.Get("/admin/members/" + id)
		if r := c.Post("/admin/members/"+id+"/reissue", nil); r.Status != 422 {
			t.Fatalf("reissue without confirmation: %d", r.Status)
		}
		c.Get("/admin/members/" + id)
		if r := c.Post("/admin/members/"+id+"/reissue", webtest.Form("confirm", "yes")); r.Status != 303 {
			t.Fatalf("reissue: %d", r.Status)
		}
		stopped("a reissue", before)

		c.Get("/admin/members/" + id + "/edit")
		if r := c.Post("/admin/members/"+id+"/edit", webtest.Form("nickname", "Amina", "lang", "ar", "note", "=1+1\r\nsecond line")); r.Status != 303 {
			t.Fatalf("edit with a two-line note: %d", r.Status)
		}
		if r := c.Post("/admin/members/999999/edit", webtest.Form("nickname", "X", "lang", "nl")); r.Status != 404 {
			t.Fatalf("edit unknown member: %d", r.Status)
		}
	})
}

func TestSetupLinkWorksOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		app := webtest.NewApp(t, func(app *fiber.App, w *web.Web) { admin.Mount(app, st, w, admin.Options{Log: quiet}) })
		tok, err := st.NewSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c := webtest.NewClient(t, app)
		if r := c.Get("/setup/wrong"); r.Status != 404 {
			t.Fatalf("wrong setup token: %d", r.Status)
		}
		c.Get("/setup/" + tok)
		if r := c.Post("/setup/"+tok, webtest.Form("org", "OCMW", "email", "a@b.be", "password", "short")); r.Status != 422 {
			t.Fatalf("short password: %d", r.Status)
		}
		r := c.Post("/setup/"+tok, webtest.Form("org", "CPAS de Liège", "email", "a@b.be", "password", pw))
		if r.Status != 303 || r.Location != "/admin" {
			t.Fatalf("setup: %d", r.Status)
		}
		if d := c.Get("/admin"); d.Status != 200 || !strings.Contains(d.Body, "CPAS de Liège") {
			t.Fatalf("dashboard after setup: %d", d.Status)
		}
		c2 := webtest.NewClient(t, app)
		if r := c2.Get("/setup/" + tok); r.Status != 404 {
			t.Fatalf("setup link worked twice: %d", r.Status)
		}
	})
}

func TestUsers(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		c := f.signIn(t, store.RoleAdmin)
		c.Get("/admin/users")
		if r := c.Post("/admin/users", webtest.Form("email", "new@test.be", "role", "boss", "password", pw)); r.Status != 422 {
			t.Fatalf("bad role: %d", r.Status)
		}
		if r := c.Post("/admin/users", webtest.Form("email", "staff@test.be", "role", "staff", "password", pw)); r.Status != 422 || !strings.Contains(r.Body, "al in gebruik") {
			t.Fatalf("duplicate email: %d", r.Status)
		}
		if r := c.Post("/admin/users", webtest.Form("email", "new@test.be", "role", "staff", "password", pw)); r.Status != 303 {
			t.Fatalf("add user: %d", r.Status)
		}
		users, _ := st.Users(ctx)
		var adminID, newID int64
		for _, u := range users {
			switch u.Email {
			case "admin@test.be":
				adminID = u.ID
			case "new@test.be":
				newID = u.ID
			}
		}
		c.Get("/admin/users")
		if r := c.Post(fmt.Sprintf("/admin/users/%d/disable", adminID), nil); r.Status != 422 || !strings.Contains(r.Body, "laatste beheerder") {
			t.Fatalf("disable last admin: %d", r.Status)
		}
		c.Get("/admin/users")
		if r := c.Post(fmt.Sprintf("/admin/users/%d/disable", newID), nil); r.Status != 303 {
			t.Fatalf("disable: %d", r.Status)
		}
	})
}

func TestDashboardCountsToday(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		site, _ := st.EnsureSite(ctx, "Test", "Europe/Brussels") // the first site
		for _, n := range []string{"A", "B"} {
			m, err := st.CreateMember(ctx, store.MemberInput{Nickname: n, Lang: "nl"})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.CheckIn(ctx, m.ID, site); err != nil {
				t.Fatal(err)
			}
		}
		r := f.signIn(t, store.RoleFacilitator).Get("/admin")
		if !strings.Contains(r.Body, `id="checkins-today">2<`) || !strings.Contains(r.Body, "aanmeldingen vandaag") {
			t.Fatalf("dashboard:\n%s", r.Body)
		}
		if strings.Contains(r.Body, ">A<") {
			t.Fatal("the dashboard lists names")
		}
	})
}

func TestLanguageSwitchStaysOnThisServer(t *testing.T) {
	f := newFixture(t, storetest.Open(t, "sqlite"))
	c := f.signIn(t, store.RoleStaff)
	for back, want := range map[string]string{
		"/admin/members?q=x":    "/admin/members?q=x",
		"//evil.example/":       "/admin",
		"/\t/evil.example":      "/admin",
		"/x\r\nSet-Cookie: a=b": "/admin",
		"https://evil.example/": "/admin",
		"/\\evil.example":       "/admin",
		"":                      "/admin",
	} {
		c.Get("/admin")
		r := c.Post("/admin/lang", webtest.Form("lang", "fr", "back", back))
		if r.Status != 303 || r.Location != want || r.Header.Get("Set-Cookie") == "a=b" {
			t.Errorf("back=%q: %d %q", back, r.Status, r.Location)
		}
	}
}

func TestSettings(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	f := newFixture(t, st)
	if r := f.signIn(t, store.RoleStaff).Get("/admin/settings"); r.Status != 403 {
		t.Fatalf("staff sees the settings: %d", r.Status)
	}
	c := f.signIn(t, store.RoleAdmin)
	c.Get("/admin/settings")
	if r := c.Post("/admin/settings", webtest.Form("org", "")); r.Status != 422 {
		t.Fatalf("no name: %d", r.Status)
	}
	if r := c.Post("/admin/settings", webtest.Form("org", "CPAS de Liège")); r.Status != 303 {
		t.Fatalf("save: %d", r.Status)
	}
	if p := c.Get("/admin/settings"); !strings.Contains(p.Body, `value="CPAS de Liège"`) {
		t.Fatal("settings not shown back")
	}
}

// The privacy page sets how long each kind of record is kept: a period
// out of range is refused with the form again and nothing saved; a good
// one is what the job uses.
func TestRetentionPage(t *testing.T) {
	st := storetest.Open(t, "sqlite") // one page and its form: the store's rules run on both databases in store
	f := newFixture(t, st)
	if r := f.signIn(t, store.RoleStaff).Get("/admin/privacy"); r.Status != 403 {
		t.Fatalf("staff sees the privacy settings: %d", r.Status)
	}
	nl := nlLoc(t)
	c := f.signIn(t, store.RoleAdmin)
	page := c.Get("/admin/privacy")
	if page.Status != 200 || !strings.Contains(page.Body, html.EscapeString(nl.T("admin.retention.rule.members"))) || !strings.Contains(page.Body, html.EscapeString(nl.T("admin.retention.not_yet"))) {
		t.Fatalf("privacy page: %d", page.Status)
	}
	form := func(words string) url.Values {
		v := url.Values{}
		for _, r := range store.RetentionRules {
			v.Set(r.Key, strconv.Itoa(r.Default))
		}
		v.Set("words", words)
		return v
	}
	r := c.Post("/admin/privacy", form("2"))
	if r.Status != 422 || !strings.Contains(r.Body, html.EscapeString(nl.T("admin.retention.err.range", "Min", 7, "Max", 3650))) || !strings.Contains(r.Body, `value="2"`) {
		t.Fatalf("2 days: %d", r.Status)
	}
	if v, _ := st.Setting(ctx, store.SettingTextRetentionDays); v != "" {
		t.Fatalf("a refused form saved %q", v)
	}
	c.Get("/admin/privacy")
	if r := c.Post("/admin/privacy", form("90")); r.Status != 303 {
		t.Fatalf("save: %d", r.Status)
	}
	if v, _ := st.Setting(ctx, store.SettingTextRetentionDays); v != "90" {
		t.Fatalf("retention: %q", v)
	}
	if _, err := st.ApplyRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if p := c.Get("/admin/privacy"); strings.Contains(p.Body, html.EscapeString(nl.T("admin.retention.not_yet"))) {
		t.Fatal("the page does not show the job's last run")
	}
}
