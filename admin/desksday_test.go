package admin_test

// The desk's day: today's visitors by nickname and time, for admins and
// staff only, in the site's time zone; and a member found by phone.

import (
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
)

func TestDesksDayVisitors(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		x, err := web.NewI18n(nil)
		if err != nil {
			t.Fatal(err)
		}
		// The site is in Tokyo: times and the day are Tokyo's.
		site := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
		if err := st.UpdateSite(ctx, site.ID, store.SiteInput{Name: "Antwerpen", TimeZone: "Asia/Tokyo"}); err != nil {
			t.Fatal(err)
		}
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		nl := x.LocIn("nl", "nl", tokyo)
		site.TimeZone = "Asia/Tokyo"
		realNow := time.Now
		defer st.SetClock(realNow)
		// 23:30 UTC is 08:30 the next morning in Tokyo (and 00:30 in Brussels).
		base := time.Date(realNow().Year(), realNow().Month(), realNow().Day(), 23, 30, 0, 0, time.UTC).AddDate(0, 0, -1)
		var ids []int64
		for i, nick := range []string{"Ayşe <b>", "Jan", "Олена"} {
			m := must(st.CreateMember(ctx, store.MemberInput{Nickname: nick, Lang: "nl", SiteID: site.ID}))(t)
			ids = append(ids, m.ID)
			at := base.Add(time.Duration(i) * 17 * time.Minute)
			st.SetClock(func() time.Time { return at })
			if _, _, err := st.CheckIn(ctx, m.ID, site); err != nil {
				t.Fatal(err)
			}
		}
		st.SetClock(func() time.Time { return base.Add(2 * time.Hour) })

		for _, role := range []store.Role{store.RoleAdmin, store.RoleStaff} {
			r := f.signIn(t, role).Get("/admin")
			if r.Status != 200 {
				t.Fatalf("%s dashboard: %d", role, r.Status)
			}
			body := html.UnescapeString(r.Body)
			if !strings.Contains(body, nl.T("admin.dashboard.visitors")) || !strings.Contains(body, nl.T("admin.dashboard.visitor_time")) {
				t.Errorf("%s: the dashboard has no list of today's visitors", role)
			}
			if strings.Contains(r.Body, "Ayşe <b>") || !strings.Contains(r.Body, "Ayşe &lt;b&gt;") {
				t.Errorf("%s: a nickname is not shown as text", role)
			}
			// Newest first, each at its time in Tokyo, with a link to the member.
			last := -1
			for i := len(ids) - 1; i >= 0; i-- {
				at := base.Add(time.Duration(i) * 17 * time.Minute)
				row := fmt.Sprintf(`>%s</time></td><td><a href="/admin/members/%d">`, nl.Time(at), ids[i])
				pos := strings.Index(r.Body, row)
				if pos < 0 {
					t.Errorf("%s: no row at %s (Tokyo) for member %d", role, nl.Time(at), ids[i])
					continue
				}
				if pos < last {
					t.Errorf("%s: the visitors are not newest first", role)
				}
				last = pos
			}
			if !strings.Contains(r.Body, ">08:30</time>") {
				t.Errorf("%s: the first visit is not at 08:30 Tokyo time", role)
			}
			if strings.Contains(r.Body, `id="visitors-more"`) {
				t.Errorf("%s: says some visitors are left out", role)
			}
		}
		// Facilitators and coordinators see how many, and when; not who.
		for _, role := range []store.Role{store.RoleFacilitator, store.RoleCoordinator} {
			r := f.signIn(t, role).Get("/admin")
			if r.Status != 200 || !strings.Contains(r.Body, `id="checkins-today">3<`) || !strings.Contains(r.Body, ">08:30<") {
				t.Errorf("%s: the dashboard does not count today's check-ins (%d)", role, r.Status)
			}
			if strings.Contains(r.Body, "Jan") || strings.Contains(r.Body, "Олена") || strings.Contains(r.Body, nl.T("admin.dashboard.visitors")) {
				t.Errorf("%s: the dashboard names today's visitors", role)
			}
		}
		// A busy day: the newest 200, and how many in all.
		for i := range 200 {
			m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Drukte " + strconv.Itoa(i), Lang: "nl", SiteID: site.ID}))(t)
			at := base.Add(time.Hour + time.Duration(i)*time.Second)
			st.SetClock(func() time.Time { return at })
			if _, _, err := st.CheckIn(ctx, m.ID, site); err != nil {
				t.Fatal(err)
			}
		}
		r := f.signIn(t, store.RoleStaff).Get("/admin")
		if n := strings.Count(r.Body, `</time></td><td><a href="/admin/members/`); n != 200 {
			t.Errorf("a busy day lists %d visitors, want 200", n)
		}
		if want := nl.T("admin.dashboard.visitors_more", "Shown", 200, "Total", 203); !strings.Contains(html.UnescapeString(r.Body), want) {
			t.Errorf("a busy day does not say %q", want)
		}
		if !strings.Contains(r.Body, "Drukte 199<") || strings.Contains(r.Body, "Олена") {
			t.Error("a busy day does not show the newest visitors")
		}
	})
}

// Staff type a phone number in the members search, written any way.
func TestMemberSearchByPhone(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		nl := nlLoc(t)
		site := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
		other := must(st.CreateSite(ctx, store.SiteInput{Name: "Elders", OperatorName: "Andere vzw"}))(t)
		m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Telefoonlid", Lang: "nl", SiteID: site.ID, Phone: "+32 475 12 34 56"}))(t)
		must(st.CreateMember(ctx, store.MemberInput{Nickname: "Anderlid", Lang: "nl", SiteID: other.ID, Phone: "0475 12 34 56"}))(t)
		c := f.signIn(t, store.RoleStaff)
		list := c.Get("/admin/members")
		if !strings.Contains(html.UnescapeString(list.Body), nl.T("admin.members.search")) {
			t.Fatal("the members page has no search")
		}
		for _, q := range []string{"0475/12.34.56", "0475 12 34 56", "+32 475 12 34 56", "0032475123456"} {
			r := c.Get("/admin/members?q=" + url.QueryEscape(q))
			if r.Status != 200 || !strings.Contains(r.Body, fmt.Sprintf(`/admin/members/%d"`, m.ID)) {
				t.Errorf("search %q: %d, the member is not found", q, r.Status)
			}
			if strings.Contains(r.Body, "Anderlid") {
				t.Errorf("search %q finds a member of another organisation", q)
			}
		}
		if r := c.Get("/admin/members?q=0477+00+00+00"); !strings.Contains(html.UnescapeString(r.Body), nl.T("admin.members.none_found")) {
			t.Error("another number finds someone")
		}
	})
}
