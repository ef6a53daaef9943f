package admin_test

import (
	"errors"
	"html"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/devices"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// Two organisations on one server: the first runs site A, "Andere vzw"
// runs site C. A's staff find nothing of C's member by any road (the
// list, the page, a PDF, a check code, a card at the lending desk), and
// change nothing of theirs; once both admins agreed to share members,
// they do; once either withdraws, they no longer do.
func TestOrganisationsKeepTheirWalls(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		nl := nlLoc(t)
		siteA := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
		if err := st.SetUserSites(ctx, userID(t, st, "staff@test.be"), []int64{siteA.ID}); err != nil {
			t.Fatal(err)
		}

		// The network admin adds site C for a new organisation, by the form.
		adm := f.signIn(t, store.RoleAdmin)
		adm.Get("/admin/sites")
		if r := adm.Post("/admin/sites", webtest.Form("name", "Gent", "timezone", "Europe/Brussels", "operator", "0", "operator_name", "Andere vzw")); r.Status != 303 {
			t.Fatalf("add a site for a new organisation: %d", r.Status)
		}
		sites := must(st.Sites(ctx))(t)
		siteC := sites[len(sites)-1]
		if siteC.Name != "Gent" || siteC.OperatorID == siteA.OperatorID {
			t.Fatalf("site C %+v should have its own organisation, A's is %d", siteC, siteA.OperatorID)
		}
		if r := adm.Get("/admin/sites"); !strings.Contains(r.Body, "Andere vzw") || !strings.Contains(r.Body, html.EscapeString(nl.T("admin.sharing.none"))) {
			t.Fatal("the sites page names neither the new organisation nor that nothing is shared")
		}

		m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Muurlid-C", Lang: "nl", Phone: "0470 00 00 00", SiteID: siteC.ID}))(t)
		id := strconv.FormatInt(m.ID, 10)
		course := must(st.SaveCourse(ctx, 0, siteA.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
			Texts: map[string]store.CourseText{"nl": {Name: "Cursus A"}}}))(t)
		start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		sess := must(st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(time.Hour), Seats: 5}))(t)
		sessPath := "/admin/sessions/" + strconv.FormatInt(sess.ID, 10)

		staff := f.signIn(t, store.RoleStaff)
		walled := func(when string) {
			t.Helper()
			for _, path := range []string{"/admin/members/" + id, "/admin/members/" + id + "/edit", "/admin/members/" + id + "/data"} {
				if r := staff.Get(path); r.Status != 404 || strings.Contains(r.Body, "Muurlid-C") {
					t.Errorf("%s: A's staff GET %s: %d", when, path, r.Status)
				}
			}
			if r := staff.Get("/admin/members?q=Muurlid"); strings.Contains(r.Body, "Muurlid-C") {
				t.Errorf("%s: A's member search finds C's member", when)
			}
			if r := staff.Get("/admin/members?q=" + m.Card.CheckCode); strings.Contains(r.Body, "Muurlid-C") {
				t.Errorf("%s: A's member search by check code finds C's member", when)
			}
			staff.Get("/admin/members/new")
			for path, form := range map[string][]string{
				"/admin/members/" + id + "/edit":     {"nickname", "Hacked", "lang", "nl"},
				"/admin/members/" + id + "/reissue":  {"confirm", "yes"},
				"/admin/members/" + id + "/book":     {"start", "1"},
				"/admin/members/" + id + "/card.pdf": nil,
				"/admin/members/" + id + "/erase":    {"confirm", "yes"},
				"/admin/cards.pdf":                   {"id", id},
			} {
				if r := staff.Post(path, webtest.Form(form...)); r.Status != 404 {
					t.Errorf("%s: A's staff POST %s: %d", when, path, r.Status)
				}
			}
			if got := must(st.Member(ctx, m.ID))(t); got.Nickname != "Muurlid-C" || got.ErasedAt != nil || got.Card.ID != m.Card.ID {
				t.Fatalf("%s: A's staff changed C's member: %+v", when, got)
			}
			staff.Get(sessPath)
			if r := staff.Post(sessPath+"/members", webtest.Form("code", m.Card.CheckCode, "walkin", "0")); r.Status != 422 {
				t.Errorf("%s: C's check code at A's course: %d", when, r.Status)
			}
			staff.Get("/admin/lend")
			staff.Post("/admin/lend/scan", webtest.Form("scan", m.Card.Token))
			if r := staff.Get("/admin/lend"); strings.Contains(r.Body, "Muurlid-C") {
				t.Errorf("%s: C's card at A's lending desk", when)
			}
			if _, err := st.CardByToken(ctx, m.Card.Token, siteA.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: C's card resolves at A: %v", when, err)
			}
		}
		walled("before any agreement")

		// A's admin agrees: one consent is not enough.
		share := func(agree string) {
			t.Helper()
			adm.Get("/admin/sites")
			r := adm.Post("/admin/sharing", webtest.Form("with", strconv.FormatInt(siteC.OperatorID, 10), "agree", agree))
			if r.Status != 303 {
				t.Fatalf("sharing %s: %d", agree, r.Status)
			}
		}
		share("yes")
		if r := adm.Get("/admin/sites"); !strings.Contains(r.Body, html.EscapeString(nl.T("admin.sharing.waiting", "Org", "Andere vzw"))) {
			t.Error("after A's consent the sites page does not say it waits for the other organisation")
		}
		walled("with A's consent only")

		// C's admin (the network admin working at C) agrees too.
		adm.Get("/admin/sites")
		if r := adm.Post("/admin/site", webtest.Form("site", strconv.FormatInt(siteC.ID, 10), "back", "/admin/sites")); r.Status != 303 {
			t.Fatalf("switch to C: %d", r.Status)
		}
		first := must(st.OperatorOfSite(ctx, siteA.ID))(t)
		if r := adm.Get("/admin/sites"); !strings.Contains(r.Body, html.EscapeString(nl.T("admin.sharing.asked", "Org", first.Name))) {
			t.Error("at C the sites page does not say A agreed and waits")
		}
		adm.Get("/admin/sites")
		if r := adm.Post("/admin/sharing", webtest.Form("with", strconv.FormatInt(siteA.OperatorID, 10), "agree", "yes")); r.Status != 303 {
			t.Fatalf("C agrees: %d", r.Status)
		}
		if r := staff.Get("/admin/members/" + id); r.Status != 200 || !strings.Contains(r.Body, "Muurlid-C") {
			t.Fatalf("shared, A's staff open C's member: %d", r.Status)
		}
		if r := staff.Get("/admin/members?q=Muurlid"); !strings.Contains(r.Body, "Muurlid-C") {
			t.Error("shared, A's search does not find C's member")
		}
		if _, err := st.CardByToken(ctx, m.Card.Token, siteA.ID); err != nil {
			t.Errorf("shared, C's card does not work at A: %v", err)
		}

		// C withdraws: the walls are up again at once.
		adm.Get("/admin/sites")
		if r := adm.Post("/admin/sharing", webtest.Form("with", strconv.FormatInt(siteA.OperatorID, 10), "agree", "no")); r.Status != 303 {
			t.Fatalf("C withdraws: %d", r.Status)
		}
		walled("after C withdrew")

		// Nonsense is a 404, never a 500.
		adm.Get("/admin/sites")
		for _, with := range []string{"abc", "999999"} {
			if r := adm.Post("/admin/sharing", webtest.Form("with", with, "agree", "yes")); r.Status != 404 {
				t.Errorf("sharing with %q: %d", with, r.Status)
			}
		}
	})
}

