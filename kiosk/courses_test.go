package kiosk_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// Two visitors press "sign me up" for the last seat: one gets it, the
// other is offered the waiting list; when the first cancels, the second
// has the seat and is told so at their next check-in.
func TestLastSeatWaitingListAndNewPlace(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, jan := seed(t, st, "Jan", "nl")
		piet, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Piet", Lang: "nl"})
		course, err := st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "mail",
			Texts: map[string]store.CourseText{"nl": {Name: "E-mail <leren>"}}})
		if err != nil {
			t.Fatal(err)
		}
		start := st.Now().Add(48 * time.Hour)
		sess, err := st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(2 * time.Hour), Seats: 1})
		if err != nil {
			t.Fatal(err)
		}
		app := newKiosk(t, st)
		a, b := webtest.NewClient(t, app), webtest.NewClient(t, app)
		scanIn(t, a, jan)
		scanIn(t, b, piet)
		list := a.Get("/kiosk/courses")
		if !strings.Contains(list.Body, "E-mail &lt;leren&gt;") || !strings.Contains(list.Body, "1 plaats vrij") {
			t.Fatalf("course list:\n%s", list.Body)
		}
		path := regexp.MustCompile(`href="(/kiosk/courses/[0-9]+)"`).FindStringSubmatch(list.Body)[1]
		a.Get(path)
		b.Get(path) // both see one free seat and press at once
		ra := follow(a, a.Post(path+"/enrol", nil))
		rb := follow(b, b.Post(path+"/enrol", nil))
		if ra.Status != 200 || !strings.Contains(ra.Body, "Je bent ingeschreven") {
			t.Fatalf("Jan: %d", ra.Status)
		}
		if rb.Status != 409 || !strings.Contains(rb.Body, "Zet me op de wachtlijst") {
			t.Fatalf("Piet is offered the waiting list: %d\n%s", rb.Status, rb.Body)
		}
		if r := follow(b, b.Post(path+"/enrol", webtest.Form("wait", "1"))); !strings.Contains(r.Body, "Je staat op de wachtlijst") {
			t.Fatalf("Piet on the waiting list: %d", r.Status)
		}
		if mine := b.Get("/kiosk/bookings"); !strings.Contains(mine.Body, "Wachtlijst") {
			t.Fatal("My bookings does not show the waiting list")
		}
		mine := a.Get("/kiosk/bookings")
		cancel := regexp.MustCompile(`/kiosk/enrolments/([0-9]+)/cancel`).FindStringSubmatch(mine.Body)
		// Piet cannot cancel Jan's seat by its id.
		if r := b.Post(cancel[0], nil); r.Status != 404 {
			t.Fatalf("Piet cancels Jan's seat: %d", r.Status)
		}
		a.Get(cancel[0])
		if r := follow(a, a.Post(cancel[0], nil)); !strings.Contains(r.Body, "geannuleerd") {
			t.Fatalf("Jan cancels: %d", r.Status)
		}
		// Piet's next check-in: the good news, once.
		b.Get("/kiosk/reset")
		scanIn(t, b, piet)
		home := b.Get("/kiosk/home")
		if !strings.Contains(home.Body, "Goed nieuws") || !strings.Contains(home.Body, "E-mail &lt;leren&gt;") {
			t.Fatalf("Piet's news:\n%s", home.Body)
		}
		b.Get("/kiosk/reset")
		scanIn(t, b, piet)
		if home := b.Get("/kiosk/home"); strings.Contains(home.Body, "Goed nieuws") {
			t.Fatal("the news is shown twice")
		}
		got, _ := st.Session(ctx, sess.ID)
		if got.Taken != 1 {
			t.Fatalf("taken: %d", got.Taken)
		}
	})
}

// After a session the member attended, the next check-in asks one smiley
// question; answering (or skipping) means it is not asked again.
func TestSmileyQuestionOnce(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	site, m := seed(t, st, "Amina", "ar")
	course, _ := st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "cv",
		Texts: map[string]store.CourseText{"nl": {Name: "Cv maken"}, "ar": {Name: "كتابة السيرة الذاتية"}}})
	now := time.Now().UTC()
	st.SetClock(func() time.Time { return now })
	start := now.Add(time.Hour)
	sess, _ := st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(2 * time.Hour), Seats: 5})
	if _, err := st.Enrol(ctx, store.EnrolInput{SessionID: sess.ID, MemberID: m.ID}); err != nil {
		t.Fatal(err)
	}
	app := newKiosk(t, st)
	c := webtest.NewClient(t, app)
	// Amina scans in when the session starts: present.
	now = start.Add(5 * time.Minute)
	scanIn(t, c, m)
	if r := c.Get("/kiosk/home"); r.Status != 200 {
		t.Fatalf("no question during the session: %d %q", r.Status, r.Location)
	}
	// The next day.
	now = start.Add(26 * time.Hour)
	c.Get("/kiosk/reset")
	scanIn(t, c, m)
	r := c.Get("/kiosk/home")
	if r.Status != 303 || !strings.HasPrefix(r.Location, "/kiosk/rate/") {
		t.Fatalf("want the smiley question, got %d %q", r.Status, r.Location)
	}
	q := c.Get(r.Location)
	if !strings.Contains(q.Body, "كتابة السيرة الذاتية") || strings.Count(q.Body, `name="score"`) != 5 {
		t.Fatalf("question:\n%s", q.Body)
	}
	if r := c.Post(r.Location, webtest.Form("score", "9")); r.Status != 400 {
		t.Fatalf("score 9: %d", r.Status)
	}
	if r := follow(c, c.Post(r.Location, webtest.Form("score", "4"))); r.Status != 200 {
		t.Fatalf("answer: %d", r.Status)
	}
	if got, _ := st.SessionRatings(ctx, sess.ID); got[4] != 1 {
		t.Fatalf("ratings: %v", got)
	}
	c.Get("/kiosk/reset")
	scanIn(t, c, m)
	if r := c.Get("/kiosk/home"); r.Status != 200 {
		t.Fatalf("asked again: %d %q", r.Status, r.Location)
	}
}
