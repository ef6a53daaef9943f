package admin_test

import (
	"fmt"
	"html"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/devices"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// How a route must treat a user of site A who names site B's objects.
type leakKind int

const (
	// page: a page or list with no id; it shows the current site only,
	// so none of B's text may appear on it.
	page leakKind = iota
	// bound: the id names one of B's objects; the answer is 403 or 404
	// (or a redirect to a page without B's data), B's text never shows,
	// and a POST changes nothing.
	bound
	// shared: a member, who is the organisation's and may be seen from
	// every site; the page shows none of what the member did at B. POSTs
	// here act on the member at A's site, so they are not sent.
	shared
	// adminOnly: only admins get there; staff, facilitators and
	// coordinators get a 403.
	adminOnly
)

// leakRoute says how to call a route and what it must answer. Paths hold
// placeholders, {device} and so on, filled with B's objects (see leakB).
type leakRoute struct {
	kind  leakKind
	paths []string
	form  []string // name/value pairs of a POST, placeholders allowed
	// leak, when set, is a leak not fixed yet: the route is left out of
	// the assertions and named in the test's log. Write it as
	// // LEAK: … beside the entry.
	leak string
}

func p(kind leakKind, paths ...string) leakRoute { return leakRoute{kind: kind, paths: paths} }

func post(kind leakKind, path string, form ...string) leakRoute {
	return leakRoute{kind: kind, paths: []string{path}, form: form}
}

// leakRoutes classifies every GET route under /admin and every POST route
// that takes an :id. A route added to admin.Mount that is not here fails
// the test: decide which kind it is.
var leakRoutes = map[string]leakRoute{
	"GET /admin/":                      p(page, "/admin", "/admin/"),
	"GET /admin/login":                 p(page, "/admin/login"),
	"GET /admin/members":               p(shared, "/admin/members", "/admin/members?q=Luik"),
	"GET /admin/members/new":           p(page, "/admin/members/new"),
	"GET /admin/members/:id":           p(shared, "/admin/members/{member}"),
	"GET /admin/members/:id/edit":      p(shared, "/admin/members/{member}/edit"),
	"POST /admin/members/:id/card.pdf": post(shared, "/admin/members/{member}/card.pdf"),
	"POST /admin/members/:id/edit":     post(shared, "/admin/members/{member}/edit"),
	"POST /admin/members/:id/reissue":  post(shared, "/admin/members/{member}/reissue"),
	"POST /admin/members/:id/book":     post(shared, "/admin/members/{member}/book"),
	"GET /admin/members/:id/data":      p(shared, "/admin/members/{member}/data"),
	"GET /admin/members/:id/data.json": p(shared, "/admin/members/{member}/data.json"),
	"GET /admin/members/:id/data.pdf":  p(shared, "/admin/members/{member}/data.pdf"),
	"GET /admin/members/:id/erase":     p(shared, "/admin/members/{member}/erase"),
	"POST /admin/members/:id/erase":    post(shared, "/admin/members/{member}/erase"),

	"GET /admin/lab":                  p(page, "/admin/lab", "/admin/lab?day={bookingDay}"),
	"GET /admin/lab/week":             p(page, "/admin/lab/week", "/admin/lab/week?from={bookingDay}"),
	"GET /admin/lab/settings":         p(page, "/admin/lab/settings"),
	"POST /admin/bookings/:id/cancel": post(bound, "/admin/bookings/{booking}/cancel"),

	"GET /admin/devices":                p(page, "/admin/devices", "/admin/devices?q=Luik"),
	"GET /admin/devices/labels.pdf":     p(bound, "/admin/devices/labels.pdf?id={device}"),
	"GET /admin/devices/export.:format": p(page, "/admin/devices/export.csv", "/admin/devices/export.xlsx"),
	"GET /admin/reports/loans":          p(page, "/admin/reports/loans"),
	"GET /admin/reports/loans.:format":  p(page, "/admin/reports/loans.csv", "/admin/reports/loans.xlsx"),
	// Figures: the current site, or the network of the user's own sites
	// (a user of A only: A); B's course names never show.
	"GET /admin/figures":                p(page, "/admin/figures", "/admin/figures?range=year", "/admin/figures?range=year&scope=network"),
	"GET /admin/figures.:format":        p(page, "/admin/figures.xlsx?range=year", "/admin/figures.xlsx?range=year&scope=network", "/admin/figures.pdf?range=year"),
	"GET /admin/figures/funder":         p(page, "/admin/figures/funder", "/admin/figures/funder?range=year&scope=network"),
	"GET /admin/figures/funder.:format": p(page, "/admin/figures/funder.xlsx?range=year", "/admin/figures/funder.pdf?range=year&lang=fr"),
	"GET /admin/loans/:id/reminder.pdf": p(bound, "/admin/loans/{loan}/reminder.pdf"),
	"GET /admin/devices/tag/:tag":       p(bound, "/admin/devices/tag/{tag}"),
	"GET /admin/devices/:id":            p(bound, "/admin/devices/{device}"),
	"GET /admin/devices/:id/edit":       p(bound, "/admin/devices/{device}/edit"),
	"POST /admin/devices/:id/edit":      post(bound, "/admin/devices/{device}/edit", "type", "laptop", "make", "Hacked", "model", "Hacked"),
	"POST /admin/devices/:id/status":    post(bound, "/admin/devices/{device}/status", "status", "in_repair", "note", "Hacked"),
	"POST /admin/loans/:id/:action": {kind: bound, paths: []string{
		"/admin/loans/{loan}/extend", "/admin/loans/{loan}/lost", "/admin/loans/{returned}/reopen"}, form: []string{"due", "2099-01-01"}},
	"GET /admin/overdue":            p(page, "/admin/overdue"),
	"GET /admin/lend":               p(page, "/admin/lend"),
	"GET /admin/loans/receipt/:ids": p(bound, "/admin/loans/receipt/{loan}", "/admin/loans/receipt/{loan},{returned}"),
	"GET /admin/return":             p(page, "/admin/return"),

	"GET /admin/words":             p(page, "/admin/words"),
	"GET /admin/words/export.json": p(page, "/admin/words/export.json"),
	"GET /admin/voice":             p(page, "/admin/voice"),
	"GET /admin/voice/audio":       p(page, "/admin/voice/audio"),
	"GET /admin/voice/pack.zip":    p(page, "/admin/voice/pack.zip"),

	"GET /admin/courses":                p(page, "/admin/courses"),
	"GET /admin/courses/new":            p(page, "/admin/courses/new"),
	"GET /admin/courses/:id":            p(bound, "/admin/courses/{course}"),
	"GET /admin/courses/:id/edit":       p(bound, "/admin/courses/{course}/edit"),
	"POST /admin/courses/:id/edit":      post(bound, "/admin/courses/{course}/edit", "kind", "open", "pictogram", "laptop", "name_nl", "Hacked"),
	"POST /admin/courses/:id/sessions":  post(bound, "/admin/courses/{course}/sessions", "date", "{sessionDay}", "start", "09:00", "end", "10:00", "seats", "3"),
	"GET /admin/sessions/:id":           p(bound, "/admin/sessions/{session}"),
	"POST /admin/sessions/:id/attend":   post(bound, "/admin/sessions/{session}/attend", "enrolment", "{enrolment}", "present", "1"),
	"POST /admin/sessions/:id/members":  post(bound, "/admin/sessions/{session}/members", "code", "{code}", "walkin", "0"),
	"POST /admin/sessions/:id/edit":     post(bound, "/admin/sessions/{session}/edit", "date", "{sessionDay}", "start", "09:00", "end", "10:00", "seats", "9", "confirm", "yes"),
	"POST /admin/sessions/:id/delete":   post(bound, "/admin/sessions/{session}/delete", "confirm", "yes"),
	"POST /admin/enrolments/:id/cancel": post(bound, "/admin/enrolments/{enrolment}/cancel"),
	// The attendance review shows the current site's courses; B's course
	// named in the query is a 404.
	"GET /admin/attendance": p(page, "/admin/attendance", "/admin/attendance?period=quarter",
		"/admin/attendance?course={course}", "/admin/attendance?from=2020-01-01&to=2030-12-31"),
	"GET /admin/attendance.:format": p(page, "/admin/attendance.pdf?from=2020-01-01&to=2030-12-31",
		"/admin/attendance.xlsx?from=2020-01-01&to=2030-12-31", "/admin/attendance.csv?course={course}"),
	"POST /admin/courses/:id/notes": post(bound, "/admin/courses/{course}/notes", "member", "{member}", "note", "Hacked"),

	"GET /admin/thresholds":                        p(page, "/admin/thresholds", "/admin/thresholds?org={org}"),
	"GET /admin/thresholds/export.:format":         p(page, "/admin/thresholds/export.csv", "/admin/thresholds/export.xlsx"),
	"GET /admin/thresholds/new":                    p(page, "/admin/thresholds/new"),
	"GET /admin/thresholds/:id":                    p(bound, "/admin/thresholds/{threshold}"),
	"GET /admin/thresholds/:id/voice":              p(bound, "/admin/thresholds/{threshold}/voice"),
	"POST /admin/thresholds/:id":                   post(bound, "/admin/thresholds/{threshold}", "domain", "bank", "problem", "login", "level", "micro"),
	"POST /admin/thresholds/:id/helped":            post(bound, "/admin/thresholds/{threshold}/helped"),
	"GET /admin/themes":                            p(page, "/admin/themes", "/admin/themes?title=Luikthema"),
	"GET /admin/themes/:id":                        p(bound, "/admin/themes/{theme}"),
	"POST /admin/themes/:id":                       post(bound, "/admin/themes/{theme}", "title", "Hacked", "status", "new"),
	"POST /admin/themes/:id/solutions":             post(bound, "/admin/themes/{theme}/solutions", "what", "Hacked", "tried_on", "2026-01-01", "people", "1", "result", "works"),
	"POST /admin/themes/:id/quotes":                post(bound, "/admin/themes/{theme}/quotes", "quote", "Hacked"),
	"POST /admin/quotes/:id/delete":                post(bound, "/admin/quotes/{quote}/delete"),
	"GET /admin/themes/:id/dossier":                p(bound, "/admin/themes/{theme}/dossier"),
	"GET /admin/themes/:id/dossier.:format":        p(bound, "/admin/themes/{theme}/dossier.pdf"),
	"GET /admin/organisations":                     p(page, "/admin/organisations"),
	"POST /admin/organisations/:id/look":           post(bound, "/admin/organisations/{org}/look", "pictogram", "people"),
	"GET /admin/organisations/:id/dossier":         p(bound, "/admin/organisations/{org}/dossier"),
	"GET /admin/organisations/:id/dossier.:format": p(bound, "/admin/organisations/{org}/dossier.pdf"),

	"GET /admin/settings":             p(adminOnly, "/admin/settings"),
	"GET /admin/privacy":              p(adminOnly, "/admin/privacy"),
	"GET /admin/audit":                p(adminOnly, "/admin/audit", "/admin/audit?member={member}"),
	"GET /admin/sites":                p(adminOnly, "/admin/sites"),
	"GET /admin/sites/:id":            p(adminOnly, "/admin/sites/{siteB}"),
	"POST /admin/sites/:id":           post(adminOnly, "/admin/sites/{siteB}", "name", "Hacked"),
	"POST /admin/operators/:id":       post(adminOnly, "/admin/operators/{operatorB}", "name", "Hacked"),
	"GET /admin/stations":             p(adminOnly, "/admin/stations"),
	"POST /admin/stations/:id/code":   post(adminOnly, "/admin/stations/1/code"),
	"POST /admin/stations/:id/revoke": post(adminOnly, "/admin/stations/1/revoke"),
	"GET /admin/users":                p(adminOnly, "/admin/users"),
	"POST /admin/users/:id/disable":   post(adminOnly, "/admin/users/{admin}/disable"),
	"POST /admin/users/:id/enable":    post(adminOnly, "/admin/users/{admin}/enable"),
	"POST /admin/users/:id/sites":     post(adminOnly, "/admin/users/{admin}/sites", "site", "{siteB}"),
	"POST /admin/users/:id/reset":     post(adminOnly, "/admin/users/{admin}/reset"),
	// A reset link names an account by its token, not a site's object;
	// a made-up one is a 404 for anyone.
	"GET /admin/reset/:token":  p(bound, "/admin/reset/0000000000000000000000000A"),
	"POST /admin/reset/:token": post(bound, "/admin/reset/0000000000000000000000000A", "password", "Hacked-password", "confirm", "Hacked-password"),
	"GET /admin/account":       p(page, "/admin/account"),
	// The help queue: A's tickets only; B's ticket, open or ended, is a 404.
	"GET /admin/help":                    p(page, "/admin/help"),
	"GET /admin/help/events":             p(page, "/admin/help/events", "/admin/help/events?back=/admin"),
	"GET /admin/help/themes":             p(page, "/admin/help/themes"),
	"POST /admin/help/:id/take":          post(bound, "/admin/help/{help}/take"),
	"POST /admin/help/:id/end":           post(bound, "/admin/help/{help}/end", "outcome", "helped"),
	"POST /admin/help/:id/theme":         post(bound, "/admin/help/{helpEnded}/theme", "theme", ""),
	"POST /admin/help/themes/:id/course": post(bound, "/admin/help/themes/{theme}/course", "course", ""),

	// Tandems: A's list and form show A's only; B's tandem does not open.
	"GET /admin/tandems":                      p(page, "/admin/tandems"),
	"GET /admin/tandems/new":                  p(page, "/admin/tandems/new"),
	"GET /admin/tandems/:id":                  p(bound, "/admin/tandems/{tandem}"),
	"GET /admin/tandems/:id/edit":             p(bound, "/admin/tandems/{tandem}/edit"),
	"GET /admin/tandems/:id/meeting":          p(bound, "/admin/tandems/{tandem}/meeting"),
	"POST /admin/tandems/:id/edit":            post(bound, "/admin/tandems/{tandem}/edit", "mentor", "{admin}", "starts_on", "2020-01-01", "ends_on", "2099-01-01", "goals", "work"),
	"POST /admin/tandems/:id/meetings":        post(bound, "/admin/tandems/{tandem}/meetings", "day", "{tday}", "minutes", "60", "note", "Hacked"),
	"POST /admin/tandems/:id/meetings/delete": post(bound, "/admin/tandems/{tandem}/meetings/delete", "meeting", "{meeting}"),
	"POST /admin/tandems/:id/outcomes":        post(bound, "/admin/tandems/{tandem}/outcomes", "kind", "work", "outcome_day", "{tday}"),
	"POST /admin/tandems/:id/outcomes/delete": post(bound, "/admin/tandems/{tandem}/outcomes/delete", "kind", "work"),
	"POST /admin/tandems/:id/enrol":           post(bound, "/admin/tandems/{tandem}/enrol", "session", "{session}"),
}

// leakForms are POSTs without an :id in their path that name one of B's
// objects in their form: each must refuse and change nothing.
var leakForms = []struct {
	path string
	form []string
}{
	{"/admin/return/confirm", []string{"device", "{device}", "wiped", "yes"}},
	{"/admin/lend/scan", []string{"scan", "{tag}"}},
	{"/admin/return/scan", []string{"scan", "{tag}"}},
	{"/admin/thresholds/new", []string{"domain", "bank", "problem", "login", "lang", "nl", "text", "x", "org", "{org}"}},
	{"/admin/themes", []string{"title", "Nieuw thema", "status", "new", "course", "{course}"}},
	{"/admin/thresholds/{thresholdA}", []string{"domain", "bank", "problem", "login", "theme", "{theme}"}},
	{"/admin/thresholds/{thresholdA}", []string{"domain", "bank", "problem", "login", "org", "{org}"}},
	{"/admin/thresholds/{thresholdA}", []string{"domain", "bank", "problem", "login", "duplicate", "{threshold}"}},
	{"/admin/themes/{themeA}", []string{"title", "Thema A", "status", "new", "course", "{course}"}},
	{"/admin/themes/{themeA}/quotes", []string{"quote", "Hacked", "threshold", "{threshold}"}},
	{"/admin/tandems/{tandemA}/enrol", []string{"session", "{session}"}},
	{"/admin/tandems/{tandemA}/meetings/delete", []string{"meeting", "{meeting}"}},
}

// leakB is site B with one of each of its objects, and the words that
// would show that a page leaks them.
type leakB struct {
	vars    map[string]string
	secrets []string // B's own words and links, never shown at A
	member  string   // B's member's nickname: shared, except on B's lists
}

func (b *leakB) fill(s string) string {
	for k, v := range b.vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// must gives the value of a call that must not fail: must(f())(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func openLab(t *testing.T, st *store.Store, site int64) {
	t.Helper()
	if err := st.SaveLab(ctx, store.Lab{SiteID: site, Seats: 4, SlotMinutes: 60, HorizonDays: 7, MaxBookings: 2, GraceMinutes: 15, Mode: store.LabBoth}); err != nil {
		t.Fatal(err)
	}
	var hours []store.LabHours
	for d := 0; d < 7; d++ {
		hours = append(hours, store.LabHours{Weekday: d, Opens: 0, Closes: 24 * 60})
	}
	if err := st.SetLabHours(ctx, site, hours); err != nil {
		t.Fatal(err)
	}
}

// seedLeak builds site A (the fixture's first site, with a device lent,
// a report and a theme of its own) and site B with one of every
// site-bound object, each named with words found nowhere else.
func seedLeak(t *testing.T, f *fixture) *leakB {
	t.Helper()
	st := f.st
	siteA := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
	siteB := must(st.CreateSite(ctx, store.SiteInput{Name: "Luik-Geheim"}))(t)
	adminID := userID(t, st, "admin@test.be")
	for _, r := range store.Roles {
		if r != store.RoleAdmin {
			if err := st.SetUserSites(ctx, userID(t, st, string(r)+"@test.be"), []int64{siteA.ID}); err != nil {
				t.Fatal(err)
			}
		}
	}
	realNow := time.Now
	defer st.SetClock(realNow)

	// B's member, registered at B, visits B today.
	m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Luiklid-B", Lang: "nl", SiteID: siteB.ID}))(t)
	if _, _, err := st.CheckIn(ctx, m.ID, siteB); err != nil {
		t.Fatal(err)
	}

	// Devices: A's own, lent to B's member at A; B's two, one lent long
	// ago and overdue, one lent and returned.
	devA := must(st.AddDevices(ctx, siteA.ID, store.DeviceInput{Type: store.Laptop, Make: "Antwerpmerk", Model: "Antwerpmodel"}, 1, adminID))(t)[0]
	devB := must(st.AddDevices(ctx, siteB.ID, store.DeviceInput{Type: store.Laptop, Make: "Luikmerk", Model: "Luikmodel-B", Serial: "LUIK-SERIE-B"}, 1, adminID))(t)[0]
	devB2 := must(st.AddDevices(ctx, siteB.ID, store.DeviceInput{Type: store.Laptop, Make: "Luikmerk", Model: "Luikmodel-B2"}, 1, adminID))(t)[0]
	desk := devices.NewDesk(st)
	must(desk.Lend(ctx, siteA, store.LendInput{MemberID: m.ID, DeviceIDs: []int64{devA.ID}, TermsAccepted: true, By: adminID}))(t)
	st.SetClock(func() time.Time { return realNow().AddDate(0, 0, -40) })
	loanB := must(desk.Lend(ctx, siteB, store.LendInput{MemberID: m.ID, DeviceIDs: []int64{devB.ID}, TermsAccepted: true, By: adminID}))(t)[0]
	returned := must(desk.Lend(ctx, siteB, store.LendInput{MemberID: m.ID, DeviceIDs: []int64{devB2.ID}, TermsAccepted: true, By: adminID}))(t)[0]
	must(desk.Return(ctx, store.ReturnInput{DeviceID: devB2.ID, By: adminID, Wiped: true}))(t)
	st.SetClock(realNow)

	// A lab booking at B.
	openLab(t, st, siteB.ID)
	slots := must(st.BookableSlots(ctx, siteB))(t)
	if len(slots) < 3 {
		t.Fatalf("B's lab offers %d slots", len(slots))
	}
	booking := must(st.BookLab(ctx, store.BookInput{Site: siteB, MemberID: m.ID, Start: slots[2].Start}))(t)

	// A course at B, with a session and B's member enrolled.
	course := must(st.SaveCourse(ctx, 0, siteB.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
		Texts: map[string]store.CourseText{"nl": {Name: "Luikcursus-B", Description: "Luikuitleg-B"}}}))(t)
	start := realNow().Add(48 * time.Hour).Truncate(time.Hour)
	sess := must(st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(time.Hour), Place: "Luikzaal-B", Seats: 5}))(t)
	must(st.Enrol(ctx, store.EnrolInput{SessionID: sess.ID, MemberID: m.ID}))(t)
	enrols := must(st.SessionEnrolments(ctx, sess.ID))(t)
	if err := st.SetAttendanceNote(ctx, course.ID, m.ID, "Luiknotitie-B", &adminID); err != nil {
		t.Fatal(err)
	}

	// Thresholds: B's organisation, a report asking for help with a voice
	// note, a theme with a quote; and A's own report and theme.
	org := must(st.AddOrganisation(ctx, siteB.ID, "Luikorganisatie-B", "building"))(t)
	th := must(st.ReportThreshold(ctx, store.ReportInput{SiteID: siteB.ID, Domain: "bank", Problem: "login", Text: "Luikdrempel-B",
		Lang: "nl", OrganisationID: &org.ID, MemberID: &m.ID, WantsHelp: true, Voice: []byte("LUIKSTEM-B"), VoiceType: "audio/webm"}))(t)
	theme := must(st.SaveTheme(ctx, 0, siteB.ID, store.ThemeInput{Title: "Luikthema-B", Description: "Luikbeschrijving-B", CourseID: &course.ID}))(t)
	if err := st.Triage(ctx, th.ID, store.TriageInput{Domain: "bank", Problem: "login", Level: "micro", OrganisationID: &org.ID, ThemeID: &theme.ID}); err != nil {
		t.Fatal(err)
	}
	if err := st.ApproveQuote(ctx, theme.ID, &th.ID, "Luikcitaat-B", adminID); err != nil {
		t.Fatal(err)
	}
	if err := st.AddSolution(ctx, theme.ID, "Luikoplossing-B", "2026-01-05", 3, "works", adminID); err != nil {
		t.Fatal(err)
	}
	quotes := must(st.Quotes(ctx, theme.ID))(t)
	// B's help queue: a ticket waiting (B's member checked in), one ended with a theme.
	helpB := must(st.AskForHelp(ctx, store.HelpInput{SiteID: siteB.ID, Subject: "phone", MemberID: &m.ID}))(t)
	thHelp := must(st.ReportThreshold(ctx, store.ReportInput{SiteID: siteB.ID, Domain: "work", Problem: "other", Lang: "nl"}))(t)
	helpEnded := must(st.AskForHelp(ctx, store.HelpInput{SiteID: siteB.ID, Subject: "paper", ThresholdID: &thHelp.ID}))(t)
	if err := st.EndHelp(ctx, siteB.ID, helpEnded.ID, adminID, "helped"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetHelpTheme(ctx, siteB.ID, helpEnded.ID, &theme.ID); err != nil {
		t.Fatal(err)
	}
	thA := must(st.ReportThreshold(ctx, store.ReportInput{SiteID: siteA.ID, Domain: "bank", Problem: "login", Text: "Antwerpdrempel", Lang: "nl"}))(t)
	themeA := must(st.SaveTheme(ctx, 0, siteA.ID, store.ThemeInput{Title: "Antwerpthema"}))(t)

	// Tandems: B's, with a mentor of B's, a meeting and its note; and one
	// at A of A's mentor, with a member of A.
	mentorB := must(st.CreateUser(ctx, store.UserInput{Email: "mentor-b@test.be", Role: store.RoleMentor, Password: pw}))(t)
	if err := st.SetUserSites(ctx, mentorB.ID, []int64{siteB.ID}); err != nil {
		t.Fatal(err)
	}
	tday := func(d int) string { return realNow().In(siteB.Location()).AddDate(0, 0, d).Format(time.DateOnly) }
	tandemB := must(st.CreateTandem(ctx, siteB.ID, store.TandemInput{MentorID: mentorB.ID, MemberID: m.ID, StartsOn: tday(-30), EndsOn: tday(300), Goals: []string{"work"}}, adminID))(t)
	meetingB := must(st.LogMeeting(ctx, tandemB.ID, store.MeetingInput{Day: tday(-2), Minutes: 60, Note: "Luiktandemnotitie-B"}, mentorB.ID))(t)
	memberA := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Antwerplid", Lang: "nl", SiteID: siteA.ID}))(t)
	tandemA := must(st.CreateTandem(ctx, siteA.ID, store.TandemInput{MentorID: userID(t, st, "mentor@test.be"), MemberID: memberA.ID,
		StartsOn: tday(-30), EndsOn: tday(300), Goals: []string{"papers"}}, adminID))(t)

	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	b := &leakB{member: m.Nickname, vars: map[string]string{
		"member": id(m.ID), "code": strings.ToLower(m.Card.CheckCode),
		"device": id(devB.ID), "tag": devB.AssetTag, "loan": id(loanB.ID), "returned": id(returned.ID),
		"booking": id(booking.ID), "bookingDay": booking.Start().In(siteB.Location()).Format(time.DateOnly),
		"course": id(course.ID), "session": id(sess.ID), "enrolment": id(enrols[0].ID),
		"sessionDay": start.In(siteB.Location()).AddDate(0, 0, 1).Format(time.DateOnly),
		"threshold":  id(th.ID), "theme": id(theme.ID), "org": id(org.ID), "quote": id(quotes[0].ID),
		"thresholdA": id(thA.ID), "themeA": id(themeA.ID), "help": id(helpB.ID), "helpEnded": id(helpEnded.ID),
		"tandem": id(tandemB.ID), "meeting": id(meetingB.ID), "tandemA": id(tandemA.ID), "tday": tday(-1),
		"siteB": id(siteB.ID), "operatorB": id(siteB.OperatorID), "admin": id(adminID),
	}}
	b.secrets = []string{
		"Luik-Geheim", devB.AssetTag, devB2.AssetTag, "Luikmodel-B", "LUIK-SERIE-B", "Luikcursus-B", "Luikuitleg-B", "Luikzaal-B",
		"Luikorganisatie-B", "Luikdrempel-B", "Luiknotitie-B", "LUIKSTEM-B", "Luikthema-B", "Luikbeschrijving-B", "Luikcitaat-B", "Luikoplossing-B",
		b.fill(`/admin/devices/{device}"`), b.fill(`/admin/loans/{loan}/`), b.fill(`/admin/bookings/{booking}/`),
		b.fill(`/admin/courses/{course}"`), b.fill(`/admin/sessions/{session}"`), b.fill(`/admin/thresholds/{threshold}"`),
		b.fill(`/admin/themes/{theme}"`), b.fill(`/admin/organisations/{org}/`),
		"Luiktandemnotitie-B", b.fill(`/admin/tandems/{tandem}"`), b.fill(`/admin/tandems/{tandem}/`),
	}
	return b
}

