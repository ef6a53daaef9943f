package admin

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

func optionalID(s string) *int64 {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return &id
	}
	return nil
}

func (a *Admin) thresholdsInbox(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	f := store.ThresholdFilter{From: c.Query("from"), To: c.Query("to"), Domain: c.Query("domain"), Problem: c.Query("problem"),
		Lang: c.Query("lang"), Help: c.Query("help") == "1", Status: c.Query("status")}
	if id := optionalID(c.Query("org")); id != nil {
		f.OrganisationID = *id
	}
	rows, byDomain, byProblem, err := a.st.Thresholds(ctx, site.ID, f)
	if err != nil {
		return err
	}
	orgs, err := a.st.Organisations(ctx, site.ID)
	if err != nil {
		return err
	}
	v := a.view(c, nil)
	months := map[string]int{}
	orgName := map[int64]string{}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	byOrg := map[string]int{}
	for _, r := range rows {
		if r.OrganisationID != nil && orgName[*r.OrganisationID] != "" {
			byOrg[orgName[*r.OrganisationID]]++
		}
		if len(r.Day) >= 7 {
			months[r.Day[:7]]++
		}
	}
	v.Data = map[string]any{
		"Rows": rows, "F": f, "Orgs": orgs, "Domains": store.ThresholdDomains, "Problems": store.ThresholdProblems,
		"DomainBars":  bars(byDomain, func(k string) string { return v.L.T("kiosk.report.domain." + k) }, true),
		"ProblemBars": bars(byProblem, func(k string) string { return v.L.T("kiosk.report.problem." + k) }, true),
		"MonthBars":   bars(months, func(k string) string { return k }, false),
		"OrgBars":     bars(byOrg, func(k string) string { return k }, true),
	}
	return a.w.Render(c, fiber.StatusOK, "admin/thresholds", v)
}

func (a *Admin) thresholdShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t, err := load(c, a.st.Threshold)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	themes, err := a.st.Themes(ctx, site.ID)
	if err != nil {
		return err
	}
	orgs, err := a.st.Organisations(ctx, site.ID)
	if err != nil {
		return err
	}
	var nick string
	if t.MemberID != nil {
		if m, err := a.st.Member(ctx, *t.MemberID); err == nil {
			nick = m.Nickname
		}
	}
	_, _, verr := a.st.VoiceNote(ctx, t.ID)
	return a.w.Render(c, fiber.StatusOK, "admin/threshold", a.view(c, map[string]any{
		"T": t, "Nickname": nick, "Voice": verr == nil, "Themes": themes, "Orgs": orgs, "Domains": store.ThresholdDomains,
		"Problems": store.ThresholdProblems, "Levels": store.ThresholdLevels,
	}))
}

func (a *Admin) thresholdTriage(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	in := store.TriageInput{Domain: c.FormValue("domain"), Problem: c.FormValue("problem"), Level: c.FormValue("level"),
		OrganisationID: optionalID(c.FormValue("org")), ThemeID: optionalID(c.FormValue("theme")), DuplicateOf: optionalID(c.FormValue("duplicate"))}
	for _, ref := range []struct {
		k  store.Kind
		id *int64
	}{{store.KindOrganisation, in.OrganisationID}, {store.KindTheme, in.ThemeID}, {store.KindThreshold, in.DuplicateOf}} {
		if ok, err := a.ownRef(c, ref.k, ref.id); err != nil {
			return err
		} else if !ok {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.triage")
		}
	}
	err = a.st.Triage(c.UserContext(), id, in)
	if errors.Is(err, store.ErrInvalid) {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.triage")
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/thresholds?status=new", fiber.StatusSeeOther)
}

func (a *Admin) thresholdHelped(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.st.MarkHelped(c.UserContext(), id); err != nil {
		return err
	}
	a.flash(c, "admin.thresholds.helped")
	return c.Redirect(safeBack(c.FormValue("back"), "/admin"), fiber.StatusSeeOther)
}

func (a *Admin) themesList(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	themes, err := a.st.Themes(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"Themes": themes})
	byStatus := map[string]int{}
	for _, t := range themes {
		byStatus[t.Status]++
	}
	v.Data.(map[string]any)["StatusBars"] = bars(byStatus, func(k string) string { return v.L.T("admin.thresholds.theme_status." + k) }, true)
	if title := c.Query("title"); title != "" {
		v.Form["title"] = title
		similar, err := a.st.SimilarThemes(c.UserContext(), site.ID, title)
		if err != nil {
			return err
		}
		v.Data.(map[string]any)["Similar"] = similar
		v.Data.(map[string]any)["Checked"] = true
	}
	return a.w.Render(c, fiber.StatusOK, "admin/themes", v)
}

func themeInput(c *fiber.Ctx) store.ThemeInput {
	return store.ThemeInput{Title: c.FormValue("title"), Description: c.FormValue("description"), Status: c.FormValue("status"),
		CloseReason: c.FormValue("close_reason"), FollowUpOn: c.FormValue("follow_up_on"), CourseID: optionalID(c.FormValue("course"))}
}

func (a *Admin) themeSave(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	var err error
	var id int64
	if c.Params("id") != "" {
		if id, err = idParam(c); err != nil {
			return err
		}
	}
	in := themeInput(c)
	if ok, err := a.ownRef(c, store.KindCourse, in.CourseID); err != nil {
		return err
	} else if !ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "error.bad_request")
	}
	t, err := a.st.SaveTheme(c.UserContext(), id, site.ID, in)
	if fe, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err."+fe.Field)
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	if id == 0 {
		id = t.ID
	}
	return c.Redirect(fmt.Sprintf("/admin/themes/%d", id), fiber.StatusSeeOther)
}

