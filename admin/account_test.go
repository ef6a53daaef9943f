package admin_test

import (
	"bytes"
	"fmt"
	"html"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// syncBuffer is a log that many requests write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// accountFixture is the admin panel as drempel serve wires it: staff
// sessions in the database. Its log is kept, to read the audit lines.
type accountFixture struct {
	*fixture
	log *syncBuffer
	nl  *web.Loc
}

func newAccountFixture(t *testing.T, st *store.Store, loginPerMinute int) *accountFixture {
	t.Helper()
	seedStaff(t, st)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	tz, _ := time.LoadLocation("Europe/Brussels")
	w, err := web.New(web.Options{TimeZone: tz, DefaultLang: "nl", Sessions: st.Sessions(), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(w.Config())
	w.Use(app)
	admin.Mount(app, st, w, admin.Options{LoginPerMinute: loginPerMinute, Log: log})
	x, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &accountFixture{fixture: &fixture{st: st, app: app}, log: logs, nl: x.Loc("nl", "nl")}
}

// says reports whether a page shows a catalog message (in Dutch).
func (f *accountFixture) says(body, id string, args ...any) bool {
	return strings.Contains(body, html.EscapeString(f.nl.T(id, args...)))
}

func (f *accountFixture) signInWith(t *testing.T, email, password string) *webtest.Client {
	t.Helper()
	c := webtest.NewClient(t, f.app)
	c.Lang = "nl-BE"
	c.Get("/admin/login")
	if r := c.Post("/admin/login", webtest.Form("email", email, "password", password)); r.Status != 303 || r.Location != "/admin" {
		t.Fatalf("sign in as %s: %d", email, r.Status)
	}
	return c
}

var resetLinkRe = regexp.MustCompile(`value="(http://[^"]+/admin/reset/([0-9A-Z]{26}))"`)

// makeResetLink has the admin make a reset link for an account on the
// users page, and returns its token.
func (f *accountFixture) makeResetLink(t *testing.T, adm *webtest.Client, email string) string {
	t.Helper()
	adm.Get("/admin/users")
	r := adm.Post("/admin/users/"+strconv.FormatInt(userID(t, f.st, email), 10)+"/reset", nil)
	if r.Status != 200 {
		t.Fatalf("reset link for %s: %d", email, r.Status)
	}
	if !f.says(r.Body, "admin.users.reset_for", "Email", email) || !f.says(r.Body, "admin.users.reset_once") {
		t.Fatal("the users page does not say whose link it shows, and that it shows it once")
	}
	if !strings.Contains(r.Body, `src="data:image/png;base64,`) || !strings.Contains(r.Body, `data-copy="reset-link"`) {
		t.Fatal("the link comes without its QR code or its copy button")
	}
	if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
		t.Errorf("users page with a reset link: untranslated %v", ids)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Error("the page with the link may be cached")
	}
	m := resetLinkRe.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("no reset link on the page")
	}
	// Shown once: the users page, opened again, does not show it.
	if again := adm.Get("/admin/users"); strings.Contains(again.Body, m[2]) {
		t.Fatal("the users page shows the reset link again")
	}
	return m[2]
}

func TestPasswordResetJourney(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newAccountFixture(t, st, 30)
		staffID, adminID := userID(t, st, "staff@test.be"), userID(t, st, "admin@test.be")
		// Signed in before the reset, on the staff member's other PC.
		before := f.signInWith(t, "staff@test.be", pw)
		if r := before.Get("/admin/members"); r.Status != 200 {
			t.Fatalf("staff before the reset: %d", r.Status)
		}
		adm := f.signInWith(t, "admin@test.be", pw)
		tok := f.makeResetLink(t, adm, "staff@test.be")

		// The staff member opens the link, in a browser of their own.
		c := webtest.NewClient(t, f.app)
		c.Lang = "nl-BE"
		r := c.Get("/admin/reset/" + tok)
		if r.Status != 200 || !f.says(r.Body, "admin.reset.title") || !f.says(r.Body, "admin.reset.intro", "Email", "staff@test.be") {
			t.Fatalf("the reset page: %d", r.Status)
		}
		if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
			t.Errorf("reset page: untranslated %v", ids)
		}
		// The same rules as setup; the two passwords must match.
		r = c.Post("/admin/reset/"+tok, webtest.Form("password", "short", "confirm", "short"))
		if r.Status != 422 || !f.says(r.Body, "error.password.too_short") {
			t.Fatalf("short password: %d", r.Status)
		}
		r = c.Post("/admin/reset/"+tok, webtest.Form("password", "a brand new password", "confirm", "a brand new passwort"))
		if r.Status != 422 || !f.says(r.Body, "admin.account.mismatch") {
			t.Fatalf("passwords that differ: %d", r.Status)
		}
		r = c.Post("/admin/reset/"+tok, webtest.Form("password", "a brand new password", "confirm", "a brand new password"))
		if r.Status != 303 || r.Location != "/admin/login" {
			t.Fatalf("reset: %d %q", r.Status, r.Location)
		}
		if r := c.Get("/admin/login"); !f.says(r.Body, "admin.reset.done") {
			t.Error("no word that the new password is set")
		}

		// The session from before the reset is over.
		if r := before.Get("/admin/members"); r.Status != 303 || r.Location != "/admin/login" {
			t.Fatalf("a session from before the reset: %d %q", r.Status, r.Location)
		}
		if r := before.Get("/admin"); r.Status != 303 {
			t.Fatalf("a session from before the reset, again: %d", r.Status)
		}
		// The admin who made the link stays signed in.
		if r := adm.Get("/admin/users"); r.Status != 200 {
			t.Fatalf("the admin after the reset: %d", r.Status)
		}
		// The old password no longer signs in; the new one does.
		c.Get("/admin/login")
		if r := c.Post("/admin/login", webtest.Form("email", "staff@test.be", "password", pw)); r.Status != 401 {
			t.Fatalf("old password: %d", r.Status)
		}
		after := f.signInWith(t, "staff@test.be", "a brand new password")
		if r := after.Get("/admin/members"); r.Status != 200 {
			t.Fatalf("signed in with the new password: %d", r.Status)
		}

		// The link is used: it opens nothing and sets nothing.
		r = c.Get("/admin/reset/" + tok)
		if r.Status != 404 || !f.says(r.Body, "admin.reset.used") {
			t.Fatalf("the used link: %d", r.Status)
		}
		if r := c.Post("/admin/reset/"+tok, webtest.Form("password", "yet another password", "confirm", "yet another password")); r.Status != 404 {
			t.Fatalf("posting the used link: %d", r.Status)
		}
		if _, err := st.Authenticate(ctx, "staff@test.be", "a brand new password"); err != nil {
			t.Fatal("a used link changed the password again")
		}

		// The audit: who made a link for whom, and its use; never the
		// token or a password.
		logs := f.log.String()
		for _, want := range []string{
			fmt.Sprintf(`msg="password reset link made" user=%d by=%d`, staffID, adminID),
			fmt.Sprintf(`msg="password reset with a link" user=%d link_by=%d`, staffID, adminID),
		} {
			if !strings.Contains(logs, want) {
				t.Errorf("the log lacks %s:\n%s", want, logs)
			}
		}
		for _, secret := range []string{tok, strings.ToLower(tok), "brand new", "short"} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
	})
}

