package kiosk_test

import (
	"crypto/rand"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// follow fetches the page a POST redirects to, as a browser does.
func follow(c *webtest.Client, r webtest.Response) webtest.Response {
	c.T.Helper()
	for i := 0; i < 5 && r.Status == fiber.StatusSeeOther && r.Location != ""; i++ {
		r = c.Get(r.Location)
	}
	return r
}

// newKioskLife mounts a kiosk whose visitors' sessions end life after
// their last request (in production: the idle time and the countdown).
func newKioskLife(t testing.TB, st *store.Store, life time.Duration) *fiber.App {
	t.Helper()
	tz, _ := time.LoadLocation("Europe/Brussels")
	w, err := web.New(web.Options{TimeZone: tz, DefaultLang: "nl", KioskSession: life})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(w.Config())
	w.Use(app)
	kiosk.Mount(app, st, w, kiosk.Options{Idle: 5 * time.Second})
	return app
}

// Every form the kiosk posts answers 303 to a page fetched with GET, so
// the browser's history holds no POST that Back could send again. A new
// POST route without a case here fails the test: give it one, and make
// it redirect.
func TestEveryKioskPostRedirects(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	site, _ := seed(t, st, "Jan", "nl")
	openAllDay(t, st, site, 2)
	course, err := st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "mail",
		Texts: map[string]store.CourseText{"nl": {Name: "E-mail"}}})
	if err != nil {
		t.Fatal(err)
	}
	start := st.Now().Add(48 * time.Hour)
	cs, err := st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(2 * time.Hour), Seats: 5})
	if err != nil {
		t.Fatal(err)
	}
	app := newKiosk(t, st)
	n := 0
	member := func() *store.Member {
		n++
		m, err := st.CreateMember(ctx, store.MemberInput{Nickname: fmt.Sprintf("Lid %d", n), Lang: "nl"})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// book makes a lab booking at the kiosk and returns its id.
	book := func(c *webtest.Client) (webtest.Response, string) {
		tomorrow := st.Now().In(site.Location()).AddDate(0, 0, 1).Format(time.DateOnly)
		links := hrefRe.FindAllStringSubmatch(c.Get("/kiosk/lab/"+tomorrow).Body, -1)
		if len(links) < 11 {
			t.Fatalf("no slots tomorrow")
		}
		c.Get(links[10][1])
		startAt := links[10][1][strings.LastIndex(links[10][1], "/")+1:]
		r := c.Post("/kiosk/lab/book", webtest.Form("start", startAt))
		id := regexp.MustCompile(`^/kiosk/bookings/([0-9]+)/done$`).FindStringSubmatch(r.Location)
		if id == nil {
			t.Fatalf("book: %d %q", r.Status, r.Location)
		}
		return r, id[1]
	}
	cases := map[string]func(c *webtest.Client) []webtest.Response{
		"/kiosk/pair": func(c *webtest.Client) []webtest.Response {
			_, code, err := st.CreateStation(ctx, site.ID, "Inkom")
			if err != nil {
				t.Fatal(err)
			}
			c.Get("/kiosk/pair")
			ok := c.Post("/kiosk/pair", webtest.Form("code", code))
			c.Get("/kiosk/pair")
			return []webtest.Response{ok, c.Post("/kiosk/pair", webtest.Form("code", code))} // used up
		},
		"/kiosk/lang": func(c *webtest.Client) []webtest.Response {
			c.Get("/kiosk")
			return []webtest.Response{c.Post("/kiosk/lang", webtest.Form("lang", "fr"))}
		},
		"/kiosk/scan": func(c *webtest.Client) []webtest.Response {
			c.Get("/kiosk")
			ok := c.Post("/kiosk/scan", webtest.Form("token", member().Card.Token))
			c.Get("/kiosk")
			return []webtest.Response{ok, c.Post("/kiosk/scan", webtest.Form("token", "NOT A CARD"))}
		},
		"/kiosk/lab/book": func(c *webtest.Client) []webtest.Response {
			scanIn(t, c, member())
			r, _ := book(c)
			again := c.Post("/kiosk/lab/book", webtest.Form("start", "0")) // no such slot
			return []webtest.Response{r, again}
		},
		"/kiosk/bookings/:id/cancel": func(c *webtest.Client) []webtest.Response {
			scanIn(t, c, member())
			_, id := book(c)
			c.Get("/kiosk/bookings/" + id + "/cancel")
			first := c.Post("/kiosk/bookings/"+id+"/cancel", nil)
			c.Get("/kiosk/bookings")
			return []webtest.Response{first, c.Post("/kiosk/bookings/"+id+"/cancel", nil)}
		},
		"/kiosk/courses/:id/enrol": func(c *webtest.Client) []webtest.Response {
			scanIn(t, c, member())
			path := fmt.Sprintf("/kiosk/courses/%d", cs.ID)
			c.Get(path)
			first := c.Post(path+"/enrol", nil)
			c.Get(path)
			return []webtest.Response{first, c.Post(path+"/enrol", nil)} // already enrolled
		},
		"/kiosk/enrolments/:id/cancel": func(c *webtest.Client) []webtest.Response {
			m := member()
			if _, err := st.Enrol(ctx, store.EnrolInput{SessionID: cs.ID, MemberID: m.ID}); err != nil {
				t.Fatal(err)
			}
			es, err := st.UpcomingEnrolments(ctx, m.ID)
			if err != nil || len(es) != 1 {
				t.Fatalf("enrolments: %v %v", es, err)
			}
			scanIn(t, c, m)
			path := fmt.Sprintf("/kiosk/enrolments/%d/cancel", es[0].ID)
			c.Get(path)
			return []webtest.Response{c.Post(path, nil)}
		},
		"/kiosk/report": func(c *webtest.Client) []webtest.Response {
			c.Get("/kiosk/report/bank/login/0")
			anon := c.Upload("/kiosk/report", "", "", nil, "domain", "bank", "problem", "login", "org", "0", "text", "woorden")
			scanIn(t, c, member())
			c.Get("/kiosk/report/bank/login/0")
			return []webtest.Response{anon, c.Upload("/kiosk/report", "", "", nil, "domain", "bank", "problem", "login", "org", "0", "text", "woorden")}
		},
		"/kiosk/report/answer": func(c *webtest.Client) []webtest.Response {
			scanIn(t, c, member())
			c.Get("/kiosk/report/bank/login/0")
			c.Upload("/kiosk/report", "", "", nil, "domain", "bank", "problem", "login", "org", "0")
			c.Get("/kiosk/report/help")
			first := c.Post("/kiosk/report/answer", webtest.Form("help", "yes"))
			return []webtest.Response{first, c.Post("/kiosk/report/answer", webtest.Form("help", "yes"))} // answered already
		},
		"/kiosk/help": func(c *webtest.Client) []webtest.Response {
			c.Get("/kiosk/help")
			anon := c.Post("/kiosk/help", webtest.Form("subject", "phone"))
			scanIn(t, c, member())
			c.Get("/kiosk/help")
			return []webtest.Response{anon, c.Post("/kiosk/help", webtest.Form("subject", "paper"))}
		},
		"/kiosk/rate/:id": func(c *webtest.Client) []webtest.Response {
			m := member()
			if _, err := st.Enrol(ctx, store.EnrolInput{SessionID: cs.ID, MemberID: m.ID}); err != nil {
				t.Fatal(err)
			}
			es, _ := st.UpcomingEnrolments(ctx, m.ID)
			// Came: the roll call itself opens only when the session starts.
			if err := st.W.Model(&store.Enrolment{}).Where("id = ?", es[0].ID).Update("attended_at", time.Now()).Error; err != nil {
				t.Fatal(err)
			}
			scanIn(t, c, m)
			path := fmt.Sprintf("/kiosk/rate/%d", cs.ID)
			c.Get(path)
			first := c.Post(path, webtest.Form("score", "4"))
			c.Get(path)
			return []webtest.Response{first, c.Post(path, webtest.Form("score", "0"))}
		},
	}
	// The camera page fetches this one and reads JSON: it is no page of
	// the history.
	json := map[string]bool{"/kiosk/scan-image": true}

	seen := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method != fiber.MethodPost || !strings.HasPrefix(r.Path, "/kiosk") || seen[r.Path] {
			continue
		}
		seen[r.Path] = true
		if json[r.Path] {
			continue
		}
		t.Run(r.Path, func(t *testing.T) {
			run, ok := cases[r.Path]
			if !ok {
				t.Fatalf("POST %s has no case here: add one, and make it answer 303", r.Path)
			}
			c := webtest.NewClient(t, app)
			for i, res := range run(c) {
				if res.Status != fiber.StatusSeeOther || !strings.HasPrefix(res.Location, "/kiosk") {
					t.Fatalf("answer %d: %d %q, want 303 to a kiosk page\n%s", i, res.Status, res.Location, res.Body)
				}
				if page := c.Get(res.Location); page.Status >= 500 {
					t.Fatalf("answer %d: %s gives %d", i, res.Location, page.Status)
				}
			}
		})
	}
	for p := range cases {
		if !seen[p] {
			t.Errorf("case %s: no such POST route", p)
		}
	}
	if len(seen) < 9 {
		t.Fatalf("only %d POST routes found", len(seen))
	}
}

