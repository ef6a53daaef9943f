package admin_test

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

func nlCatalog(t *testing.T) *web.Loc {
	t.Helper()
	x, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	return x.Loc("nl", "nl")
}

// Acceptance 1: make a weekly course for 10 weeks in one step; mark the
// roll for past sessions; the future ones refuse a roll call.
func TestWeeklyCourseRollCall(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		nl := nlCatalog(t)
		esc := html.EscapeString
		f := newFixture(t, st)
		c := f.signIn(t, store.RoleFacilitator)
		c.Get("/admin/courses/new")
		r := c.Post("/admin/courses", webtest.Form("kind", "series", "activity", "language", "pictogram", "people", "name_nl", "Nederlands oefenen"))
		if r.Status != 303 {
			t.Fatalf("create course: %d", r.Status)
		}
		coursePath := r.Location
		page := c.Get(coursePath)
		if !strings.Contains(page.Body, esc(nl.T("admin.courses.activity.language"))) {
			t.Fatal("the course page does not say which kind of activity it is")
		}
		if c.Get(coursePath + "/edit"); true {
			if r := c.Post(coursePath+"/edit", webtest.Form("kind", "series", "activity", "sports", "pictogram", "people", "name_nl", "X")); r.Status != 422 {
				t.Fatalf("unknown activity: %d", r.Status)
			}
		}
		site := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
		loc := site.Location()
		// Seven weeks ago: seven sessions past, three to come.
		first := st.Now().In(loc).AddDate(0, 0, -7*7+1)
		form := func(kv ...string) []string {
			return append([]string{"date", first.Format(time.DateOnly), "start", "09:30", "end", "11:30", "seats", "12", "place", "Zaal 2", "repeat", "weekly"}, kv...)
		}
		// Bad input: the form again, with what was typed and a message.
		for _, bad := range []struct {
			form []string
			msg  string
		}{
			{form("weeks", "61"), nl.T("admin.courses.repeat.err.repeat_range", "Max", store.MaxSessionsAtOnce)},
			{form("until", first.AddDate(0, 0, -7).Format(time.DateOnly)), nl.T("admin.courses.repeat.err.before_start")},
			{form("weeks", "4", "until", first.AddDate(0, 0, 28).Format(time.DateOnly)), nl.T("admin.courses.repeat.err.weeks_or_until")},
			{form("weeks", "10", "skip", first.AddDate(0, 0, 1).Format(time.DateOnly)), nl.T("admin.courses.repeat.err.not_a_session_day")},
			{form("weeks", "10", "skip", "kerstmis"), nl.T("admin.courses.repeat.err.bad_date")},
			{form(), nl.T("admin.courses.repeat.err.required")},
			{[]string{"date", first.Format(time.DateOnly), "start", "09:30", "end", "08:00", "seats", "12", "place", "Zaal 2", "repeat", "weekly", "weeks", "10"}, nl.T("error.session.end")},
		} {
			c.Get(coursePath)
			r := c.Post(coursePath+"/sessions", webtest.Form(bad.form...))
			if r.Status != 422 || !strings.Contains(r.Body, esc(bad.msg)) || !strings.Contains(r.Body, `value="Zaal 2"`) {
				t.Errorf("%v: %d, want the form again with %q", bad.form, r.Status, bad.msg)
			}
		}
		if ss, _ := st.CourseSessions(ctx, mustID(t, strings.TrimPrefix(coursePath, "/admin/courses/"))); len(ss) != 0 {
			t.Fatalf("refused series made %d sessions", len(ss))
		}
		// The preview says how many, and makes none.
		c.Get(coursePath)
		r = c.Post(coursePath+"/sessions", webtest.Form(form("weeks", "10", "preview", "1")...))
		if r.Status != 200 || !strings.Contains(r.Body, esc(nl.T("admin.courses.repeat.preview_count", "Count", 10))) {
			t.Fatalf("preview: %d", r.Status)
		}
		courseID := mustID(t, strings.TrimPrefix(coursePath, "/admin/courses/"))
		if ss, _ := st.CourseSessions(ctx, courseID); len(ss) != 0 {
			t.Fatalf("the preview made %d sessions", len(ss))
		}
		// One step: ten weekly sessions.
		c.Get(coursePath)
		r = c.Post(coursePath+"/sessions", webtest.Form(form("weeks", "10")...))
		if r.Status != 303 {
			t.Fatalf("weekly for 10 weeks: %d\n%s", r.Status, r.Body)
		}
		if page := c.Get(r.Location); !strings.Contains(page.Body, esc(nl.T("admin.courses.repeat.made", "Count", 10))) {
			t.Fatal("the page does not say how many sessions were made")
		}
		ss, _ := st.CourseSessions(ctx, courseID)
		if len(ss) != 10 {
			t.Fatalf("%d sessions", len(ss))
		}
		for i, s := range ss {
			if s.Start().In(loc).Weekday() != first.Weekday() || s.Start().In(loc).Format("15:04") != "09:30" || s.Seats != 12 {
				t.Errorf("session %d: %s, %d seats", i, s.Start().In(loc), s.Seats)
			}
		}
		now := st.Now()
		var past, future []store.CourseSession
		for _, s := range ss {
			if s.Start().Before(now) {
				past = append(past, s)
			} else {
				future = append(future, s)
			}
		}
		if len(past) != 7 || len(future) != 3 {
			t.Fatalf("%d past, %d future", len(past), len(future))
		}
		amina := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Amina", Lang: "ar"}))(t)
		jan := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Jan", Lang: "nl"}))(t)
		// The roll for the past sessions: both came as walk-ins by check
		// code; then Amina's roll says absent twice in a row and excused once.
		for _, s := range past {
			sp := fmt.Sprintf("/admin/sessions/%d", s.ID)
			page := c.Get(sp)
			if strings.Contains(page.Body, esc(nl.T("admin.courses.roll_not_open"))) {
				t.Fatalf("a past session says its roll call is not open")
			}
			for _, m := range []*store.Member{amina, jan} {
				if r := c.Post(sp+"/members", webtest.Form("code", m.Card.CheckCode, "walkin", "1")); r.Status != 303 {
					t.Fatalf("walk-in at a past session: %d", r.Status)
				}
			}
		}
		mark := func(s store.CourseSession, m *store.Member, mk string) webtest.Response {
			t.Helper()
			rows := must(st.SessionEnrolments(ctx, s.ID))(t)
			for _, e := range rows {
				if e.MemberID == m.ID {
					sp := fmt.Sprintf("/admin/sessions/%d", s.ID)
					c.Get(sp)
					return c.Post(sp+"/attend", webtest.Form("enrolment", fmt.Sprint(e.ID), "mark", mk))
				}
			}
			t.Fatalf("%s has no seat in session %d", m.Nickname, s.ID)
			return webtest.Response{}
		}
		for i, mk := range map[int]string{2: "absent", 3: "absent", 5: "excused"} {
			if r := mark(past[i], amina, mk); r.Status != 303 {
				t.Fatalf("mark %s: %d", mk, r.Status)
			}
		}
		sp := c.Get(fmt.Sprintf("/admin/sessions/%d", past[5].ID))
		if !regexp.MustCompile(`aria-pressed="true">` + regexp.QuoteMeta(esc(nl.T("admin.attendance.cell.excused")))).MatchString(sp.Body) {
			t.Error("the roll call does not show Amina excused")
		}
		// The future: enrolled at the desk (a series: every session to
		// come), and the roll call is refused, with a clear message.
		fp := fmt.Sprintf("/admin/sessions/%d", future[0].ID)
		page = c.Get(fp)
		if !strings.Contains(page.Body, esc(nl.T("admin.courses.roll_not_open"))) || strings.Contains(page.Body, `name="mark"`) {
			t.Fatal("a future session offers a roll call")
		}
		if r := c.Post(fp+"/members", webtest.Form("code", amina.Card.CheckCode, "walkin", "0")); r.Status != 303 {
			t.Fatalf("enrol in the future: %d", r.Status)
		}
		for _, s := range future {
			for _, mk := range []string{"present", "absent", "excused"} {
				r := mark(s, amina, mk)
				if r.Status != 409 || !strings.Contains(r.Body, esc(nl.T("admin.courses.err.not_started"))) {
					t.Fatalf("roll call in the future (%s): %d", mk, r.Status)
				}
			}
		}
		c.Get(fp)
		if r := c.Post(fp+"/members", webtest.Form("code", jan.Card.CheckCode, "walkin", "1")); r.Status != 409 {
			t.Fatalf("a walk-in in the future: %d", r.Status)
		}
		for _, s := range future {
			for _, e := range must(st.SessionEnrolments(ctx, s.ID))(t) {
				if e.AttendedAt != nil || e.ExcusedAt != nil {
					t.Fatalf("a future session has a roll: %+v", e)
				}
			}
		}
		// The review shows it: Amina's two absences in a row.
		review := c.Get(fmt.Sprintf("/admin/attendance?course=%d&from=%s&to=%s", courseID, first.Format(time.DateOnly), now.In(loc).AddDate(0, 0, 30).Format(time.DateOnly)))
		if review.Status != 200 || strings.Count(review.Body, `<td class="cell absent run"`) != 2 || !strings.Contains(review.Body, esc(nl.T("admin.attendance.flag", "Count", 2))) {
			t.Fatalf("review: %d, %d absences in a row", review.Status, strings.Count(review.Body, `<td class="cell absent run"`))
		}
		if ids := webtest.MessageIDs(review.Body); len(ids) > 0 {
			t.Fatalf("untranslated: %v", ids)
		}
		// A team note, staff only.
		c.Get("/admin/attendance")
		if r := c.Post(coursePath+"/notes", webtest.Form("member", fmt.Sprint(amina.ID), "note", "Bellen: twee keer afwezig <b>")); r.Status != 303 {
			t.Fatalf("note: %d", r.Status)
		}
		if r := c.Post(coursePath+"/notes", webtest.Form("member", "999999", "note", "x")); r.Status != 404 {
			t.Fatalf("a note about nobody: %d", r.Status)
		}
		review = c.Get(fmt.Sprintf("/admin/attendance?course=%d&period=month", courseID))
		if review.Status != 200 {
			t.Fatalf("this month: %d", review.Status)
		}
		all := c.Get(fmt.Sprintf("/admin/attendance?from=%s&to=%s", first.Format(time.DateOnly), now.In(loc).Format(time.DateOnly)))
		if !strings.Contains(all.Body, "Bellen: twee keer afwezig &lt;b&gt;") {
			t.Fatal("the note does not show, escaped")
		}
		if r := c.Get("/admin/attendance?from=2026-02-30&to=x"); r.Status != 400 {
			t.Fatalf("bad period: %d", r.Status)
		}
		if r := c.Get("/admin/attendance.doc"); r.Status != 404 {
			t.Fatalf("unknown format: %d", r.Status)
		}
	})
}