func TestPasswordResetLinkExpires(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newAccountFixture(t, st, 30)
		tok, _, err := st.NewResetLink(ctx, userID(t, st, "staff@test.be"), userID(t, st, "admin@test.be"))
		if err != nil {
			t.Fatal(err)
		}
		c := webtest.NewClient(t, f.app)
		c.Lang = "nl-BE"
		if r := c.Get("/admin/reset/" + tok); r.Status != 200 {
			t.Fatalf("a fresh link: %d", r.Status)
		}
		defer st.SetClock(time.Now)
		st.SetClock(func() time.Time { return time.Now().Add(24*time.Hour + time.Minute) })
		if r := c.Get("/admin/reset/" + tok); r.Status != 404 || !f.says(r.Body, "admin.reset.used") {
			t.Fatalf("a link a day old: %d", r.Status)
		}
		if r := c.Post("/admin/reset/"+tok, webtest.Form("password", "a brand new password", "confirm", "a brand new password")); r.Status != 404 {
			t.Fatalf("posting a link a day old: %d", r.Status)
		}
		if _, err := st.Authenticate(ctx, "staff@test.be", pw); err != nil {
			t.Fatal("an expired link changed the password")
		}
	})
}

// Twenty browsers post one link at the same moment: the password is set
// once, and every other post hears the link is used.
func TestPasswordResetLinkParallelPosts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newAccountFixture(t, st, 30)
		tok, _, err := st.NewResetLink(ctx, userID(t, st, "staff@test.be"), userID(t, st, "admin@test.be"))
		if err != nil {
			t.Fatal(err)
		}
		const n = 20
		clients := make([]*webtest.Client, n)
		for i := range clients {
			clients[i] = webtest.NewClient(t, f.app)
			if r := clients[i].Get("/admin/reset/" + tok); r.Status != 200 {
				t.Fatalf("reset form: %d", r.Status)
			}
		}
		status := make([]int, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p := fmt.Sprintf("new password %02d", i)
				status[i] = c.Post("/admin/reset/"+tok, webtest.Form("password", p, "confirm", p)).Status
			}()
		}
		close(start)
		wg.Wait()
		won := -1
		for i, s := range status {
			switch s {
			case 303:
				if won >= 0 {
					t.Errorf("posts %d and %d both set the password", won, i)
				}
				won = i
			case 404:
			default:
				t.Errorf("post %d: %d", i, s)
			}
		}
		if won < 0 {
			t.Fatal("no post set the password")
		}
		for i := 0; i < n; i++ {
			_, err := st.Authenticate(ctx, "staff@test.be", fmt.Sprintf("new password %02d", i))
			if (err == nil) != (i == won) {
				t.Errorf("password of post %d signs in: %v (the winner is %d)", i, err == nil, won)
			}
		}
		if got := strings.Count(f.log.String(), `msg="password reset with a link"`); got != 1 {
			t.Errorf("%d resets in the log, want 1", got)
		}
	})
}

