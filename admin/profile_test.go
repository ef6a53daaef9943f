package admin_test

import (
	"encoding/json"
	"html"
	"strconv"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// The optional profile at the desk: the form asks it with "not answered"
// chosen and says why; a member registers with an age band and "prefer
// not to say" for gender, and the member page, what we hold (page, file
// and the PDF in the member's language) show it; the edit form comes
// back with the answers chosen and changes them; an answer not offered
// is the form again with its message and what was typed; an erase
// clears it.
func TestMemberProfileAtTheDesk(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		nl := nlLoc(t)
		esc := func(id string, args ...any) string { return html.EscapeString(nl.T(id, args...)) }
		c := f.signIn(t, store.RoleStaff)

		form := c.Get("/admin/members/new")
		for _, want := range []string{esc("field.age_band"), esc("field.gender"), esc("admin.member.profile_why"),
			`<input type="radio" name="age_band" value="" checked`, `<input type="radio" name="gender" value="" checked`,
			esc("admin.member.not_answered"), esc("admin.profile.age_band.55_plus"), esc("admin.profile.gender.non_binary")} {
			if !strings.Contains(form.Body, want) {
				t.Errorf("the new member form lacks %q", want)
			}
		}
		for _, k := range append(append([]string(nil), store.AgeBands...), store.Genders...) {
			if !strings.Contains(form.Body, `value="`+k+`"`) {
				t.Errorf("the form does not offer %q", k)
			}
		}

		// An answer not offered: the form again, its message, the typed nickname.
		bad := c.Post("/admin/members", webtest.Form("nickname", "Typ-Mij", "lang", "uk", "age_band", "42", "gender", "woman"))
		if bad.Status != 422 || !strings.Contains(bad.Body, esc("error.bad_choice", "Field", nl.T("field.age_band"))) ||
			!strings.Contains(bad.Body, `value="Typ-Mij"`) || !strings.Contains(bad.Body, `value="woman" checked`) {
			t.Fatalf("an age band not offered: %d, want 422 with the message and the input kept\n%s", bad.Status, bad.Body)
		}
		if page, _ := st.SearchMembers(ctx, firstSite(t, st), "", 10, 0); page.Total != 0 {
			t.Fatalf("a refused form stored %d members", page.Total)
		}

		r := c.Post("/admin/members", webtest.Form("nickname", "Olena", "lang", "uk", "age_band", "30_54", "gender", store.Undisclosed))
		if r.Status != 303 {
			t.Fatalf("register with a profile: %d\n%s", r.Status, r.Body)
		}
		id := strings.TrimPrefix(r.Location, "/admin/members/")
		m := must(st.Member(ctx, mustInt(t, id)))(t)
		if m.AgeBand != "30_54" || m.Gender != store.Undisclosed {
			t.Fatalf("stored %q %q", m.AgeBand, m.Gender)
		}
		page := c.Get(r.Location)
		if !strings.Contains(page.Body, esc("admin.profile.age_band.30_54")) || !strings.Contains(page.Body, esc("admin.profile.gender.undisclosed")) {
			t.Errorf("the member page does not show the profile\n%s", page.Body)
		}

		// What we hold: the page, the file, the PDF in the member's language.
		data := c.Get("/admin/members/" + id + "/data")
		if !strings.Contains(data.Body, esc("admin.profile.age_band.30_54")) || !strings.Contains(data.Body, esc("admin.profile.gender.undisclosed")) {
			t.Errorf("what we hold does not show the profile")
		}
		var file struct{ Member store.MemberProfile }
		if r := c.Get("/admin/members/" + id + "/data.json"); json.Unmarshal([]byte(r.Body), &file) != nil ||
			file.Member.AgeBand != "30_54" || file.Member.Gender != store.Undisclosed {
			t.Errorf("the file's member: %+v", file.Member)
		}
		x, err := web.NewI18n(nil)
		if err != nil {
			t.Fatal(err)
		}
		uk := x.Loc("uk", "nl")
		text := pdfText(t, []byte(c.Get("/admin/members/"+id+"/data.pdf").Body))
		for _, id := range []string{"receipt.record.age_band", "receipt.record.age_band.30_54", "receipt.record.gender", "receipt.record.gender.undisclosed"} {
			if !strings.Contains(text, uk.T(id)) {
				t.Errorf("%s (%q) not in the PDF", id, uk.T(id))
			}
		}

		// The edit form comes back with the answers chosen; they change.
		edit := c.Get("/admin/members/" + id + "/edit")
		if !strings.Contains(edit.Body, `value="30_54" checked`) || !strings.Contains(edit.Body, `value="undisclosed" checked`) {
			t.Errorf("the edit form lost the answers")
		}
		if r := c.Post("/admin/members/"+id+"/edit", webtest.Form("nickname", "Olena K", "lang", "uk", "gender", "Vrouw")); r.Status != 422 ||
			!strings.Contains(r.Body, esc("error.bad_choice", "Field", nl.T("field.gender"))) || !strings.Contains(r.Body, `value="Olena K"`) {
			t.Fatalf("a gender not offered: %d", r.Status)
		}
		if got := must(st.Member(ctx, m.ID))(t); got.Nickname != "Olena" || got.Gender != store.Undisclosed {
			t.Fatalf("a refused edit changed the member: %+v", got)
		}
		if r := c.Post("/admin/members/"+id+"/edit", webtest.Form("nickname", "Olena", "lang", "uk", "age_band", "55_plus", "gender", "woman")); r.Status != 303 {
			t.Fatalf("edit: %d", r.Status)
		}
		if got := must(st.Member(ctx, m.ID))(t); got.AgeBand != "55_plus" || got.Gender != "woman" {
			t.Fatalf("after the edit: %q %q", got.AgeBand, got.Gender)
		}
		page = c.Get("/admin/members/" + id)
		if !strings.Contains(page.Body, esc("admin.profile.age_band.55_plus")) || !strings.Contains(page.Body, esc("admin.profile.gender.woman")) {
			t.Errorf("the member page after the edit")
		}
		// Answered "not answered": nothing is kept, and nothing shown.
		if r := c.Post("/admin/members/"+id+"/edit", webtest.Form("nickname", "Olena", "lang", "uk", "age_band", "", "gender", "woman")); r.Status != 303 {
			t.Fatalf("edit: %d", r.Status)
		}
		if got := must(st.Member(ctx, m.ID))(t); got.AgeBand != "" {
			t.Fatalf("not answered kept %q", got.AgeBand)
		}
		if page := c.Get("/admin/members/" + id); strings.Contains(page.Body, `id="age-band"`) {
			t.Error("the member page shows an age band never given")
		}

		// The erase takes the profile with it.
		c.Get("/admin/members/" + id + "/erase")
		if r := c.Post("/admin/members/"+id+"/erase", webtest.Form("confirm", "yes")); r.Status != 303 {
			t.Fatalf("erase: %d", r.Status)
		}
		var left store.Member
		if err := st.R.Take(&left, m.ID).Error; err != nil || left.AgeBand != "" || left.Gender != "" {
			t.Errorf("after the erase: %q %q %v", left.AgeBand, left.Gender, err)
		}
	})
}

