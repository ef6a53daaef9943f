package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// Issue 9's acceptance test: a network of sites, run the way it is
// deployed. Two real Drempel servers (`drempel serve`, through run) listen
// on loopback and share one fresh database, and plain HTTP clients with
// cookie jars play the kiosk screens and the staff.
//
// It needs PostgreSQL: several servers share one database only on
// PostgreSQL. (SQLite is one file with one writer, for one server; the
// network's locks and shared sessions are PostgreSQL's.) Without
// DREMPEL_TEST_POSTGRES_URL it is skipped, and under CI=true it fails, as
// every PostgreSQL test does (storetest.NewPostgresDB).
func TestNetworkOfTwoServers(t *testing.T) {
	started := time.Now()
	dbURL := storetest.NewPostgresDB(t) // a fresh database, dropped at the end
	ctx := context.Background()

	// Both servers start at once, as a network's servers do after a power
	// cut: the migrations wait for each other on an advisory lock.
	s1, s2 := launchServer(t, "server 1", dbURL), launchServer(t, "server 2", dbURL)
	s1.wait(t)
	s2.wait(t)
	t.Logf("both servers up after %v: %s and %s", time.Since(started).Round(time.Millisecond), s1.base, s2.base)

	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir(), DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetPasswordCost(4) // bcrypt's minimum: a hash is checked at the cost it was made with, so sign-ins are fast

	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 5 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)

	// Each server printed a one-time setup link for the first admin, and
	// every one of them works until one is used.
	for _, s := range []*netServer{s1, s2} {
		m := regexp.MustCompile(`/setup/([0-9A-Z]+)`).FindStringSubmatch(s.out.String())
		if m == nil {
			t.Errorf("%s printed no setup link:\n%s", s.name, s.out)
			continue
		}
		if a := must(t)(newBrowser(tr, s.base).get("/setup/" + m[1])); a.status != 200 {
			t.Errorf("the setup link %s printed: %d, want 200", s.name, a.status)
		}
	}

	// The organisation. Site A is the one the first start made; site B is
	// added as an admin adds one. B's lab opens every day, 09:00-17:00,
	// with 4 seats.
	sites, err := st.Sites(ctx)
	if err != nil || len(sites) == 0 {
		t.Fatalf("sites after the first start: %+v %v", sites, err)
	}
	// Two servers starting at once on an empty database make one first site.
	if len(sites) != 1 {
		t.Errorf("two servers starting at once on an empty database made %d sites, want 1: %+v", len(sites), sites)
	}
	siteA := &sites[0]
	siteB, err := st.CreateSite(ctx, store.SiteInput{Name: "Liège", TimeZone: "Europe/Brussels"})
	if err != nil {
		t.Fatal(err)
	}
	lab := store.DefaultLab(siteB.ID)
	lab.Seats = 4
	if err := st.SaveLab(ctx, lab); err != nil {
		t.Fatal(err)
	}
	var week []store.LabHours
	for d := range 7 {
		week = append(week, store.LabHours{Weekday: d, Opens: 9 * 60, Closes: 17 * 60})
	}
	if err := st.SetLabHours(ctx, siteB.ID, week); err != nil {
		t.Fatal(err)
	}
	const staffEmail, staffPassword = "desk@liege.test", "correct horse battery"
	staff, err := st.CreateUser(ctx, store.UserInput{Email: staffEmail, Role: store.RoleStaff, Password: staffPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetUserSites(ctx, staff.ID, []int64{siteB.ID}); err != nil {
		t.Fatal(err)
	}
	// Amina was registered at site A; her card works at every site.
	amina, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Amina", Lang: "en", SiteID: siteA.ID})
	if err != nil {
		t.Fatal(err)
	}

	// 5. /healthz on both servers names PostgreSQL and the same schema.
	schema, err := st.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*netServer{s1, s2} {
		a := must(t)(newBrowser(tr, s.base).get("/healthz"))
		if want := "ok postgres schema " + strconv.FormatInt(schema, 10); a.status != 200 || a.body != want {
			t.Errorf("%s /healthz: %d %q, want 200 %q", s.name, a.status, a.body, want)
		}
	}

	// 1. A kiosk screen paired to site B at server 2 checks Amina in: the
	// visit is site B's, and site B's staff see it on either server.
	kiosk := newBrowser(tr, s2.base)
	if a := must(t)(kiosk.get("/kiosk")); a.status != 303 || a.location != "/kiosk/pair" {
		t.Fatalf("an unpaired screen of a network of two sites: %d %q, want 303 to /kiosk/pair", a.status, a.location)
	}
	_, code, err := st.CreateStation(ctx, siteB.ID, "Inkom Liège")
	if err != nil {
		t.Fatal(err)
	}
	if a := must(t)(kiosk.submit("/kiosk/pair", "/kiosk/pair", url.Values{"code": {store.FormatPairingCode(code)}})); a.status != 303 || a.location != "/kiosk" {
		t.Fatalf("pair at server 2: %d %q, want 303 to /kiosk", a.status, a.location)
	}
	if a := must(t)(kiosk.submit("/kiosk", "/kiosk/scan", url.Values{"token": {amina.Card.Token}})); a.status != 303 || a.location != "/kiosk/home" {
		t.Fatalf("scan at server 2: %d %q, want 303 to /kiosk/home", a.status, a.location)
	}
	if a := must(t)(kiosk.get("/kiosk/home")); a.status != 200 || !strings.Contains(a.body, "Amina") {
		t.Fatalf("greeting at server 2: %d, Amina named: %v", a.status, strings.Contains(a.body, "Amina"))
	}
	today := st.Now().In(siteB.Location()).Format(time.DateOnly)
	visits := func(site *store.Site) int {
		t.Helper()
		vs, err := st.VisitsOn(ctx, site.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		return len(vs)
	}
	if a, b := visits(siteA), visits(siteB); a != 0 || b != 1 {
		t.Fatalf("visits today: site A %d, site B %d; want 0 and 1", a, b)
	}
	// A staff member of site B signs in at each server on their own.
	desk1, desk2 := newBrowser(tr, s1.base), newBrowser(tr, s2.base)
	for _, desk := range []*browser{desk1, desk2} {
		a := must(t)(desk.submit("/admin/login", "/admin/login", url.Values{"email": {staffEmail}, "password": {staffPassword}}))
		if a.status != 303 || a.location != "/admin" {
			t.Fatalf("sign in at %s: %d %q, want 303 to /admin", desk.base, a.status, a.location)
		}
		if n := checkinsToday(t, desk); n != 1 {
			t.Errorf("the dashboard at %s shows %d check-ins today, want 1", desk.base, n)
		}
	}

	// 3. A lab setting saved through server 1's admin page is what server
	// 2's kiosk shows at its next page, although it showed the old one
	// just before: nothing about the lab is kept in a server's memory.
	tomorrow := "/kiosk/lab/" + st.Now().In(siteB.Location()).AddDate(0, 0, 1).Format(time.DateOnly)
	if seats := slotSeats(t, kiosk, tomorrow); len(seats) != 8 || seats[0] != 4 || seats[7] != 4 {
		t.Fatalf("server 2's slots tomorrow before the change: free seats %v, want 8 slots of 4", seats)
	}
	form := labSettingsForm(t, desk1)
	if form.Get("seats") != "4" {
		t.Fatalf("server 1's lab settings page shows %q seats, want 4", form.Get("seats"))
	}
	form.Set("seats", "6")
	if a := must(t)(desk1.post(form.Get("_csrf"), "/admin/lab/settings", form)); a.status != 303 || a.location != "/admin/lab/settings" {
		t.Fatalf("save the lab settings at server 1: %d %q\n%s", a.status, a.location, a.body)
	}
	if seats := slotSeats(t, kiosk, tomorrow); len(seats) != 8 || seats[0] != 6 || seats[7] != 6 {
		t.Fatalf("server 2's slots tomorrow after server 1 saved 6 seats: free seats %v, want 8 slots of 6", seats)
	}

	// 2. Fifty kiosk screens of site B, 25 on each server, each with
	// another member checked in, press for the last seat of a course
	// session at once: one gets it, 49 are told it is full.
	enrolRace(t, st, tr, siteB, s1, s2)
	if a, b := visits(siteA), visits(siteB); a != 0 || b != 51 {
		t.Errorf("visits today after the fifty check-ins: site A %d, site B %d; want 0 and 51", a, b)
	}

	// 4. Server 1 stops; the staff member it signed in is signed in at
	// server 2, with the same cookie jar.
	if a := must(t)(newBrowser(tr, s2.base).get("/admin")); a.status != 303 || a.location != "/admin/login" {
		t.Fatalf("a browser that never signed in, at server 2: %d %q, want 303 to /admin/login", a.status, a.location)
	}
	if a := must(t)(desk1.get("/admin")); a.status != 200 {
		t.Fatalf("the staff member at server 1 before it stops: %d %q", a.status, a.location)
	}
	// A form page served by one server is accepted by the other: the form
	// tokens live where the staff sessions do.
	stale := labSettingsForm(t, desk1) // from server 1
	desk1.base = s2.base
	if a := must(t)(desk1.post(stale.Get("_csrf"), "/admin/lab/settings", stale)); a.status != 303 {
		t.Errorf("server 1's form posted to server 2: %d %q, want 303", a.status, a.location)
	}
	desk1.base = s1.base
	stopped := time.Now()
	if err := s1.stop(); err != nil {
		t.Fatalf("stop server 1: %v", err)
	}
	t.Logf("server 1 stopped in %v", time.Since(stopped).Round(time.Millisecond))
	if _, err := newBrowser(tr, s1.base).get("/healthz"); err == nil {
		t.Fatal("server 1 still answers after run returned")
	}
	desk1.base = s2.base // the same cookie jar: cookies do not depend on the port
	if !hasCookie(desk1, "/admin", "drempel_admin") {
		t.Fatal("the staff member's cookie jar holds no drempel_admin cookie for server 2")
	}
	a := must(t)(desk1.get("/admin"))
	if a.status != 200 || !strings.Contains(a.body, `id="checkins-today"`) {
		t.Fatalf("the staff member signed in at server 1, at server 2 once server 1 stopped: %d %q (want 200 with the dashboard)", a.status, a.location)
	}
	if n := checkinsToday(t, desk1); n != 51 {
		t.Errorf("the dashboard at server 2 shows %d check-ins today, want 51", n)
	}
	// The staff member can go on working there: a form of server 2 posts.
	form = labSettingsForm(t, desk1)
	form.Set("seats", "5")
	if a := must(t)(desk1.post(form.Get("_csrf"), "/admin/lab/settings", form)); a.status != 303 || a.location != "/admin/lab/settings" {
		t.Fatalf("save the lab settings at server 2 after server 1 stopped: %d %q", a.status, a.location)
	}
	if l, err := st.Lab(ctx, siteB.ID); err != nil || l.Seats != 5 {
		t.Fatalf("site B's lab after the save at server 2: %+v %v", l, err)
	}
	if a := must(t)(newBrowser(tr, s2.base).get("/healthz")); a.status != 200 || a.body != "ok postgres schema "+strconv.FormatInt(schema, 10) {
		t.Errorf("server 2 /healthz after server 1 stopped: %d %q", a.status, a.body)
	}
	t.Logf("network test body took %v", time.Since(started).Round(time.Millisecond))
}

// enrolRace is check 2: fifty members, each checked in at a kiosk station
// of site B, 25 at each server, POST the enrolment for a session's last
// seat at the same moment.
func enrolRace(t *testing.T, st *store.Store, tr *http.Transport, siteB *store.Site, s1, s2 *netServer) {
	t.Helper()
	ctx := context.Background()
	const screens = 50
	course, err := st.SaveCourse(ctx, 0, siteB.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
		Texts: map[string]store.CourseText{"en": {Name: "Driving theory"}, "nl": {Name: "Rijtheorie"}}})
	if err != nil {
		t.Fatal(err)
	}
	loc := siteB.Location()
	y, m, d := st.Now().In(loc).AddDate(0, 0, 2).Date()
	at := time.Date(y, m, d, 10, 0, 0, 0, loc)
	session, err := st.AddSession(ctx, course.ID, store.SessionInput{Start: at, End: at.Add(2 * time.Hour), Seats: 2})
	if err != nil {
		t.Fatal(err)
	}
	// One of the two seats is taken already: the second is the last.
	first, err := st.CreateMember(ctx, store.MemberInput{Nickname: "First", Lang: "en", SiteID: siteB.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enrol(ctx, store.EnrolInput{SessionID: session.ID, MemberID: first.ID}); err != nil {
		t.Fatal(err)
	}

	type screen struct {
		server *netServer
		b      *browser
		member *store.Member
		csrf   string
		err    error
		// What the visitor was told: the POST's redirect, then its page.
		location string
		status   int
		body     string
	}
	all := make([]*screen, screens)
	for i := range all {
		srv := []*netServer{s1, s2}[i%2]
		mem, err := st.CreateMember(ctx, store.MemberInput{Nickname: fmt.Sprintf("Visitor %d", i), Lang: "en", SiteID: siteB.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Each screen is a station of site B. Pairing by POST /kiosk/pair
		// (check 1 does it) allows 5 tries a minute per address, and every
		// client here is 127.0.0.1: these screens are paired through the
		// store, and get the station's token in their cookie as the
		// pairing page would give it.
		_, code, err := st.CreateStation(ctx, siteB.ID, fmt.Sprintf("Scherm %d", i))
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := st.PairStation(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(tr, srv.base)
		u, _ := url.Parse(srv.base + "/kiosk")
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "drempel_station", Value: token, Path: "/kiosk", HttpOnly: true}})
		all[i] = &screen{server: srv, b: b, member: mem}
	}

	// Each screen checks its member in and opens the session's page, at
	// once; then, together, they press "enrol".
	coursePage := fmt.Sprintf("/kiosk/courses/%d", session.ID)
	enrol := coursePage + "/enrol"
	var ready, done sync.WaitGroup
	go1 := make(chan struct{})
	for _, s := range all {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			s.err = func() error {
				defer ready.Done()
				a, err := s.b.submit("/kiosk", "/kiosk/scan", url.Values{"token": {s.member.Card.Token}})
				if err != nil {
					return err
				}
				if a.status != 303 || a.location != "/kiosk/home" {
					return fmt.Errorf("scan: %d %q", a.status, a.location)
				}
				s.csrf, err = s.b.csrf(coursePage)
				return err
			}()
			<-go1
			if s.err != nil {
				return
			}
			a, err := s.b.post(s.csrf, enrol, url.Values{})
			if err != nil {
				s.err = err
				return
			}
			s.location = a.location
			if a.status != 303 {
				s.err = fmt.Errorf("enrol: %d %q", a.status, a.location)
				return
			}
			if a, err = s.b.get(a.location); err != nil {
				s.err = err
				return
			}
			s.status, s.body = a.status, a.body
		}()
	}
	if !waitTimeout(&ready, 20*time.Second) {
		close(go1)
		t.Fatal("fifty screens were not ready within 20 s")
	}
	pressed := time.Now()
	close(go1)
	if !waitTimeout(&done, 20*time.Second) {
		t.Fatal("fifty enrolments were not answered within 20 s")
	}
	t.Logf("fifty enrolments answered in %v", time.Since(pressed).Round(time.Millisecond))

	var winners []*screen
	full := 0
	for i, s := range all {
		switch {
		case s.err != nil:
			t.Errorf("screen %d (%s): %v", i, s.server.name, s.err)
		case s.location == coursePage+"/done" && s.status == 200 && strings.Contains(s.body, "You are signed up"):
			winners = append(winners, s)
		case s.location == coursePage+"/full" && s.status == 409 && strings.Contains(s.body, "Someone just took the last place"):
			full++
		default:
			t.Errorf("screen %d (%s) was told neither: redirected to %q, then %d", i, s.server.name, s.location, s.status)
		}
	}
	if len(winners) != 1 || full != screens-1 {
		t.Fatalf("the last seat: %d screens got it, %d were told it is full; want 1 and %d", len(winners), full, screens-1)
	}
	t.Logf("the last seat went to a screen at %s", winners[0].server.name)
	rows, err := st.SessionEnrolments(ctx, session.ID)
	if err != nil {
		t.Fatal(err)
	}
	enrolled := map[int64]bool{}
	for _, r := range rows {
		if r.Status != store.Enrolled {
			t.Errorf("enrolment %d of member %d is %q; nobody asked for the waiting list", r.ID, r.MemberID, r.Status)
			continue
		}
		enrolled[r.MemberID] = true
	}
	if len(rows) != 2 || !enrolled[first.ID] || !enrolled[winners[0].member.ID] {
		t.Fatalf("the session's enrolments: %+v; want the first member and the screen that was told it got the seat", rows)
	}
	if s, err := st.Session(ctx, session.ID); err != nil || s.Taken != 2 || s.Seats != 2 {
		t.Fatalf("the session after the race: %+v %v; want 2 of 2 seats taken", s, err)
	}
}

// netServer is one `drempel serve` of the network, running in this
// process through run, as the binary would.
type netServer struct {
	name string
	base string // http://127.0.0.1:PORT
	out  *syncBuf
	done chan struct{}
	err  error // what run returned, once done is closed
	stop func() error
}

// launchServer starts a server on a free loopback port and the given
// database; wait waits until it listens. It stops when the test ends, or
// earlier by stop: cancel run's context and wait for run to return.
func launchServer(t *testing.T, name, dbURL string) *netServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &netServer{name: name, out: &syncBuf{}, done: make(chan struct{})}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", dbURL}
	go func() {
		defer close(s.done)
		s.err = run(ctx, args, strings.NewReader(""), s.out, s.out)
	}()
	s.stop = func() error {
		cancel()
		select {
		case <-s.done:
			return s.err
		case <-time.After(25 * time.Second):
			return fmt.Errorf("%s: run did not return within 25 s of its context's end", name)
		}
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("%s's output (stdout and stderr):\n%s", name, s.out)
		}
	})
	return s
}