// Only admins make reset links, and not for a disabled account; everyone
// has My account.
func TestPasswordResetIsForAdmins(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newAccountFixture(t, st, 30)
		staffPath := "/admin/users/" + strconv.FormatInt(userID(t, st, "staff@test.be"), 10) + "/reset"
		for _, role := range []store.Role{store.RoleStaff, store.RoleFacilitator} {
			c := f.signIn(t, role)
			r := c.Get("/admin")
			if !strings.Contains(r.Body, `href="/admin/account"`) || !f.says(r.Body, "admin.nav.account") {
				t.Errorf("%s: no link to My account in the top bar", role)
			}
			r = c.Get("/admin/account")
			if r.Status != 200 || !f.says(r.Body, "admin.account.title") {
				t.Errorf("%s: My account %d", role, r.Status)
			}
			if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
				t.Errorf("%s My account: untranslated %v", role, ids)
			}
			if r := c.Post(staffPath, nil); r.Status != 403 {
				t.Errorf("%s makes a reset link: %d", role, r.Status)
			}
		}
		var n int64
		if err := st.R.Model(&store.Setting{}).Where("key LIKE ?", "reset:%").Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("%d reset links made by non-admins (%v)", n, err)
		}

		adm := f.signIn(t, store.RoleAdmin)
		adm.Get("/admin/users")
		if r := adm.Post("/admin/users/999999/reset", nil); r.Status != 404 {
			t.Errorf("a reset link for no account: %d", r.Status)
		}
		adm.Get("/admin/users")
		if r := adm.Post("/admin/users/"+strconv.FormatInt(userID(t, st, "staff@test.be"), 10)+"/disable", nil); r.Status != 303 {
			t.Fatalf("disable: %d", r.Status)
		}
		users := adm.Get("/admin/users")
		if strings.Contains(users.Body, `action="`+staffPath+`"`) {
			t.Error("a disabled account offers a reset link")
		}
		r := adm.Post(staffPath, nil)
		if r.Status != 409 || !f.says(r.Body, "admin.users.reset_disabled") || resetLinkRe.MatchString(r.Body) {
			t.Fatalf("a reset link for a disabled account: %d", r.Status)
		}
	})
}

