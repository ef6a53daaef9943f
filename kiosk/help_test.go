package kiosk_test

import (
	"html"
	"strings"
	"testing"

	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
	"github.com/gofiber/fiber/v2"
)

func kioskLoc(t *testing.T, lang string) *web.Loc {
	t.Helper()
	x, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	return x.Loc(lang, lang)
}

// A visitor who did not check in asks for help: a subject by pictogram,
// a ticket with its number and how many wait before it, and "your number
// is called" once a helper takes it.
func TestHelpTicketAtTheKiosk(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, _ := seed(t, st, "Jan", "nl")
		l := kioskLoc(t, "nl")
		app := newKiosk(t, st)
		c := webtest.NewClient(t, app)
		idle := c.Get("/kiosk")
		if !strings.Contains(idle.Body, `href="/kiosk/help"`) {
			t.Fatal("the idle screen offers no help")
		}
		page := c.Get("/kiosk/help")
		for _, s := range store.HelpSubjects {
			if !strings.Contains(page.Body, `name="subject" value="`+s+`"`) || !strings.Contains(page.Body, html.EscapeString(l.T("kiosk.help.subject."+s))) {
				t.Errorf("no subject %s", s)
			}
		}
		if r := c.Post("/kiosk/help", webtest.Form("subject", "moon")); r.Status != 400 {
			t.Fatalf("a subject not offered: %d", r.Status)
		}
		// Someone asked before.
		first, err := st.AskForHelp(ctx, store.HelpInput{SiteID: site.ID, Subject: "other"})
		if err != nil {
			t.Fatal(err)
		}
		r := c.Post("/kiosk/help", webtest.Form("subject", "phone"))
		if r.Status != 303 || !strings.HasPrefix(r.Location, "/kiosk/help/t/") {
			t.Fatalf("ask: %d %q", r.Status, r.Location)
		}
		token := strings.TrimPrefix(r.Location, "/kiosk/help/t/")
		tk, err := st.HelpTicketByToken(ctx, token)
		if err != nil || tk.Number != 2 || tk.MemberID != nil || tk.Subject != "phone" {
			t.Fatalf("ticket: %+v %v", tk, err)
		}
		ticket := c.Get(r.Location)
		if ticket.Status != 200 || !strings.Contains(ticket.Body, `id="ticket-number" aria-label="`+html.EscapeString(l.T("kiosk.help.number_is", "N", 2))+`">2<`) ||
			!strings.Contains(ticket.Body, html.EscapeString(l.T("kiosk.help.before", "N", 1))) || !strings.Contains(ticket.Body, `data-idle="0"`) {
			t.Fatalf("ticket page:\n%s", ticket.Body)
		}
		helper, err := st.CreateUser(ctx, store.UserInput{Email: "peer@test.be", Role: store.RolePeer, Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.TakeHelp(ctx, site.ID, first.ID, helper.ID); err != nil {
			t.Fatal(err)
		}
		if ev := c.Get(r.Location + "/events"); !strings.Contains(ev.Body, html.EscapeString(l.T("kiosk.help.next"))) {
			t.Fatalf("events before the call:\n%s", ev.Body)
		}
		if err := st.TakeHelp(ctx, site.ID, tk.ID, helper.ID); err != nil {
			t.Fatal(err)
		}
		ev := c.Get(r.Location + "/events")
		if ev.Status != 200 || !strings.HasPrefix(ev.Body, "event: update\n") || !strings.Contains(ev.Body, html.EscapeString(l.T("kiosk.help.called"))) ||
			!strings.Contains(ev.Body, `data-status="taken"`) {
			t.Fatalf("events after the call: %d\n%s", ev.Status, ev.Body)
		}
		for _, p := range []string{"/kiosk/help/t/0123456789abcdef0123456789abcdef", "/kiosk/help/t/x/events"} {
			if r := c.Get(p); r.Status != 404 {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		// Another site's kiosk does not show the ticket.
		other, err := st.CreateSite(ctx, store.SiteInput{Name: "Elders"})
		if err != nil {
			t.Fatal(err)
		}
		far, err := st.AskForHelp(ctx, store.HelpInput{SiteID: other.ID, Subject: "phone"})
		if err != nil {
			t.Fatal(err)
		}
		// The screen is now one of a network: paired to this site, it
		// shows this site's ticket and not the other's.
		_, code, err := st.CreateStation(ctx, site.ID, "Inkom")
		if err != nil {
			t.Fatal(err)
		}
		c.Get("/kiosk/pair")
		if r := c.Post("/kiosk/pair", webtest.Form("code", code)); r.Status != 303 {
			t.Fatalf("pair: %d", r.Status)
		}
		if r := c.Get("/kiosk/help/t/" + token); r.Status != 200 {
			t.Errorf("this site's ticket: %d", r.Status)
		}
		for _, p := range []string{"/kiosk/help/t/" + far.Token, "/kiosk/help/t/" + far.Token + "/events"} {
			if r := c.Get(p); r.Status != 404 {
				t.Errorf("another site's ticket, %s: %d", p, r.Status)
			}
		}
	})
}

// After check-in, the ticket carries the member (the desk sees the
// nickname), and the visitor's session ends: the kiosk's screen shows
// a number and nothing of theirs.
func TestHelpAfterCheckIn(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, m := seed(t, st, "Jan", "ar")
		c := webtest.NewClient(t, newKiosk(t, st))
		scanIn(t, c, m)
		r := c.Post("/kiosk/help", webtest.Form("subject", "computer"))
		if r.Status != 303 {
			t.Fatalf("ask: %d", r.Status)
		}
		tk, err := st.HelpTicketByToken(ctx, strings.TrimPrefix(r.Location, "/kiosk/help/t/"))
		if err != nil || tk.MemberID == nil || *tk.MemberID != m.ID || tk.SiteID != site.ID || tk.Lang != "ar" {
			t.Fatalf("ticket: %+v %v", tk, err)
		}
		page := c.Get(r.Location)
		if strings.Contains(page.Body, "Jan") || !strings.Contains(page.Body, `dir="rtl"`) {
			t.Fatal("the ticket shows the visitor's name, or not in their language")
		}
		if home := c.Get("/kiosk/home"); home.Status != 303 || home.Location != "/kiosk" {
			t.Fatalf("the visitor's session goes on: %d %q", home.Status, home.Location)
		}
	})
}

