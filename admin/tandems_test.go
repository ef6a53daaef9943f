package admin_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// idFrom reads the id at the end of a redirect to /admin/<what>/<id>.
func idFrom(t *testing.T, r webtest.Response, prefix string) int64 {
	t.Helper()
	if r.Status != 303 || !strings.HasPrefix(r.Location, prefix) {
		t.Fatalf("want a redirect to %s…, got %d %q: %s", prefix, r.Status, r.Location, r.Body)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Location, prefix), 10, 64)
	if err != nil {
		t.Fatalf("redirect to %q", r.Location)
	}
	return id
}

// Acceptance 3 of issue 12: a coordinator makes a tandem, the mentor
// signs in and logs three meetings, the tandem joins a workshop for
// tandems, and the figures count the tandem, its meetings and hours.
func TestTandemFromPairingToFigures(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		l := nlLoc(t)
		site, err := st.Site(ctx, firstSite(t, st))
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Yonas", Lang: "ti", SiteID: site.ID})
		if err != nil {
			t.Fatal(err)
		}
		mentorID := userID(t, st, "mentor@test.be")
		today := time.Now().In(site.Location())
		day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }

		// The coordinator pairs them; a mistake first, shown with what was typed.
		coord := f.signIn(t, store.RoleCoordinator)
		if r := coord.Get("/admin/tandems/new"); r.Status != 200 || !strings.Contains(r.Body, "mentor@test.be") {
			t.Fatalf("the tandem form: %d", r.Status)
		}
		form := webtest.Form("mentor", strconv.FormatInt(mentorID, 10), "code", m.Card.CheckCode, "starts_on", day(-7), "ends_on", day(-8), "goals", "work", "goals", "papers")
		r := coord.Post("/admin/tandems", form)
		if r.Status != 422 || !strings.Contains(r.Body, html.EscapeString(l.T("admin.tandems.err.ends_on.bad_end"))) || !strings.Contains(r.Body, m.Card.CheckCode) {
			t.Fatalf("days out of order: %d", r.Status)
		}
		form.Set("ends_on", day(180))
		tandem := idFrom(t, coord.Post("/admin/tandems", form), "/admin/tandems/")
		page := coord.Get(fmt.Sprintf("/admin/tandems/%d", tandem))
		if page.Status != 200 || !strings.Contains(page.Body, "Yonas") || !strings.Contains(page.Body, l.T("admin.tandems.goal.papers")) {
			t.Fatalf("the tandem's page: %d", page.Status)
		}

		// A workshop for tandems, with a session tomorrow.
		r = coord.Post("/admin/courses", webtest.Form("kind", "open", "activity", "guidance", "audience", "tandems", "pictogram", "people", "name_nl", "Tandemcafé"))
		course := idFrom(t, r, "/admin/courses/")
		r = coord.Post(fmt.Sprintf("/admin/courses/%d/sessions", course), webtest.Form("date", day(1), "start", "14:00", "end", "16:00", "seats", "10"))
		if r.Status != 303 {
			t.Fatalf("add a session: %d", r.Status)
		}

		// The mentor signs in and sees their tandem first.
		mentor := f.signIn(t, store.RoleMentor)
		home := mentor.Get("/admin")
		if home.Status != 200 || !strings.Contains(home.Body, "Yonas") || !strings.Contains(home.Body, fmt.Sprintf("/admin/tandems/%d/meeting", tandem)) {
			t.Fatalf("the mentor's start page: %d", home.Status)
		}
		if r := mentor.Get(fmt.Sprintf("/admin/tandems/%d/meeting", tandem)); r.Status != 200 || !strings.Contains(r.Body, l.T("admin.tandems.dur.90")) {
			t.Fatalf("the meeting form: %d", r.Status)
		}
		bad := mentor.Post(fmt.Sprintf("/admin/tandems/%d/meetings", tandem), webtest.Form("day", day(0), "minutes", "other", "other_minutes", "", "note", "Eerste gesprek"))
		if bad.Status != 422 || !strings.Contains(bad.Body, html.EscapeString(l.T("admin.tandems.err.minutes"))) || !strings.Contains(bad.Body, "Eerste gesprek") {
			t.Fatalf("a meeting without a length: %d", bad.Status)
		}
		for _, mt := range []url.Values{
			webtest.Form("day", day(-5), "minutes", "60", "topics", "papers", "note", "Brief van de huisbaas gelezen"),
			webtest.Form("day", day(-2), "minutes", "90", "topics", "work", "topics", "digital"),
			webtest.Form("day", day(0), "minutes", "other", "other_minutes", "45", "topics", "language"),
		} {
			if r := mentor.Post(fmt.Sprintf("/admin/tandems/%d/meetings", tandem), mt); r.Status != 303 {
				t.Fatalf("log a meeting: %d %s", r.Status, r.Body)
			}
		}
		if r := mentor.Post(fmt.Sprintf("/admin/tandems/%d/outcomes", tandem), webtest.Form("kind", "papers", "outcome_day", day(-1))); r.Status != 303 {
			t.Fatalf("an outcome: %d", r.Status)
		}
		page = mentor.Get(fmt.Sprintf("/admin/tandems/%d", tandem))
		if !strings.Contains(page.Body, "Brief van de huisbaas gelezen") || !strings.Contains(page.Body, "1 h 30") || !strings.Contains(page.Body, l.T("admin.tandems.outcome.papers")) {
			t.Errorf("the mentor's tandem page lacks a meeting or the outcome")
		}
		// A mentor pairs no one and enrols no one.
		if r := mentor.Get("/admin/tandems/new"); r.Status != 403 {
			t.Errorf("a mentor's tandem form: %d", r.Status)
		}

		// The tandem joins the workshop; the roll call shows the pair.
		sessions, err := st.TandemSessions(ctx, site.ID)
		if err != nil || len(sessions) != 1 {
			t.Fatalf("sessions for tandems: %d, %v", len(sessions), err)
		}
		sid := sessions[0].ID
		if r := coord.Post(fmt.Sprintf("/admin/tandems/%d/enrol", tandem), webtest.Form("session", strconv.FormatInt(sid, 10))); r.Status != 303 {
			t.Fatalf("enrol the tandem: %d", r.Status)
		}
		roll := coord.Get(fmt.Sprintf("/admin/sessions/%d", sid))
		if !strings.Contains(roll.Body, "Yonas") || !strings.Contains(roll.Body, html.EscapeString(l.T("admin.courses.with_mentor", "Mentor", "mentor@test.be"))) {
			t.Errorf("the roll call does not show the pair")
		}
		if r := coord.Post(fmt.Sprintf("/admin/tandems/%d/enrol", tandem), webtest.Form("session", strconv.FormatInt(sid, 10))); r.Status != 409 {
			t.Errorf("the tandem enrolled twice: %d", r.Status)
		}

		// Staff and facilitators do not read the tandem, nor its notes.
		for _, role := range []store.Role{store.RoleStaff, store.RoleFacilitator, store.RolePeer} {
			if r := f.signIn(t, role).Get(fmt.Sprintf("/admin/tandems/%d", tandem)); r.Status != 403 || strings.Contains(r.Body, "huisbaas") {
				t.Errorf("%s: the tandem's page %d", role, r.Status)
			}
		}

		// The figures of this month and the last.
		p := store.Period{From: time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, site.Location()),
			To: time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, site.Location())}
		figs, err := st.TandemFigures(ctx, []int64{site.ID}, p)
		if err != nil {
			t.Fatal(err)
		}
		if figs.Active != 1 || figs.New != 1 || figs.Meetings != 3 || figs.Minutes != 60+90+45 || figs.Hours() != 3.25 || figs.Outcomes["papers"] != 1 {
			t.Errorf("figures %+v: want 1 tandem, 1 new, 3 meetings, 3.25 hours, papers in order once", figs)
		}
		enrolled, err := st.SessionEnrolments(ctx, sid)
		if err != nil || len(enrolled) != 1 || enrolled[0].MemberID != m.ID {
			t.Errorf("the workshop's enrolment is not the mentee's: %+v, %v", enrolled, err)
		}
	})
}

