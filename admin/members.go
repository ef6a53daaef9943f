package admin

import (
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/devices"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

const membersPerPage = 50

func (a *Admin) membersList(c *fiber.Ctx) error {
	q := c.Query("q")
	if len(q) > 100 {
		q = q[:100]
	}
	pageNo, _ := strconv.Atoi(c.Query("page"))
	if pageNo < 1 {
		pageNo = 1
	}
	page, err := a.st.SearchMembers(c.UserContext(), web.SiteOf(c).ID, q, membersPerPage, (pageNo-1)*membersPerPage)
	if err != nil {
		return err
	}
	link := func(n int) string {
		return "/admin/members?" + url.Values{"q": {q}, "page": {strconv.Itoa(n)}}.Encode()
	}
	data := map[string]any{"Q": q, "Page": page}
	if pageNo > 1 {
		data["Prev"], data["Pager"] = link(pageNo-1), true
	}
	if int64(pageNo*membersPerPage) < page.Total {
		data["Next"], data["Pager"] = link(pageNo+1), true
	}
	return a.w.Render(c, fiber.StatusOK, "admin/members", a.view(c, data))
}

// memberFormData is what the member form offers: the languages, and the
// answers to the optional profile questions, each also "not answered"
// ("") first.
func memberFormData(id int64) map[string]any {
	return map[string]any{"ID": id, "Languages": web.Languages,
		"AgeBands": append([]string{""}, store.AgeBands...), "Genders": append([]string{""}, store.Genders...)}
}

func (a *Admin) memberNew(c *fiber.Ctx) error {
	v := a.view(c, memberFormData(0))
	v.Form["lang"], _ = c.Locals("lang").(string)
	return a.w.Render(c, fiber.StatusOK, "admin/member_form", v)
}

func memberInput(c *fiber.Ctx) (store.MemberInput, map[string]string) {
	in := store.MemberInput{
		Nickname: c.FormValue("nickname"), Lang: c.FormValue("lang"), Phone: c.FormValue("phone"),
		Email: c.FormValue("email"), Note: c.FormValue("note"), AgeBand: c.FormValue("age_band"), Gender: c.FormValue("gender"),
	}
	return in, memberForm(in)
}

// memberForm is the member form's fields, as typed or as held.
func memberForm(in store.MemberInput) map[string]string {
	return map[string]string{"nickname": in.Nickname, "lang": in.Lang, "phone": in.Phone, "email": in.Email, "note": in.Note,
		"age_band": in.AgeBand, "gender": in.Gender}
}

// checkLang refuses a language Drempel does not offer, before the store
// sees it.
func checkLang(code string) error {
	if _, ok := web.LookupLanguage(code); !ok && code != "" {
		return &store.FieldError{Field: "lang", Code: "bad_lang"}
	}
	return nil
}

func (a *Admin) memberCreate(c *fiber.Ctx) error {
	in, form := memberInput(c)
	in.SiteID = web.SiteOf(c).ID // the member is this site's organisation's
	err := checkLang(in.Lang)
	var m *store.Member
	if err == nil {
		m, err = a.st.CreateMember(c.UserContext(), in)
	}
	if err != nil {
		v := a.view(c, memberFormData(0))
		v.Form = form
		if formError(v, err) {
			return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/member_form", v)
		}
		return err
	}
	if err := a.audit(c, store.AuditCreate, m.ID); err != nil {
		return err
	}
	a.flash(c, "admin.members.created")
	return c.Redirect(fmt.Sprintf("/admin/members/%d", m.ID), fiber.StatusSeeOther)
}

func (a *Admin) loadMember(c *fiber.Ctx) (*store.Member, error) { return load(c, a.st.Member) }

// memberShow is a member's page. The member is the organisation's, but
// what they did is the site's where it happened: the page shows it per
// site side by side, for the sites this staff member may see, and the
// details (with what can be changed) of the current site.
func (a *Admin) memberShow(c *fiber.Ctx) error {
	m, err := a.loadMember(c)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	if err := a.audit(c, store.AuditView, m.ID); err != nil {
		return err
	}
	perSite, err := a.memberPerSite(c, m.ID)
	if err != nil {
		return err
	}
	visits, err := a.st.MemberVisits(c.UserContext(), m.ID, site.ID, 100)
	if err != nil {
		return err
	}
	bookings, err := a.st.UpcomingBookingsAt(c.UserContext(), m.ID, site.ID)
	if err != nil {
		return err
	}
	noShows, err := a.st.NoShows(c.UserContext(), m.ID, site.ID)
	if err != nil {
		return err
	}
	slots, err := a.st.BookableSlots(c.UserContext(), site)
	if err != nil {
		return err
	}
	upcoming, err := a.st.UpcomingEnrolmentsAt(c.UserContext(), m.ID, site.ID)
	if err != nil {
		return err
	}
	attendance, err := a.st.MemberAttendance(c.UserContext(), m.ID, site.ID)
	if err != nil {
		return err
	}
	came := 0
	for _, e := range attendance {
		if e.AttendedAt != nil {
			came++
		}
	}
	// Loans are staff business: facilitators never reach this page.
	loans, err := a.st.MemberLoanHistory(c.UserContext(), m.ID, site.ID)
	if err != nil {
		return err
	}
	receipt := ""
	if r := c.Query("receipt"); r != "" && len(devices.ParseIDs(r)) > 0 {
		receipt = devices.JoinIDs(devices.ParseIDs(r))
	}
	return a.w.Render(c, fiber.StatusOK, "admin/member", a.view(c, map[string]any{
		"M": m, "Visits": visits, "Bookings": bookings, "NoShows": noShows, "Slots": slots,
		"Enrolments": upcoming, "Attendance": attendance, "Came": came, "Loans": loans, "Receipt": receipt, "Now": a.st.Now(),
		"PerSite": perSite,
	}))
}

// memberPerSite is the member's activity at each site this staff member
// may see where there was any (the current site always): nothing when
// they see one site only, where the page's details say it all.
func (a *Admin) memberPerSite(c *fiber.Ctx, memberID int64) ([]store.SiteActivity, error) {
	sites, err := a.st.UserSites(c.UserContext(), currentUser(c).ID)
	if err != nil || len(sites) < 2 {
		return nil, err
	}
	all, err := a.st.MemberActivity(c.UserContext(), memberID, sites)
	if err != nil {
		return nil, err
	}
	here := web.SiteOf(c).ID
	var out []store.SiteActivity
	for _, act := range all {
		if act.EverThere || act.Site.ID == here {
			out = append(out, act)
		}
	}
	if len(out) < 2 {
		return nil, nil
	}
	return out, nil
}

func (a *Admin) memberEdit(c *fiber.Ctx) error {
	m, err := a.loadMember(c)
	if err != nil {
		return err
	}
	v := a.view(c, memberFormData(m.ID))
	v.Form = memberForm(store.MemberInput{Nickname: m.Nickname, Lang: m.Lang, Phone: m.Phone, Email: m.Email, Note: m.Note,
		AgeBand: m.AgeBand, Gender: m.Gender})
	return a.w.Render(c, fiber.StatusOK, "admin/member_form", v)
}

func (a *Admin) memberUpdate(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	in, form := memberInput(c)
	err = checkLang(in.Lang)
	if err == nil {
		err = a.st.UpdateMember(c.UserContext(), id, in)
	}
	if err != nil {
		v := a.view(c, memberFormData(id))
		v.Form = form
		if formError(v, err) {
			return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/member_form", v)
		}
		return err
	}
	if err := a.audit(c, store.AuditEdit, id); err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/members/%d", id), fiber.StatusSeeOther)
}

func (a *Admin) memberReissue(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "error.confirm_reissue")
	}
	if _, err := a.st.ReissueCard(c.UserContext(), id); err != nil {
		return err
	}
	if err := a.audit(c, store.AuditReissue, id); err != nil {
		return err
	}
	a.flash(c, "admin.card.reissued")
	return c.Redirect(fmt.Sprintf("/admin/members/%d", id), fiber.StatusSeeOther)
}