// snapshot is every site-bound row in the database, to tell whether a
// refused request changed anything.
func snapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	var out []string
	for _, table := range []string{"devices", "loans", "device_events", "bookings", "lab_slots", "courses", "course_texts",
		"course_sessions", "enrolments", "thresholds", "threshold_voices", "themes", "solutions", "quotes", "organisations",
		"organisation_logos", "visits", "sites", "user_sites", "users", "attendance_notes",
		"tandems", "tandem_meetings", "tandem_outcomes", "help_tickets"} {
		var rows []map[string]any
		if err := st.W.Table(table).Find(&rows).Error; err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		for _, r := range rows {
			out = append(out, table+fmt.Sprint(r))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// Staff, facilitators and coordinators of site A walk
// every admin route with site B's ids: nothing of B's shows, and nothing
// of B's changes.
func TestNoLeakBetweenSites(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := seedLeak(t, f)

		// Every route is classified.
		type walk struct {
			key   string
			route leakRoute
		}
		var walks []walk
		seen := map[string]bool{}
		for _, r := range f.app.GetRoutes(true) {
			if !strings.HasPrefix(r.Path, "/admin") {
				continue
			}
			if r.Method != "GET" && !(r.Method == "POST" && strings.Contains(r.Path, ":")) {
				continue
			}
			key := r.Method + " " + r.Path
			lr, ok := leakRoutes[key]
			if !ok {
				t.Errorf("route %s is not in leakRoutes: say which kind it is", key)
				continue
			}
			walks = append(walks, walk{key, lr})
			seen[key] = true
		}
		for key := range leakRoutes {
			if !seen[key] {
				t.Errorf("leakRoutes has %s, which is no route: remove it", key)
			}
		}
		sort.Slice(walks, func(i, j int) bool { return walks[i].key < walks[j].key })

		for _, role := range store.Roles {
			if role == store.RoleAdmin {
				continue // admins see every site
			}
			c := f.signIn(t, role)
			if r := c.Get("/admin"); r.Status != 200 || !strings.Contains(r.Body, "Antwerpen") {
				t.Fatalf("%s of A: dashboard %d", role, r.Status)
			}
			for _, w := range walks {
				if w.route.leak != "" {
					t.Logf("known leak, not asserted: %s (%s)", w.key, w.route.leak)
					continue
				}
				for _, raw := range w.route.paths {
					path := b.fill(raw)
					if strings.HasPrefix(w.key, "POST") {
						checkPost(t, st, c, b, role, w.route.kind, path, w.route.form)
					} else {
						checkGet(t, c, b, role, w.route.kind, path)
					}
				}
			}
			for _, lf := range leakForms {
				checkPost(t, st, c, b, role, bound, b.fill(lf.path), lf.form)
			}
			// What the scans above put in the lending basket does not show.
			r := c.Get("/admin/lend")
			checkAnswer(t, c, b, role, page, "GET /admin/lend after scanning B's device", r, b.vars["tag"])

			if role == store.RoleStaff {
				staffSeesOnlyA(t, c, b)
			}
			if role == store.RoleCoordinator {
				// A coordinator's walk reaches the courses, not the members.
				if r := c.Get("/admin/courses"); r.Status != 200 {
					t.Errorf("a coordinator of A: courses %d", r.Status)
				}
				if r := c.Get(b.fill("/admin/members/{member}")); r.Status != 403 {
					t.Errorf("a coordinator of A: a member's page %d, want 403", r.Status)
				}
			}
		}
	})
}