var bannerRe = regexp.MustCompile(`kiosk (http://\S+)/kiosk`)

func (s *netServer) wait(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := bannerRe.FindStringSubmatch(s.out.String()); m != nil {
			u, err := url.Parse(m[1])
			if err != nil || u.Port() == "" {
				t.Fatalf("%s: banner address %q: %v", s.name, m[1], err)
			}
			// The banner says localhost; the server listens on 127.0.0.1.
			s.base = "http://127.0.0.1:" + u.Port()
			return
		}
		select {
		case <-s.done:
			t.Fatalf("%s stopped before it listened: %v\n%s", s.name, s.err, s.out)
		default:
		}
	}
	t.Fatalf("%s did not start within 30 s:\n%s", s.name, s.out)
}

// browser is a plain HTTP client with a cookie jar that does not follow
// redirects, so that each answer can be checked.
type browser struct {
	base string
	c    *http.Client
}

func newBrowser(tr *http.Transport, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(err)
	}
	return &browser{base: base, c: &http.Client{Transport: tr, Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	status   int
	location string
	body     string
}

func (b *browser) do(method, path string, form url.Values) (answer, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		return answer{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s%s: %w", method, b.base, path, err)
	}
	defer res.Body.Close()
	text, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return answer{}, fmt.Errorf("%s %s%s: %w", method, b.base, path, err)
	}
	return answer{status: res.StatusCode, location: res.Header.Get("Location"), body: string(text)}, nil
}