// memberCardPDF prints a member's card. The database holds only a hash
// of each card's token, so a card is printed when it is issued: printing
// issues a new card, and the one printed before stops working.
func (a *Admin) memberCardPDF(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	layout := printing.Single
	if c.FormValue("sheet") == "a4" {
		layout = printing.SheetA4
	}
	return a.writeCards(c, []int64{id}, layout)
}

// cardsPDF prints new cards for the members ticked in the list, on an A4
// sheet unless sheet=single.
func (a *Admin) cardsPDF(c *fiber.Ctx) error {
	var ids []int64
	for _, raw := range c.Context().PostArgs().PeekMulti("id") {
		id, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || id <= 0 {
			return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return fiber.NewError(fiber.StatusBadRequest, "error.no_members_selected")
	}
	if len(ids) > 500 {
		return fiber.NewError(fiber.StatusBadRequest, "error.too_many_cards")
	}
	layout := printing.SheetA4
	if c.FormValue("sheet") == "single" {
		layout = printing.Single
	}
	return a.writeCards(c, ids, layout)
}

// writeCards issues a new card to each member seen at this site among ids
// and prints them; none at all is a 404.
func (a *Admin) writeCards(c *fiber.Ctx, ids []int64, layout printing.Layout) error {
	ctx := c.UserContext()
	members, err := a.st.MembersByIDs(ctx, web.SiteOf(c).ID, ids)
	if err != nil {
		return err
	}
	// A card carries the name of the organisation its member belongs to.
	orgs := map[int64]string{}
	var faces []printing.CardFace
	for _, m := range members {
		card, err := a.st.ReissueCard(ctx, m.ID)
		if err != nil {
			return err
		}
		org, ok := orgs[m.SiteID]
		if !ok {
			op, err := a.st.OperatorOfSite(ctx, m.SiteID)
			if err != nil {
				return err
			}
			org, orgs[m.SiteID] = op.Name, op.Name
		}
		faces = append(faces, printing.CardFace{Token: card.Token, CheckCode: card.CheckCode, Nickname: m.Nickname, OrgName: org})
		if err := a.audit(c, store.AuditCard, m.ID); err != nil {
			return err
		}
	}
	if len(faces) == 0 {
		return fiber.ErrNotFound
	}
	return sendPDF(c, "drempel-cards.pdf", func(w io.Writer) error { return printing.WriteCardsPDF(w, faces, layout) })
}