// Acceptance 5: a visitor reports a threshold with words and asks for
// help, then the kiosk resets. Going back through the browser's history
// fetches pages, sends nothing, and shows nothing of theirs; the cookie
// of their session, kept from before the reset, opens nothing.
func TestBackAfterResetSendsNothing(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, m := seed(t, st, "Jan", "fr")
		app := newKiosk(t, st)
		c := webtest.NewClient(t, app)
		scanIn(t, c, m)
		history := []string{"/kiosk/home", "/kiosk/report", "/kiosk/report/bank", "/kiosk/report/bank/login/0"}
		for _, p := range history[:3] {
			c.Get(p)
		}
		c.Get(history[3])
		r := c.Upload("/kiosk/report", "", "", nil, "domain", "bank", "problem", "login", "org", "0", "text", "Mijn pincode <geheim>")
		if r.Status != 303 || r.Location != "/kiosk/report/help" {
			t.Fatalf("report: %d %q", r.Status, r.Location)
		}
		history = append(history, r.Location)
		if q := c.Get(r.Location); !strings.Contains(q.Body, `name="help" value="yes"`) || strings.Contains(q.Body, "geheim") {
			t.Fatalf("help question:\n%s", q.Body)
		}
		r = c.Post("/kiosk/report/answer", webtest.Form("help", "yes"))
		if r.Status != 303 || r.Location != "/kiosk/report/thanks" {
			t.Fatalf("answer: %d %q", r.Status, r.Location)
		}
		history = append(history, r.Location)
		if thanks := c.Get(r.Location); thanks.Status != 200 || !strings.Contains(thanks.Body, `lang="fr"`) {
			t.Fatalf("thanks: %d", thanks.Status)
		}
		before := make(map[string]string)
		for k, v := range c.Cookies {
			before[k] = v
		}
		reports := func() []store.ThresholdRow {
			rows, _, _, err := st.Thresholds(ctx, site.ID, store.ThresholdFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		if rows := reports(); len(rows) != 1 || rows[0].MemberID == nil {
			t.Fatalf("reports: %+v", rows)
		}

		if r := c.Get("/kiosk/reset"); r.Status != 303 || r.Location != "/kiosk" {
			t.Fatalf("reset: %d %q", r.Status, r.Location)
		}
		if idle := c.Get("/kiosk"); !strings.Contains(idle.Body, `lang="nl"`) {
			t.Fatal("after the reset the kiosk still speaks the visitor's language")
		}
		// Back, Back, …: every page of the history, fetched again.
		for i := len(history) - 1; i >= 0; i-- {
			p := history[i]
			page := follow(c, c.Get(p))
			if strings.Contains(page.Body, "Jan") || strings.Contains(page.Body, "geheim") || strings.Contains(page.Body, `name="help" value="yes"`) {
				t.Errorf("Back to %s shows the previous visitor's screen:\n%s", p, page.Body)
			}
			if !strings.Contains(page.Body, `lang="nl"`) {
				t.Errorf("Back to %s: not in the default language", p)
			}
		}
		// The previous visitor's cookies, kept from before the reset.
		prev := webtest.NewClient(t, app)
		for _, p := range []string{"/kiosk/home", "/kiosk/bookings", "/kiosk/report/help", "/kiosk/report/thanks", "/kiosk/message"} {
			prev.Cookies = map[string]string{}
			for k, v := range before {
				prev.Cookies[k] = v
			}
			r := prev.Get(p)
			if r.Status != 303 || (r.Location != "/kiosk" && r.Location != "/kiosk/home") {
				t.Errorf("%s with the old session: %d %q", p, r.Status, r.Location)
			}
			if page := follow(prev, r); strings.Contains(page.Body, "Jan") {
				t.Errorf("%s with the old session shows the visitor's name", p)
			}
		}
		prev.Cookies = before
		prev.Post("/kiosk/report/answer", webtest.Form("help", "no"))
		if rows := reports(); len(rows) != 1 || rows[0].MemberID == nil || *rows[0].MemberID != m.ID {
			t.Fatalf("after Back and the old session, reports: %+v", rows)
		}
	})
}