func TestChangeOwnPasswordJourney(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newAccountFixture(t, st, 30)
		id := userID(t, st, "facilitator@test.be")
		other := f.signInWith(t, "facilitator@test.be", pw) // another PC
		c := f.signInWith(t, "facilitator@test.be", pw)
		if r := c.Get("/admin/account"); r.Status != 200 {
			t.Fatalf("My account: %d", r.Status)
		}

		// A wrong current password: the form again, with a clear message.
		r := c.Post("/admin/account", webtest.Form("current", "not my password", "password", "a brand new password", "confirm", "a brand new password"))
		if r.Status != 422 || !f.says(r.Body, "admin.account.wrong_current") || !strings.Contains(r.Body, `name="current"`) {
			t.Fatalf("wrong current password: %d", r.Status)
		}
		r = c.Post("/admin/account", webtest.Form("current", pw, "password", "a brand new password", "confirm", "another new password"))
		if r.Status != 422 || !f.says(r.Body, "admin.account.mismatch") {
			t.Fatalf("new passwords that differ: %d", r.Status)
		}
		r = c.Post("/admin/account", webtest.Form("current", pw, "password", "short", "confirm", "short"))
		if r.Status != 422 || !f.says(r.Body, "error.password.too_short") {
			t.Fatalf("a short new password: %d", r.Status)
		}
		if _, err := st.Authenticate(ctx, "facilitator@test.be", pw); err != nil {
			t.Fatal("a refused change changed the password")
		}
		if r := other.Get("/admin/courses"); r.Status != 200 {
			t.Fatalf("a refused change signed out the other PC: %d", r.Status)
		}

		r = c.Post("/admin/account", webtest.Form("current", pw, "password", "a brand new password", "confirm", "a brand new password"))
		if r.Status != 303 || r.Location != "/admin/account" {
			t.Fatalf("change: %d %q", r.Status, r.Location)
		}
		// This session stays, with word of the change; the other PC's ends.
		if r := c.Get("/admin/account"); r.Status != 200 || !f.says(r.Body, "admin.account.changed") {
			t.Fatalf("after the change: %d", r.Status)
		}
		if r := c.Get("/admin/courses"); r.Status != 200 {
			t.Fatalf("this session after the change: %d", r.Status)
		}
		if r := other.Get("/admin/courses"); r.Status != 303 || r.Location != "/admin/login" {
			t.Fatalf("the other PC after the change: %d", r.Status)
		}
		if _, err := st.Authenticate(ctx, "facilitator@test.be", pw); err == nil {
			t.Fatal("the old password still signs in")
		}
		f.signInWith(t, "facilitator@test.be", "a brand new password")

		logs := f.log.String()
		for _, want := range []string{
			fmt.Sprintf(`msg="password changed by its owner" user=%d`, id),
			fmt.Sprintf(`msg="password change refused: wrong current password" user=%d`, id),
		} {
			if !strings.Contains(logs, want) {
				t.Errorf("the log lacks %s", want)
			}
		}
		for _, secret := range []string{"brand new", "not my password", pw} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
	})
}

// Trying current passwords is capped per account, as sign-ins are.
func TestChangeOwnPasswordRateLimit(t *testing.T) {
	f := newAccountFixture(t, storetest.Open(t, "sqlite"), 5)
	c := f.signIn(t, store.RoleStaff)
	c.Get("/admin/account")
	var last webtest.Response
	for i := 0; i < 6; i++ {
		last = c.Post("/admin/account", webtest.Form("current", fmt.Sprintf("guess %d", i), "password", "a brand new password", "confirm", "a brand new password"))
	}
	if last.Status != 429 || !f.says(last.Body, "admin.account.too_many") {
		t.Fatalf("6th attempt in a minute with a limit of 5: %d", last.Status)
	}
	// Even the right password waits now.
	if r := c.Post("/admin/account", webtest.Form("current", pw, "password", "a brand new password", "confirm", "a brand new password")); r.Status != 429 {
		t.Fatalf("after the limit: %d", r.Status)
	}
	// Another account is not held up.
	o := f.signIn(t, store.RoleFacilitator)
	o.Get("/admin/account")
	if r := o.Post("/admin/account", webtest.Form("current", pw, "password", "a brand new password", "confirm", "a brand new password")); r.Status != 303 {
		t.Fatalf("another account: %d", r.Status)
	}
}