func (a *Admin) themeShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t, err := load(c, a.st.Theme)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	rows, byDomain, byProblem, err := a.st.Thresholds(ctx, site.ID, store.ThresholdFilter{ThemeID: t.ID})
	if err != nil {
		return err
	}
	sols, err := a.st.Solutions(ctx, t.ID)
	if err != nil {
		return err
	}
	courses, err := a.st.Courses(ctx, site.ID)
	if err != nil {
		return err
	}
	quotes, err := a.st.Quotes(ctx, t.ID)
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"T": t, "Rows": rows, "ByDomain": byDomain, "ByProblem": byProblem, "Solutions": sols, "Quotes": quotes,
		"Statuses": store.ThemeStatuses, "Courses": courses, "Today": a.st.Now().In(site.Location()).Format("2006-01-02")})
	v.Form = map[string]string{"title": t.Title, "description": t.Description, "status": t.Status, "close_reason": t.CloseReason, "follow_up_on": t.FollowUpOn}
	if t.CourseID != nil {
		v.Form["course"] = strconv.FormatInt(*t.CourseID, 10)
	}
	return a.w.Render(c, fiber.StatusOK, "admin/theme", v)
}

func (a *Admin) solutionAdd(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := a.st.Theme(c.UserContext(), id); err != nil {
		return err
	}
	people, _ := strconv.Atoi(c.FormValue("people"))
	err = a.st.AddSolution(c.UserContext(), id, c.FormValue("what"), c.FormValue("tried_on"), people, c.FormValue("result"), currentUser(c).ID)
	if fe, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err."+fe.Field)
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/themes/%d", id), fiber.StatusSeeOther)
}

func (a *Admin) organisations(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	if c.Method() == fiber.MethodPost {
		if _, err := a.st.AddOrganisation(c.UserContext(), site.ID, c.FormValue("name"), "building"); err != nil {
			if _, ok := store.AsFieldError(err); ok {
				return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.name")
			}
			return err
		}
		a.flash(c, "admin.members.saved")
		return c.Redirect("/admin/organisations", fiber.StatusSeeOther)
	}
	orgs, err := a.st.Organisations(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/organisations", a.view(c, map[string]any{"Orgs": orgs, "Pictograms": store.OrganisationPictograms}))
}

// bar is one line of a server-drawn bar chart.
type bar struct {
	Label          string
	Count, Percent int
}

// bars turns counts into chart lines, largest first (or by key, for
// months), each as a share of the largest.
func bars(m map[string]int, label func(string) string, bySize bool) []bar {
	keys := make([]string, 0, len(m))
	top := 0
	for k, n := range m {
		keys = append(keys, k)
		top = max(top, n)
	}
	sort.Slice(keys, func(i, j int) bool {
		if bySize && m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]bar, len(keys))
	for i, k := range keys {
		out[i] = bar{Label: label(k), Count: m[k], Percent: m[k] * 100 / max(top, 1)}
	}
	return out
}

// thresholdNew lets the desk record a threshold for a visitor, who may
// ask for a follow-up (then their check code links the report to them).
func (a *Admin) thresholdNew(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	orgs, err := a.st.Organisations(ctx, site.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Orgs": orgs, "Domains": store.ThresholdDomains, "Problems": store.ThresholdProblems, "Langs": web.Languages}
	if c.Method() == fiber.MethodGet {
		v := a.view(c, data)
		v.Form["lang"], _ = c.Locals("lang").(string)
		return a.w.Render(c, fiber.StatusOK, "admin/threshold_new", v)
	}
	by := currentUser(c).ID
	in := store.ReportInput{SiteID: site.ID, Domain: c.FormValue("domain"), Problem: c.FormValue("problem"), Text: c.FormValue("text"),
		Lang: c.FormValue("lang"), OrganisationID: optionalID(c.FormValue("org")), Source: "desk", RecordedBy: &by}
	v := a.view(c, data)
	v.Form = map[string]string{"domain": in.Domain, "problem": in.Problem, "text": in.Text, "lang": in.Lang, "code": c.FormValue("code")}
	if c.FormValue("help") == "yes" {
		m, err := a.st.MemberByCheckCode(ctx, c.FormValue("code"))
		if err != nil {
			v.Error = v.L.T("admin.courses.err.no_such_code")
			return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/threshold_new", v)
		}
		in.MemberID, in.WantsHelp = &m.ID, true
	}
	if ok, err := a.ownRef(c, store.KindOrganisation, in.OrganisationID); err != nil {
		return err
	} else if !ok {
		v.Error = v.L.T("error.bad_request") // another site's organisation
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/threshold_new", v)
	}
	if _, err := a.st.ReportThreshold(ctx, in); err != nil {
		if formError(v, err) {
			return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/threshold_new", v)
		}
		return err
	}
	a.flash(c, "admin.thresholds.recorded")
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

// thresholdVoice plays a report's voice note, for facilitators only.
func (a *Admin) thresholdVoice(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	data, typ, err := a.st.VoiceNote(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, typ)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(data)
}

// organisationLogo takes an uploaded PNG or JPEG logo, or a pictogram.
func (a *Admin) organisationLook(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if p := c.FormValue("pictogram"); p != "" {
		err = a.st.SetOrganisationPictogram(c.UserContext(), id, p)
	} else {
		fh, ferr := c.FormFile("logo")
		if ferr != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.logo")
		}
		if fh.Size > store.MaxLogo {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.logo")
		}
		f, ferr := fh.Open()
		if ferr != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.logo")
		}
		data, rerr := io.ReadAll(io.LimitReader(f, store.MaxLogo+1))
		f.Close()
		if rerr != nil {
			return rerr
		}
		err = a.st.SetOrganisationLogo(c.UserContext(), id, data)
	}
	if _, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.logo")
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/organisations", fiber.StatusSeeOther)
}