// Every answer the store offers has its words: at the desk (nl, fr, en)
// and on the record a member takes home, in every language.
func TestProfileAnswersHaveWords(t *testing.T) {
	x, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range web.Languages {
		l := x.Loc(lang.Code, lang.Code)
		ids := []string{"error.bad_choice", "receipt.record.age_band", "receipt.record.gender"}
		for _, k := range store.AgeBands {
			ids = append(ids, "receipt.record.age_band."+k)
			if lang.Code == "nl" || lang.Code == "fr" || lang.Code == "en" {
				ids = append(ids, "admin.profile.age_band."+k)
			}
		}
		for _, k := range store.Genders {
			ids = append(ids, "receipt.record.gender."+k)
			if lang.Code == "nl" || lang.Code == "fr" || lang.Code == "en" {
				ids = append(ids, "admin.profile.gender."+k)
			}
		}
		for _, id := range ids {
			if !l.Has(id) || l.T(id) == id {
				t.Errorf("%s: no words for %s", lang.Code, id)
			}
		}
	}
}

// The profile is as personal as a phone number: a coordinator, who
// reaches no member's page, never sees it.
func TestCoordinatorSeesNoProfile(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Stil", Lang: "nl", AgeBand: "under_18", Gender: "non_binary", SiteID: firstSite(t, st)}))(t)
		c := f.signIn(t, store.RoleCoordinator)
		id := strconv.FormatInt(m.ID, 10)
		for _, p := range []string{"/admin/members/" + id, "/admin/members/" + id + "/edit", "/admin/members/" + id + "/data", "/admin/members/" + id + "/data.json"} {
			if r := c.Get(p); r.Status != 403 || strings.Contains(r.Body, html.EscapeString(nlLoc(t).T("admin.profile.gender.non_binary"))) {
				t.Errorf("coordinator GET %s: %d, want 403 without the profile", p, r.Status)
			}
		}
	})
}