var routeParam = regexp.MustCompile(`:[a-z]+`)

// A mentor walks every admin route with the ids of another mentor's
// tandem, of members, devices and courses: only their own tandems and
// their account open, and nothing of the other tandem shows.
func TestMentorOpensOnlyTheirOwn(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		siteID := firstSite(t, st)
		site, err := st.Site(ctx, siteID)
		if err != nil {
			t.Fatal(err)
		}
		adminID := userID(t, st, "admin@test.be")
		mine := userID(t, st, "mentor@test.be")
		other, err := st.CreateUser(ctx, store.UserInput{Email: "mentor2@test.be", Role: store.RoleMentor, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().In(site.Location())
		day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
		mk := func(nick string, mentor int64, note string) (*store.Member, int64) {
			m, err := st.CreateMember(ctx, store.MemberInput{Nickname: nick, Lang: "nl", SiteID: siteID})
			if err != nil {
				t.Fatal(err)
			}
			tan, err := st.CreateTandem(ctx, siteID, store.TandemInput{MentorID: mentor, MemberID: m.ID, StartsOn: day(-10), EndsOn: day(100), Goals: []string{"work"}}, adminID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.LogMeeting(ctx, tan.ID, store.MeetingInput{Day: day(-1), Minutes: 30, Note: note}, mentor); err != nil {
				t.Fatal(err)
			}
			return m, tan.ID
		}
		_, own := mk("Eigenlid", mine, "Eigen notitie")
		theirM, theirs := mk("Geheimlid", other.ID, "Geheime notitie")
		dev, err := st.AddDevices(ctx, siteID, store.DeviceInput{Type: store.Laptop, Make: "Merk", Model: "Model"}, 1, adminID)
		if err != nil {
			t.Fatal(err)
		}
		course, err := st.SaveCourse(ctx, 0, siteID, store.CourseInput{Kind: store.CourseOpen, Audience: store.AudienceTandems, Pictogram: "people",
			Texts: map[string]store.CourseText{"nl": {Name: "Geheimcursus"}}})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		sess, err := st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(time.Hour), Seats: 5})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.EnrolTandem(ctx, theirs, sess.ID, &adminID); err != nil {
			t.Fatal(err)
		}
		enrols, err := st.SessionEnrolments(ctx, sess.ID)
		if err != nil || len(enrols) != 1 {
			t.Fatalf("enrolments: %v", err)
		}
		theirMeetings, err := st.TandemMeetings(ctx, theirs)
		if err != nil || len(theirMeetings) != 1 {
			t.Fatalf("the other tandem's meetings: %v", err)
		}
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		ids := []string{id(theirs), id(theirM.ID), id(dev[0].ID), id(course.ID), id(sess.ID), id(enrols[0].ID), id(adminID), id(siteID), id(own)}
		others := map[string][]string{"format": {"csv", "pdf"}, "tag": {dev[0].AssetTag}, "token": {"0000000000000000000000000A"},
			"action": {"extend"}, "ids": {id(dev[0].ID)}}
		secrets := []string{"Geheimlid", "Geheime notitie", "Geheimcursus", fmt.Sprintf("/admin/tandems/%d\"", theirs)}
		open := map[string]bool{"/admin": true, "/admin/": true, "/admin/login": true, "/admin/account": true, "/admin/tandems": true,
			"/admin/tandems/" + id(own): true, "/admin/tandems/" + id(own) + "/meeting": true}

		c := f.signIn(t, store.RoleMentor)
		before := snapshot(t, st)
		opened := map[string]bool{}
		walked := 0
		for _, rt := range f.app.GetRoutes(true) {
			if !strings.HasPrefix(rt.Path, "/admin") || (rt.Method != "GET" && rt.Method != "POST") {
				continue
			}
			if rt.Path == "/admin/logout" || rt.Path == "/admin/login" && rt.Method == "POST" || rt.Path == "/admin/lang" || rt.Path == "/admin/account" && rt.Method == "POST" {
				continue // signing out, in, a language: not a page of anyone's
			}
			paths := []string{rt.Path}
			for _, prm := range routeParam.FindAllString(rt.Path, -1) {
				vals := ids
				if v, ok := others[prm[1:]]; ok {
					vals = v
				}
				var next []string
				for _, p := range paths {
					for _, v := range vals {
						next = append(next, strings.Replace(p, prm, v, 1))
					}
				}
				paths = next
			}
			for _, p := range paths {
				walked++
				var r webtest.Response
				if rt.Method == "GET" {
					r = c.Get(p)
				} else {
					c.Get("/admin/account") // a fresh form token
					r = c.Post(p, webtest.Form("session", id(sess.ID), "meeting", id(theirMeetings[0].ID), "kind", "work", "outcome_day", day(0),
						"day", day(0), "minutes", "30", "mentor", id(mine), "starts_on", day(-10), "ends_on", day(100), "goals", "work"))
				}
				if r.Status >= 500 {
					t.Errorf("%s %s: %d", rt.Method, p, r.Status)
				}
				body := strings.ReplaceAll(r.Body, p, "") // an error page's language switch names the path asked
				for _, s := range secrets {
					if strings.Contains(body, s) {
						t.Errorf("%s %s (%d) shows %q", rt.Method, p, r.Status, s)
					}
				}
				if rt.Method == "GET" && r.Status == 200 {
					opened[p] = true
					if !open[p] {
						t.Errorf("a mentor opens GET %s", p)
					}
				}
				if rt.Method == "POST" && r.Status < 400 && !strings.HasPrefix(p, "/admin/tandems/"+id(own)+"/") && p != "/admin/site" {
					t.Errorf("a mentor's POST %s: %d", p, r.Status)
				}
			}
		}
		if walked < 100 {
			t.Fatalf("walked %d requests: the walk sees nothing", walked)
		}
		for p := range open {
			if p != "/admin" && !opened[p] { // the start page is registered as /admin/
				t.Errorf("a mentor cannot open their own %s", p)
			}
		}
		// Nothing of the other tandem, or of anything else, changed; the
		// mentor's own tandem took the meeting and outcome posted to it.
		after := snapshot(t, st)
		if strings.Count(after, "\n") < strings.Count(before, "\n") {
			t.Errorf("the walk removed rows")
		}
		theirMeetings, err = st.TandemMeetings(ctx, theirs)
		if err != nil || len(theirMeetings) != 1 || theirMeetings[0].Note != "Geheime notitie" {
			t.Errorf("the other tandem's meetings changed: %+v, %v", theirMeetings, err)
		}
		if outs, _ := st.TandemOutcomes(ctx, theirs); len(outs) != 0 {
			t.Errorf("the other tandem got an outcome")
		}
		if en, _ := st.TandemEnrolments(ctx, own); len(en) != 0 {
			t.Errorf("a mentor enrolled their tandem")
		}
	})
}