func (b *browser) get(path string) (answer, error) { return b.do("GET", path, nil) }

var csrfInputRe = regexp.MustCompile(`<input type="hidden" name="_csrf" value="([^"]+)">`)

// csrf opens a form's page and reads the token of its hidden _csrf input.
func (b *browser) csrf(page string) (string, error) {
	a, err := b.get(page)
	if err != nil {
		return "", err
	}
	if a.status != 200 {
		return "", fmt.Errorf("GET %s: %d %q", page, a.status, a.location)
	}
	m := csrfInputRe.FindStringSubmatch(a.body)
	if m == nil {
		return "", fmt.Errorf("GET %s: no _csrf input", page)
	}
	return m[1], nil
}

// post sends a form with the given CSRF token.
func (b *browser) post(token, action string, form url.Values) (answer, error) {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", token)
	return b.do("POST", action, f)
}

// submit opens the form's page, then posts the form with its token.
func (b *browser) submit(page, action string, form url.Values) (answer, error) {
	token, err := b.csrf(page)
	if err != nil {
		return answer{}, err
	}
	return b.post(token, action, form)
}

// must ends the test on a transport error: must(t)(b.get(…)).
func must(t *testing.T) func(answer, error) answer {
	return func(a answer, err error) answer {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
}

// hasCookie reports whether b's jar sends a cookie of that name with a
// request for path.
func hasCookie(b *browser, path, name string) bool {
	u, err := url.Parse(b.base + path)
	if err != nil {
		return false
	}
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

var checkinsRe = regexp.MustCompile(`id="checkins-today">(\d+)<`)

// checkinsToday reads the count on the dashboard of a signed-in browser.
func checkinsToday(t *testing.T, b *browser) int {
	t.Helper()
	a := must(t)(b.get("/admin"))
	m := checkinsRe.FindStringSubmatch(a.body)
	if a.status != 200 || m == nil {
		t.Fatalf("dashboard at %s: %d %q, count shown: %v", b.base, a.status, a.location, m != nil)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var seatsRe = regexp.MustCompile(`class="free">(?:[^<]|<[^s]|<s[^p])*<span aria-hidden="true">(\d+)</span>`)

// slotSeats reads the free seats each slot tile of a kiosk's day page
// shows (kiosk/lab.go, slotTile.Seats).
func slotSeats(t *testing.T, b *browser, page string) []int {
	t.Helper()
	a := must(t)(b.get(page))
	if a.status != 200 {
		t.Fatalf("GET %s at %s: %d %q", page, b.base, a.status, a.location)
	}
	var seats []int
	for _, m := range seatsRe.FindAllStringSubmatch(a.body, -1) {
		n, _ := strconv.Atoi(m[1])
		seats = append(seats, n)
	}
	return seats
}

var (
	labFormRe  = regexp.MustCompile(`(?s)<form method="post" action="/admin/lab/settings".*?</form>`)
	inputRe    = regexp.MustCompile(`<input [^>]*>`)
	nameRe     = regexp.MustCompile(`\bname="([^"]*)"`)
	valueRe    = regexp.MustCompile(`\bvalue="([^"]*)"`)
	selectedRe = regexp.MustCompile(`(?s)<select [^>]*name="([^"]*)".*?<option value="([^"]*)" selected>`)
)

// labSettingsForm reads the lab settings form as the page fills it in:
// every input's value, the selected mode and the _csrf token.
func labSettingsForm(t *testing.T, b *browser) url.Values {
	t.Helper()
	a := must(t)(b.get("/admin/lab/settings"))
	form := labFormRe.FindString(a.body)
	if a.status != 200 || form == "" {
		t.Fatalf("lab settings at %s: %d %q, form found: %v", b.base, a.status, a.location, form != "")
	}
	v := url.Values{}
	for _, in := range inputRe.FindAllString(form, -1) {
		if n := nameRe.FindStringSubmatch(in); n != nil {
			val := ""
			if m := valueRe.FindStringSubmatch(in); m != nil {
				val = html.UnescapeString(m[1])
			}
			v.Set(n[1], val)
		}
	}
	for _, m := range selectedRe.FindAllStringSubmatch(form, -1) {
		v.Set(m[1], m[2])
	}
	if v.Get("_csrf") == "" || v.Get("mode") == "" {
		t.Fatalf("lab settings form at %s lacks _csrf or mode: %v", b.base, v)
	}
	return v
}

// waitTimeout waits for wg, at most d.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}