// staffSeesOnlyA checks what A's lists do show: A's own objects, and of
// B's member only what they did at A.
func staffSeesOnlyA(t *testing.T, c *webtest.Client, b *leakB) {
	t.Helper()
	if r := c.Get("/admin/devices"); !strings.Contains(r.Body, "Antwerpmodel") {
		t.Error("A's staff do not see A's own device")
	}
	mp := c.Get(b.fill("/admin/members/{member}"))
	if mp.Status != 200 || !strings.Contains(mp.Body, "Luiklid-B") || !strings.Contains(mp.Body, "LAP-0001") {
		t.Fatalf("the member page at A: %d, want the member and A's loan", mp.Status)
	}
	for _, want := range []string{"Nog geen bezoeken.", "Je hebt geen reservaties."} {
		if !strings.Contains(mp.Body, want) {
			t.Errorf("the member page at A shows B's history: no %q", want)
		}
	}
	if r := c.Get("/admin/reports/loans"); !strings.Contains(r.Body, `id="r-loans">1<`) {
		t.Errorf("the loan report at A counts other sites' loans")
	}
	if r := c.Get("/admin/reports/loans.csv"); strings.Count(strings.TrimSpace(r.Body), "\n") != 1 {
		t.Errorf("the loan report's CSV at A counts other sites' loans:\n%s", r.Body)
	}
}