// The server forgets the visitor by itself: their session ends the
// idle time plus the countdown after their last request, even when the
// kiosk's browser never resets.
func TestSessionEndsAfterIdleAndCountdown(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a session to end")
	}
	st := storetest.Open(t, "sqlite")
	_, m := seed(t, st, "Jan", "fr")
	const life = 3 * time.Second // in production: --kiosk-idle + 20 s
	app := newKioskLife(t, st, life)
	c := webtest.NewClient(t, app)
	scanIn(t, c, m)
	// While the visitor uses the kiosk, their session goes on: each page,
	// and each touch the page reports without leaving (/kiosk/alive).
	for i, end := 0, time.Now().Add(2*life); time.Now().Before(end); i++ {
		if r := c.Get("/kiosk/alive"); r.Status != fiber.StatusNoContent {
			t.Fatalf("alive while in use: %d", r.Status)
		}
		time.Sleep(life / 4)
		if i%4 == 3 {
			if r := c.Get("/kiosk/home"); r.Status != 200 || !strings.Contains(r.Body, "Jan") {
				t.Fatalf("home while in use: %d", r.Status)
			}
		}
	}
	old := make(map[string]string)
	for k, v := range c.Cookies {
		old[k] = v
	}
	// Then nobody touches the screen.
	time.Sleep(life + 1500*time.Millisecond)
	for _, p := range []string{"/kiosk/home", "/kiosk/bookings", "/kiosk/report/help"} {
		prev := webtest.NewClient(t, app)
		prev.Cookies = map[string]string{}
		for k, v := range old {
			prev.Cookies[k] = v
		}
		r := prev.Get(p)
		if r.Status != 303 || r.Location != "/kiosk" {
			t.Errorf("%s after the session's end: %d %q", p, r.Status, r.Location)
		}
		if page := follow(prev, r); strings.Contains(page.Body, "Jan") || !strings.Contains(page.Body, `lang="nl"`) {
			t.Errorf("%s after the session's end shows the visitor's name or language", p)
		}
		if _, ok := prev.Cookies["drempel_kiosk_lang"]; ok {
			t.Errorf("%s after the session's end keeps the visitor's language", p)
		}
	}
	prev := webtest.NewClient(t, app)
	prev.Cookies = old
	if r := prev.Get("/kiosk/alive"); r.Status != fiber.StatusGone {
		t.Errorf("alive after the session's end: %d", r.Status)
	}
	if got := kiosk.SessionLifetime(60 * time.Second); got != 80*time.Second {
		t.Errorf("session lifetime for 60 s idle: %v", got)
	}
}

