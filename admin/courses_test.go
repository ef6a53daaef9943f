package admin_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCoursesSessionsRollCall(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		c := f.signIn(t, store.RoleFacilitator)
		c.Get("/admin/courses/new")
		if r := c.Post("/admin/courses", webtest.Form("kind", "open", "pictogram", "laptop")); r.Status != 422 {
			t.Fatalf("course without a name: %d", r.Status)
		}
		if r := c.Post("/admin/courses", webtest.Form("kind", "weekly", "pictogram", "laptop", "name_nl", "X")); r.Status != 422 {
			t.Fatalf("unknown kind: %d", r.Status)
		}
		r := c.Post("/admin/courses", webtest.Form("kind", "open", "pictogram", "laptop", "name_nl", "Computerwerkplaats <b>",
			"name_ar", "ورشة الحاسوب", "description_nl", "E-mail, documenten, een cv"))
		if r.Status != 303 {
			t.Fatalf("create course: %d\n%s", r.Status, r.Body)
		}
		coursePath := r.Location
		page := c.Get(coursePath)
		if !strings.Contains(page.Body, "Computerwerkplaats &lt;b&gt;") {
			t.Fatal("course name not shown as text")
		}
		site, _ := st.EnsureSite(ctx, "Test", "Europe/Brussels") // the first site
		day := st.Now().In(site.Location()).AddDate(0, 0, 3).Format(time.DateOnly)
		if r := c.Post(coursePath+"/sessions", webtest.Form("date", day, "start", "14:00", "end", "13:00", "seats", "1")); r.Status != 422 || !strings.Contains(r.Body, "na het begin") {
			t.Fatalf("end before start: %d", r.Status)
		}
		if r := c.Post(coursePath+"/sessions", webtest.Form("date", "nope", "start", "14:00", "end", "16:00", "seats", "1")); r.Status != 422 {
			t.Fatalf("bad date: %d", r.Status)
		}
		if r := c.Post(coursePath+"/sessions", webtest.Form("date", day, "start", "14:00", "end", "16:00", "seats", "1", "place", "Zaal 1")); r.Status != 303 {
			t.Fatalf("add session: %d", r.Status)
		}
		page = c.Get(coursePath)
		m := regexp.MustCompile(`/admin/sessions/([0-9]+)`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no session link")
		}
		sessPath := "/admin/sessions/" + m[1]
		a, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Amina", Lang: "ar"})
		b, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Jan", Lang: "nl"})
		c.Get(sessPath)
		if r := c.Post(sessPath+"/members", webtest.Form("code", "ZZZZZZ", "walkin", "0")); r.Status != 422 {
			t.Fatalf("unknown code: %d", r.Status)
		}
		for _, mem := range []*store.Member{a, b} {
			if r := c.Post(sessPath+"/members", webtest.Form("code", strings.ToLower(mem.Card.CheckCode), "walkin", "0")); r.Status != 303 {
				t.Fatalf("enrol %s: %d", mem.Nickname, r.Status)
			}
		}
		sp := c.Get(sessPath)
		if !strings.Contains(sp.Body, `<span class="roll-name">Amina</span>`) || !strings.Contains(sp.Body, "<li>Jan") {
			t.Fatalf("Amina enrolled, Jan waiting:\n%s", sp.Body)
		}
		// The session is in three days: no roll call yet.
		rows, _ := st.SessionEnrolments(ctx, mustID(t, m[1]))
		eid := fmt.Sprint(rows[0].ID)
		if r := c.Post(sessPath+"/attend", webtest.Form("enrolment", eid, "present", "1")); r.Status != 409 {
			t.Fatalf("roll call in the future: %d", r.Status)
		}
		if sp := c.Get(sessPath); strings.Contains(sp.Body, "✓ Amina") {
			t.Fatal("Amina marked present in the future")
		}
		if r := c.Post("/admin/sessions/999999/attend", webtest.Form("enrolment", eid, "present", "1")); r.Status != 404 {
			t.Fatalf("attend on another session: %d", r.Status)
		}
		// Two seats: Jan moves up and is on the dashboard.
		c.Get(sessPath)
		if r := c.Post(sessPath+"/edit", webtest.Form("date", day, "start", "14:00", "end", "16:00", "seats", "2")); r.Status != 303 {
			t.Fatalf("more seats: %d", r.Status)
		}
		if d := c.Get("/admin"); !strings.Contains(d.Body, "Jan →") {
			t.Fatal("the dashboard does not show who moved up")
		}
		// Back to one seat: asks first, and names who is affected.
		c.Get(sessPath)
		r = c.Post(sessPath+"/edit", webtest.Form("date", day, "start", "14:00", "end", "16:00", "seats", "1"))
		if r.Status != 409 || !strings.Contains(r.Body, "<li>Jan</li>") {
			t.Fatalf("fewer seats: %d\n%s", r.Status, r.Body)
		}
		if r := c.Post(sessPath+"/edit", webtest.Form("date", day, "start", "14:00", "end", "16:00", "seats", "1", "confirm", "yes")); r.Status != 303 {
			t.Fatalf("confirmed fewer seats: %d", r.Status)
		}
		// Delete: the confirmation names everyone.
		c.Get(sessPath)
		r = c.Post(sessPath+"/delete", nil)
		if r.Status != 200 || !strings.Contains(r.Body, "<li>Amina</li>") || !strings.Contains(r.Body, "<li>Jan</li>") {
			t.Fatalf("delete confirmation: %d", r.Status)
		}
		if r := c.Post(sessPath+"/delete", webtest.Form("confirm", "yes")); r.Status != 303 {
			t.Fatalf("delete: %d", r.Status)
		}
		if r := c.Get(sessPath); r.Status != 404 {
			t.Fatalf("deleted session: %d", r.Status)
		}
		if r := c.Get(fmt.Sprintf("/admin/courses/%d", 999999)); r.Status != 404 {
			t.Fatalf("unknown course: %d", r.Status)
		}
		if ids := webtest.MessageIDs(c.Get(coursePath).Body); len(ids) > 0 {
			t.Fatalf("untranslated: %v", ids)
		}
	})
}
