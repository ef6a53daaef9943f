package kiosk_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// The courses screen keeps its tiles as written (kiosk/courses.go); every
// change of what they are made of shows at the next load: the course's
// name, its seats, staff's corrected words, the day. Rendering only: the
// store's part (a change on another server, on both databases) is
// TestCourseChangeOnOneServerShowsOnAnother, so SQLite suffices here.
func TestCoursesScreenShowsEveryChange(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	site, jan := seed(t, st, "Jan", "nl")
	// 08:00 on a day, in the site's time; the course is in two days.
	day := time.Now().In(site.Location())
	clock := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, site.Location())
	st.SetClock(func() time.Time { return clock })
	c, err := st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "mail",
		Texts: map[string]store.CourseText{"nl": {Name: "Mail <1>"}}})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.AddDate(0, 0, 2).Add(4 * time.Hour)
	sess, err := st.AddSession(ctx, c.ID, store.SessionInput{Start: start, End: start.Add(time.Hour), Seats: 1})
	if err != nil {
		t.Fatal(err)
	}
	app, w := kioskAndWeb(t, st)
	l := w.I18n.Loc("nl", "nl")
	cl := webtest.NewClient(t, app)
	scanIn(t, cl, jan)
	shows := func(what string, want ...string) {
		t.Helper()
		body := cl.Get("/kiosk/courses").Body
		for _, s := range want {
			if !strings.Contains(body, html.EscapeString(s)) {
				t.Fatalf("%s: the courses screen does not show %q", what, s)
			}
		}
	}
	shows("at first", "Mail <1>", l.N("kiosk.courses.free", 1), l.DayName(start))

	if _, err := st.SaveCourse(ctx, c.ID, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "mail",
		Texts: map[string]store.CourseText{"nl": {Name: "Mail <2>"}}}); err != nil {
		t.Fatal(err)
	}
	shows("renamed", "Mail <2>")

	piet, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Piet", Lang: "nl"})
	if _, err := st.Enrol(ctx, store.EnrolInput{SessionID: sess.ID, MemberID: piet.ID}); err != nil {
		t.Fatal(err)
	}
	shows("the last seat taken", l.T("kiosk.courses.full"))

	corrected := "[" + l.T("kiosk.courses.full") + "]"
	w.I18n.SetOverrides(map[string]map[string]string{"nl": {"kiosk.courses.full": corrected}})
	shows("staff corrected the words", corrected)

	// Ten seconds before midnight, then ten after: the same sessions
	// (a list is kept up to a minute), another day.
	y, m, d := start.In(site.Location()).Date()
	clock = time.Date(y, m, d, 0, 0, -10, 0, site.Location())
	shows("before midnight", l.T("kiosk.lab.tomorrow"))
	clock = clock.Add(20 * time.Second)
	shows("after midnight", l.T("kiosk.lab.today"))
}

// The bar at the top of every screen and the "are you still there?" box
// are written once per language and words (web.once): each language gets
// its own, and staff's corrections show at the next screen.
func TestKioskBarFollowsLanguageAndWords(t *testing.T) {
	st := storetest.Open(t, "sqlite") // rendering only
	seed(t, st, "Jan", "nl")
	app, w := kioskAndWeb(t, st)
	nl, ar := webtest.NewClient(t, app), webtest.NewClient(t, app)
	ar.Get("/kiosk")
	if r := ar.Post("/kiosk/lang", webtest.Form("lang", "ar")); r.Status != 303 {
		t.Fatalf("choose Arabic: %d", r.Status)
	}
	shows := func(c *webtest.Client, lang string, ids ...string) {
		t.Helper()
		body := c.Get("/kiosk").Body
		l := w.I18n.Loc(lang, "nl")
		for _, id := range ids {
			if want := html.EscapeString(l.T(id)); !strings.Contains(body, want) {
				t.Fatalf("%s: the screen does not show %s (%q)", lang, id, want)
			}
		}
	}
	bar := []string{"kiosk.help", "kiosk.start_over", "kiosk.idle.question", "kiosk.idle.stay"}
	shows(nl, "nl", bar...)
	shows(ar, "ar", bar...)
	shows(nl, "nl", bar...)

	corrected := "[" + w.I18n.Loc("nl", "nl").T("kiosk.start_over") + "]"
	w.I18n.SetOverrides(map[string]map[string]string{"nl": {"kiosk.start_over": corrected, "kiosk.idle.stay": corrected + "!"}})
	if body := nl.Get("/kiosk").Body; !strings.Contains(body, html.EscapeString(corrected)) || !strings.Contains(body, html.EscapeString(corrected+"!")) {
		t.Fatal("the bar does not show staff's corrected words")
	}
	shows(ar, "ar", bar...)
}

// kioskAndWeb is newKiosk with its web, whose catalogs and corrections a
// test reads and changes.
func kioskAndWeb(t *testing.T, st *store.Store) (*fiber.App, *web.Web) {
	var w *web.Web
	app := webtest.NewApp(t, func(app *fiber.App, ww *web.Web) {
		w = ww
		kiosk.Mount(app, st, w, kiosk.Options{Idle: 60 * time.Second})
	})
	return app, w
}