// A refused card and a reset put the kiosk back in its default language,
// never the previous visitor's; the refusal itself speaks the language its
// holder tapped; a member gets their own language.
func TestLanguageAfterRefusalAndReset(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	_, amina := seed(t, st, "Amina", "ar")
	quechua, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Quilla", Lang: "qu"}) // a language no kiosk speaks
	if err != nil {
		t.Fatal(err)
	}
	app := newKiosk(t, st)
	c := webtest.NewClient(t, app)

	// Someone taps Français, then holds up a card that does not work.
	c.Get("/kiosk")
	c.Post("/kiosk/lang", webtest.Form("lang", "fr"))
	if r := c.Get("/kiosk"); !strings.Contains(r.Body, `lang="fr"`) {
		t.Fatal("French was not chosen")
	}
	// The refusal speaks the language this person chose...
	r := follow(c, c.Post("/kiosk/scan", webtest.Form("token", "NOPE")))
	if r.Status != 404 || !strings.Contains(r.Body, `lang="fr"`) || strings.Contains(r.Body, "Amina") {
		t.Fatalf("refusal: %d, want it in French", r.Status)
	}
	// ...and no further: the next screen is the default language.
	if r := c.Get("/kiosk"); !strings.Contains(r.Body, `lang="nl"`) {
		t.Fatal("after a refusal the kiosk keeps the previous language")
	}

	// Amina's card: Arabic. Then a refused card: Dutch again.
	scanIn(t, c, amina)
	if r := c.Get("/kiosk/home"); !strings.Contains(r.Body, `lang="ar"`) {
		t.Fatal("Amina is not greeted in Arabic")
	}
	if r := follow(c, c.Post("/kiosk/scan", webtest.Form("token", "NOPE"))); !strings.Contains(r.Body, `lang="nl"`) {
		t.Fatal("the refusal after Amina is not in the default language")
	}
	// Amina again, then the reset.
	scanIn(t, c, amina)
	follow(c, c.Get("/kiosk/reset"))
	if r := c.Get("/kiosk"); !strings.Contains(r.Body, `lang="nl"`) {
		t.Fatal("after the reset the kiosk keeps Amina's language")
	}
	// Amina, and without a reset the next member, whose language the
	// kiosk does not speak: the default, not Amina's Arabic.
	scanIn(t, c, amina)
	c.Get("/kiosk/home")
	c.Post("/kiosk/scan", webtest.Form("token", quechua.Card.Token))
	if r := c.Get("/kiosk/home"); !strings.Contains(r.Body, "Quilla") || !strings.Contains(r.Body, `lang="nl"`) {
		t.Fatalf("the next member gets the previous one's language:\n%s", r.Body)
	}
	// Every kiosk language is a member's language after the scan.
	for _, l := range web.KioskLanguages() {
		m, err := st.CreateMember(ctx, store.MemberInput{Nickname: "M " + l.Code, Lang: l.Code})
		if err != nil {
			t.Fatal(err)
		}
		c := webtest.NewClient(t, app)
		scanIn(t, c, m)
		if r := c.Get("/kiosk/home"); !strings.Contains(r.Body, `lang="`+l.Code+`"`) {
			t.Errorf("a member who speaks %s is not greeted in it", l.Code)
		}
	}
}