// A member page, for staff of two sites, shows what the member did at
// each side by side: A's and B's visits, bookings, courses and loans.
func TestMemberPageShowsEachSite(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		nl := nlLoc(t)
		siteA := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
		siteB := must(st.CreateSite(ctx, store.SiteInput{Name: "Borgerhout"}))(t)
		must(st.CreateSite(ctx, store.SiteInput{Name: "Nooit-Bezocht"}))(t)
		staffID := userID(t, st, "staff@test.be")
		m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Reiziger", Lang: "nl", SiteID: siteA.ID}))(t)
		realNow := time.Now
		defer st.SetClock(realNow)
		for d := 1; d <= 3; d++ { // three days at B, one at A
			st.SetClock(func() time.Time { return realNow().AddDate(0, 0, -d) })
			checkIn(t, st, m.ID, siteB)
		}
		st.SetClock(realNow)
		checkIn(t, st, m.ID, siteA)
		dev := must(st.AddDevices(ctx, siteB.ID, store.DeviceInput{Type: store.Laptop, Make: "M", Model: "X"}, 1, staffID))(t)[0]
		must(devices.NewDesk(st).Lend(ctx, siteB, store.LendInput{MemberID: m.ID, DeviceIDs: []int64{dev.ID}, TermsAccepted: true, By: staffID}))(t)

		// With one site, the page has no per-site table.
		if err := st.SetUserSites(ctx, staffID, []int64{siteA.ID}); err != nil {
			t.Fatal(err)
		}
		c := f.signIn(t, store.RoleStaff)
		path := "/admin/members/" + strconv.FormatInt(m.ID, 10)
		if r := c.Get(path); r.Status != 200 || strings.Contains(r.Body, `id="per-site"`) || strings.Contains(r.Body, "Borgerhout") {
			t.Fatalf("staff of A only: %d, per-site table or B's name shown", r.Status)
		}

		// With A and B: both columns, B's three visits and one loan, A's
		// one visit; the site never visited is left out.
		if err := st.SetUserSites(ctx, staffID, []int64{siteA.ID, siteB.ID, siteB.ID + 1}); err != nil {
			t.Fatal(err)
		}
		r := c.Get(path)
		i := strings.Index(r.Body, `id="per-site"`)
		if r.Status != 200 || i < 0 {
			t.Fatalf("staff of A and B: %d, no per-site table", r.Status)
		}
		table := r.Body[i:]
		table = table[:strings.Index(table, "</section>")]
		if !strings.Contains(table, "Antwerpen") || !strings.Contains(table, "Borgerhout") || strings.Contains(table, "Nooit-Bezocht") {
			t.Fatalf("per-site columns wrong:\n%s", table)
		}
		row := func(key string) string {
			t.Helper()
			th := `<th scope="row">` + html.EscapeString(nl.T(key)) + `</th>`
			j := strings.Index(table, th)
			if j < 0 {
				t.Fatalf("no row %q", key)
			}
			rest := table[j+len(th):]
			return strings.Join(strings.Fields(rest[:strings.Index(rest, "</tr>")]), "")
		}
		if got := row("admin.members.visits_count"); got != "<td>1</td><td>3</td>" {
			t.Errorf("visits per site: %s", got)
		}
		if got := row("admin.members.loans_count"); got != "<td>0</td><td>1</td>" {
			t.Errorf("loans per site: %s", got)
		}
	})
}

func checkIn(t *testing.T, st *store.Store, memberID int64, site *store.Site) {
	t.Helper()
	if _, _, err := st.CheckIn(ctx, memberID, site); err != nil {
		t.Fatal(err)
	}
}