// "Yes, help me" after a threshold report puts the report in the same
// queue; the thanks screen shows the way to the number.
func TestThresholdHelpJoinsTheQueue(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, m := seed(t, st, "Jan", "nl")
		l := kioskLoc(t, "nl")
		c := webtest.NewClient(t, newKiosk(t, st))
		scanIn(t, c, m)
		c.Get("/kiosk/report/bank/login/0")
		if r := c.Upload("/kiosk/report", "", "", nil, "domain", "bank", "problem", "login", "org", "0", "text", "pincode"); r.Status != 303 {
			t.Fatalf("report: %d", r.Status)
		}
		c.Get("/kiosk/report/help")
		r := c.Post("/kiosk/report/answer", webtest.Form("help", "yes"))
		thanks := c.Get(r.Location)
		if !strings.Contains(thanks.Body, `href="/kiosk/help/mine"`) || !strings.Contains(thanks.Body, html.EscapeString(l.T("kiosk.help.see_number"))) {
			t.Fatalf("thanks:\n%s", thanks.Body)
		}
		open, _, err := st.HelpQueue(ctx, site, 0)
		if err != nil || len(open) != 1 || open[0].ThresholdID == nil || open[0].Nickname != "Jan" || open[0].Domain != "bank" {
			t.Fatalf("queue: %+v %v", open, err)
		}
		mine := c.Get("/kiosk/help/mine")
		if mine.Status != 303 || mine.Location != "/kiosk/help/t/"+open[0].Token {
			t.Fatalf("mine: %d %q", mine.Status, mine.Location)
		}
		if again := c.Get("/kiosk/help/mine"); again.Status != 303 || again.Location != "/kiosk" {
			t.Fatalf("mine after the session ended: %d %q", again.Status, again.Location)
		}
	})
}

// The idle screen says that a helper is here today, with the first
// names of those who chose to show them.
func TestHelperHereOnTheIdleScreen(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, _ := seed(t, st, "Jan", "nl")
		l := kioskLoc(t, "nl")
		c := webtest.NewClient(t, newKiosk(t, st))
		here := html.EscapeString(l.T("kiosk.help.here"))
		if idle := c.Get("/kiosk"); strings.Contains(idle.Body, here) {
			t.Fatal("a helper is here, says the kiosk, before anyone is on duty")
		}
		for _, p := range []struct {
			email, name string
			show        bool
		}{{"a@test.be", "Samira Peeters", true}, {"b@test.be", "Verborgen Naam", false}} {
			u, err := st.CreateUser(ctx, store.UserInput{Email: p.email, Name: p.name, Role: store.RolePeer, Password: "long enough pw"})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.SetOnDuty(ctx, site, u.ID, true, p.show); err != nil {
				t.Fatal(err)
			}
		}
		idle := c.Get("/kiosk")
		if !strings.Contains(idle.Body, here) || !strings.Contains(idle.Body, "<bdi>Samira</bdi>") || !strings.Contains(idle.Body, html.EscapeString(l.T("kiosk.help.need"))) || strings.Contains(idle.Body, "Peeters") ||
			strings.Contains(idle.Body, "Verborgen") {
			t.Fatalf("idle screen:\n%s", idle.Body)
		}
	})
}

// A kiosk asks for help at most HelpPerMinute times a minute; the next
// visitor is told so in their language, in the words of help, not of
// reports (which are counted apart).
func TestHelpAsksAreLimitedPerKiosk(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		seed(t, st, "Jan", "nl")
		l := kioskLoc(t, "nl")
		app := newKiosk(t, st)
		c := webtest.NewClient(t, app)
		for i := range kiosk.HelpPerMinute + 1 {
			c.Get("/kiosk/help")
			r := c.Post("/kiosk/help", webtest.Form("subject", "phone"))
			if i < kiosk.HelpPerMinute {
				if r.Status != fiber.StatusSeeOther || strings.HasPrefix(r.Location, "/kiosk/limit") {
					t.Fatalf("ask %d: %d %q", i+1, r.Status, r.Location)
				}
				continue
			}
			if r.Location != "/kiosk/limit?what=help" {
				t.Fatalf("ask %d went to %q", i+1, r.Location)
			}
			page := c.Get(r.Location)
			if page.Status != fiber.StatusTooManyRequests || !strings.Contains(page.Body, html.EscapeString(l.T("kiosk.limit.help"))) {
				t.Errorf("the refusal: %d\n%s", page.Status, page.Body)
			}
		}
		// Reports still have their own count.
		c.Get("/kiosk/report/bank/login/0")
		if r := c.Post("/kiosk/report", webtest.Form("domain", "bank", "problem", "login", "org", "0")); r.Location != "/kiosk/report/thanks" {
			t.Errorf("a report after the help asks went to %q", r.Location)
		}
	})
}