// randomNote is a voice note's worth of bytes.
func randomNote(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	copy(b, "\x1aE\xdf\xa3") // a WebM header
	return b
}

// Acceptance 6: twenty anonymous voice-note reports from one kiosk in
// one second. Those past the rate limit get a friendly refusal; the voice
// notes kept never pass their cap, and past it the report is kept
// without its voice, and the visitor is told.
func TestReportFloodFromOneKiosk(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, _ := seed(t, st, "Jan", "nl")
		note := randomNote(200 << 10)
		limit := 2*len(note) + len(note)/2 // room for two notes
		if err := st.SetSetting(ctx, store.SettingVoiceTotal, strconv.Itoa(limit)); err != nil {
			t.Fatal(err)
		}
		app := newKiosk(t, st)
		const senders = 20
		clients := make([]*webtest.Client, senders)
		for i := range clients {
			clients[i] = webtest.NewClient(t, app)
			clients[i].Get("/kiosk/report/bank/login/0")
		}
		answers := make([]webtest.Response, senders)
		var wg sync.WaitGroup
		began := time.Now()
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = c.Upload("/kiosk/report", "voice", "voice.webm", note, "domain", "bank", "problem", "login", "org", "0", "text", "te veel")
			}()
		}
		wg.Wait()
		t.Logf("%d reports in %v", senders, time.Since(began))

		nl := kioskLoc(t, "nl")
		var kept, limited, voiceKept, voiceDropped int
		for i, a := range answers {
			page := follow(clients[i], a)
			switch a.Location {
			case "/kiosk/report/thanks":
				kept++
				switch {
				case strings.Contains(page.Body, html.EscapeString(nl.T("kiosk.limit.voice"))):
					voiceDropped++
				case strings.Contains(page.Body, html.EscapeString(nl.T("kiosk.report.thanks"))):
					voiceKept++
				default:
					t.Errorf("report %d: thanks page:\n%s", i, page.Body)
				}
			case "/kiosk/limit?what=reports":
				limited++
				if page.Status != fiber.StatusTooManyRequests || !strings.Contains(page.Body, html.EscapeString(nl.T("kiosk.limit.reports"))) {
					t.Errorf("report %d: refusal %d:\n%s", i, page.Status, page.Body)
				}
				if ids := webtest.MessageIDs(page.Body); len(ids) > 0 {
					t.Errorf("refusal shows message ids %v", ids)
				}
			default:
				t.Errorf("report %d: %d %q", i, a.Status, a.Location)
			}
		}
		if kept != kiosk.ReportsPerMinute || limited != senders-kiosk.ReportsPerMinute {
			t.Fatalf("kept %d, limited %d", kept, limited)
		}
		if voiceKept != 2 || voiceDropped != kept-2 {
			t.Fatalf("voice notes kept %d, dropped %d", voiceKept, voiceDropped)
		}
		total, err := st.VoiceTotal(ctx)
		if err != nil || total > int64(limit) {
			t.Fatalf("voice notes take %d bytes, cap %d (%v)", total, limit, err)
		}
		rows, _, _, _ := st.Thresholds(ctx, site.ID, store.ThresholdFilter{})
		withVoice := 0
		for _, r := range rows {
			if r.Voice {
				withVoice++
			}
			if r.Text != "te veel" {
				t.Errorf("the words of report %d were lost", r.ID)
			}
		}
		if len(rows) != kiosk.ReportsPerMinute || withVoice != 2 {
			t.Fatalf("%d reports stored, %d with voice", len(rows), withVoice)
		}
	})
}

