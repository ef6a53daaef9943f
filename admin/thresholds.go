package admin

import (
	"errors"
	"fmt"
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
	quotes, err := a.st.ReportQuotes(ctx, t.ID)
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/threshold", a.view(c, map[string]any{
		"T": t, "Nickname": nick, "Voice": verr == nil, "Themes": themes, "Orgs": orgs, "Domains": store.ThresholdDomains,
		"Problems": store.ThresholdProblems, "Levels": store.ThresholdLevels, "Quotes": quotes,
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
		m, err := a.st.MemberByCheckCode(ctx, c.FormValue("code"), web.SiteOf(c).ID)
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

// thresholdsExport is the anonymous export of a period's reports, as CSV
// or XLSX: how many there are, in all and split as a dossier splits them
// (and per organisation, theme and language), masked as a dossier is
// (store.MaskCounts), then the quotes a facilitator approved from those
// reports. No report is a line of its own, no visitor's own words, no
// member, no day: a list of reports can be counted by anyone, which would
// undo the masking.
func (a *Admin) thresholdsExport(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	from, to := c.Query("from"), c.Query("to")
	d, err := a.st.ThresholdSummary(ctx, site.ID, from, to)
	if err != nil {
		return err
	}
	themes, err := a.st.Themes(ctx, site.ID)
	if err != nil {
		return err
	}
	title := map[int64]string{}
	for _, t := range themes {
		title[t.ID] = t.Title
	}
	l := a.view(c, nil).L
	splits := []struct {
		part   string
		prefix string // of the catalog key that names an item
		b      store.Breakdown
	}{
		{"month", "", breakdown(d.ByMonth, true)},
		{"domain", "kiosk.report.domain.", breakdown(d.ByDomain, false)},
		{"problem", "kiosk.report.problem.", breakdown(d.ByProblem, false)},
		{"level", "admin.thresholds.level.", breakdown(d.ByLevel, false)},
		{"organisation", "", breakdown(d.ByOrganisation, false)},
		{"theme", "", breakdown(d.ByTheme, false)},
		{"lang", "", breakdown(d.ByLang, false)},
	}
	lists := make([]store.Breakdown, len(splits))
	for i, s := range splits {
		lists[i] = s.b
	}
	total, masked := store.MaskCounts(d.Reports, lists)
	t := web.Table{{"part", "item", "reports", "words"},
		{"period", fmt.Sprintf("%s – %s", orDash(from), orDash(to)), "", ""},
		{"total", "", total, ""}}
	for i, s := range splits {
		if masked[i].Withheld {
			t = append(t, []string{s.part, l.T("admin.dossier.too_few"), "", ""})
			continue
		}
		for _, line := range masked[i].Lines {
			item := line.Key
			if s.prefix != "" {
				item = l.T(s.prefix + line.Key)
			}
			t = append(t, []string{s.part, item, line.Count, ""})
		}
	}
	for _, q := range d.Quotes {
		t = append(t, []string{"words", title[q.ThemeID], "", q.Text})
	}
	return a.export(c, "drempel-thresholds", c.Params("format"), t)
}