func (b *leakB) leaked(body string, allowMember bool) []string {
	var found []string
	for _, s := range b.secrets {
		if strings.Contains(body, s) {
			found = append(found, s)
		}
	}
	if !allowMember && strings.Contains(body, b.member) {
		found = append(found, b.member)
	}
	return found
}

func checkGet(t *testing.T, c *webtest.Client, b *leakB, role store.Role, kind leakKind, path string) {
	t.Helper()
	r := c.Get(path)
	checkAnswer(t, c, b, role, kind, "GET "+path, r, path)
}

// checkAnswer checks one answer to a user of site A. echo is what the
// user typed themselves (the path, which an error page's language switch
// sends back to, a scanned tag): the page may say it again.
func checkAnswer(t *testing.T, c *webtest.Client, b *leakB, role store.Role, kind leakKind, what string, r webtest.Response, echo ...string) {
	t.Helper()
	for _, e := range echo {
		r.Body = strings.ReplaceAll(strings.ReplaceAll(r.Body, e, ""), html.EscapeString(e), "")
	}
	if r.Status >= 500 {
		t.Errorf("%s %s: %d", role, what, r.Status)
	}
	switch kind {
	case bound:
		if r.Status < 300 {
			t.Errorf("%s %s: %d, want 403 or 404", role, what, r.Status)
		}
	case adminOnly:
		if r.Status != 403 {
			t.Errorf("%s %s: %d, want 403", role, what, r.Status)
		}
	}
	if found := b.leaked(r.Body, kind == shared); len(found) > 0 {
		t.Errorf("%s %s (%d) shows site B's %q", role, what, r.Status, found)
	}
	if r.Status >= 300 && r.Status < 400 && r.Location != "" {
		if found := b.leaked(r.Location+`"`, kind == shared); len(found) > 0 {
			t.Errorf("%s %s redirects to B's %s", role, what, r.Location)
		}
		next := c.Get(r.Location)
		if found := b.leaked(next.Body, kind == shared); len(found) > 0 {
			t.Errorf("%s %s redirects to %s, which shows site B's %q", role, what, r.Location, found)
		}
	}
}

func checkPost(t *testing.T, st *store.Store, c *webtest.Client, b *leakB, role store.Role, kind leakKind, path string, form []string) {
	t.Helper()
	if kind == shared {
		return // the member's own routes act at A's site; see leakRoutes
	}
	vals := url.Values{}
	for i := 0; i+1 < len(form); i += 2 {
		vals.Add(form[i], b.fill(form[i+1]))
	}
	before := snapshot(t, st)
	c.Get("/admin") // a fresh CSRF token
	r := c.Post(path, vals)
	if strings.HasPrefix(path, "/admin/lend/scan") && r.Status == 303 {
		r.Status = 404 // the scan answers with a note on the lending page, checked after
	}
	checkAnswer(t, c, b, role, kind, "POST "+path, r, path)
	if after := snapshot(t, st); after != before {
		t.Errorf("%s POST %s (%d) changed the database", role, path, r.Status)
	}
}