// A voice note longer than the recorder allows is not kept; the words are.
func TestTooLongVoiceNoteKeepsTheWords(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	site, _ := seed(t, st, "Jan", "nl")
	c := webtest.NewClient(t, newKiosk(t, st))
	c.Get("/kiosk/report/health/language/0")
	r := follow(c, c.Upload("/kiosk/report", "voice", "voice.webm", randomNote(store.MaxVoice+1), "domain", "health", "problem", "language", "org", "0", "text", "mijn woorden"))
	if r.Status != 200 || !strings.Contains(r.Body, "Je spraakbericht konden we deze keer niet bewaren") {
		t.Fatalf("too long a voice note: %d\n%s", r.Status, r.Body)
	}
	rows, _, _, _ := st.Thresholds(ctx, site.ID, store.ThresholdFilter{})
	if len(rows) != 1 || rows[0].Text != "mijn woorden" || rows[0].Voice {
		t.Fatalf("stored: %+v", rows)
	}
}

// Acceptance 6: four senders flood the decoder with noise frames as fast
// as they are answered; a real card held up at a kiosk is read within a
// few seconds, every time.
func TestCameraReadsACardDuringAFlood(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	_, m := seed(t, st, "Jan", "nl")
	app := newKiosk(t, st)
	noise, card := kiosk.NoiseFrame(t), kiosk.CardFrame(t, m.Card.Token)
	t.Logf("noise frame %d KB, card frame %d KB", len(noise)>>10, len(card)>>10)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sent, limited, found atomic.Int64
	for range 4 {
		c := webtest.NewClient(t, app)
		c.Get("/kiosk/camera")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := c.Upload("/kiosk/scan-image", "frame", "frame.jpg", noise)
				sent.Add(1)
				switch {
				case r.Status == fiber.StatusTooManyRequests:
					limited.Add(1)
				case r.Body != "{}":
					found.Add(1)
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	time.Sleep(300 * time.Millisecond) // the flood is on

	for round := range 5 {
		c := webtest.NewClient(t, app)
		c.Get("/kiosk/camera")
		began := time.Now()
		for {
			r := c.Upload("/kiosk/scan-image", "frame", "frame.jpg", card)
			if strings.Contains(r.Body, m.Card.Token) {
				break
			}
			if r.Status != 200 || r.Body != "{}" {
				t.Fatalf("round %d: %d %s", round, r.Status, r.Body)
			}
			if time.Since(began) > 3*time.Second {
				t.Fatalf("round %d: the card was not read within 3 s of noise", round)
			}
			time.Sleep(400 * time.Millisecond) // the camera page's pace
		}
		t.Logf("round %d: card read after %v", round, time.Since(began).Round(time.Millisecond))
	}
	if found.Load() != 0 {
		t.Fatalf("%d noise frames gave a code", found.Load())
	}
	if limited.Load() == 0 {
		t.Logf("noise frames sent: %d, none limited (slow machine)", sent.Load())
	} else {
		t.Logf("noise frames sent: %d, %d refused by the rate limit", sent.Load(), limited.Load())
	}
}

// Camera frames are capped in size and in rate, and answered in JSON,
// which the camera page reads.
func TestCameraFrameLimits(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	seed(t, st, "Jan", "nl")
	app := newKiosk(t, st)
	c := webtest.NewClient(t, app)
	c.Get("/kiosk/camera")
	if r := c.Upload("/kiosk/scan-image", "frame", "big.jpg", make([]byte, kiosk.MaxFrame+1)); r.Status != fiber.StatusRequestEntityTooLarge || r.Body != "{}" {
		t.Fatalf("oversized frame: %d %s", r.Status, r.Body)
	}
	time.Sleep(1100 * time.Millisecond) // a fresh second
	var ok, limited int
	for range 12 {
		r := c.Upload("/kiosk/scan-image", "frame", "f.jpg", []byte("not a picture"))
		switch {
		case r.Status == 200 && r.Body == "{}":
			ok++
		case r.Status == fiber.StatusTooManyRequests && r.Body == "{}":
			limited++
		default:
			t.Fatalf("frame: %d %s", r.Status, r.Body)
		}
	}
	if ok > 2*kiosk.FramesPerSecond || limited < 12-2*kiosk.FramesPerSecond {
		t.Fatalf("12 frames at once: %d taken, %d refused", ok, limited)
	}
}