// Acceptance 2: the attendance grid for last quarter shows the demo
// participants with their absences in a row; it prints and exports.
func TestDemoAttendanceReview(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		nl := nlCatalog(t)
		res, err := st.SeedDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		app := webtest.NewApp(t, func(app *fiber.App, w *web.Web) {
			admin.Mount(app, st, w, admin.Options{LoginPerMinute: 30, Log: quiet})
		})
		var login store.DemoLogin
		for _, l := range res.Logins {
			if l.Role == store.RoleFacilitator {
				login = l
			}
		}
		c := webtest.NewClient(t, app)
		c.Lang = "nl-BE"
		c.Get("/admin/login")
		if r := c.Post("/admin/login", webtest.Form("email", login.Email, "password", login.Password)); r.Status != 303 {
			t.Fatalf("sign in: %d", r.Status)
		}
		page := c.Get("/admin/attendance?period=quarter")
		if page.Status != 200 {
			t.Fatalf("last quarter: %d", page.Status)
		}
		for _, want := range []string{"Nederlands oefenen", "Marie", "Олена", "Ayaan", "Mariam", "cell absent run", "cell excused", "cell present",
			html.EscapeString(nl.T("admin.attendance.last_quarter"))} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the grid lacks %q", want)
			}
		}
		// Marie and Олена miss sessions in a row, whatever the day.
		for _, who := range []string{"Marie", "Олена"} {
			row := regexp.MustCompile(`(?s)<tr class="flagged">\s*<th scope="row">` + who + `[ <]`).FindString(page.Body)
			if row == "" {
				t.Errorf("%s is not flagged for absences in a row", who)
			}
		}
		if ids := webtest.MessageIDs(page.Body); len(ids) > 0 {
			t.Fatalf("untranslated: %v", ids)
		}
		// It prints: landscape A4, every participant, the legend.
		pdf := c.Get("/admin/attendance.pdf?period=quarter")
		if pdf.Status != 200 || !strings.HasPrefix(pdf.Body, "%PDF") {
			t.Fatalf("pdf: %d", pdf.Status)
		}
		if !strings.Contains(pdf.Body, "/MediaBox [0 0 841.89 595.28]") && !regexp.MustCompile(`/MediaBox \[0 0 841\.[0-9]+ 595\.[0-9]+\]`).MatchString(pdf.Body) {
			t.Error("the printout is not landscape A4")
		}
		text := pdfText(t, []byte(pdf.Body))
		for _, want := range []string{nl.T("admin.attendance.title"), "Nederlands oefenen", "Marie", "Олена", "Ayaan", nl.T("admin.attendance.cell.absent")} {
			if !strings.Contains(text, want) {
				t.Errorf("the printout lacks %q:\n%s", want, text)
			}
		}
		// It exports: the XLSX read back.
		x := c.Get("/admin/attendance.xlsx?period=quarter")
		if x.Status != 200 {
			t.Fatalf("xlsx: %d", x.Status)
		}
		book, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := book.GetRows(book.GetSheetName(0))
		if err != nil || len(rows) < 20 {
			t.Fatalf("xlsx rows: %d, %v", len(rows), err)
		}
		if rows[0][2] != nl.T("admin.attendance.participant") {
			t.Errorf("xlsx header: %v", rows[0])
		}
		runs := map[string]int{}
		for _, r := range rows[1:] {
			if len(r) > 6 && r[5] == nl.T("admin.attendance.cell.absent") && r[6] == nl.T("admin.attendance.yes") {
				runs[r[2]]++
			}
		}
		if runs["Marie"] < 2 || runs["Олена"] < 2 {
			t.Errorf("xlsx: absences in a row %v", runs)
		}
		csv := c.Get("/admin/attendance.csv?period=quarter")
		if csv.Status != 200 || !strings.Contains(csv.Body, "Marie;") {
			t.Fatalf("csv: %d", csv.Status)
		}
	})
}
