package admin

import (
	"fmt"
	"sort"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

// dossierDoc translates a dossier into the partner's language (nl or fr).
func dossierDoc(l *web.Loc, d *store.Dossier, org string) printing.DossierDoc {
	doc := printing.DossierDoc{Title: d.Theme.Title, Subtitle: fmt.Sprintf("%s · %s %s – %s", org, l.T("admin.dossier.period"), orDash(d.From), orDash(d.To))}
	counts := func(heading, prefix string, m map[string]int) printing.DossierSection {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || (m[keys[i]] == m[keys[j]] && keys[i] < keys[j]) })
		s := printing.DossierSection{Heading: heading}
		for _, k := range keys {
			label := k
			if prefix != "" {
				label = l.T(prefix + k)
			}
			s.Lines = append(s.Lines, fmt.Sprintf("%s: %d", label, m[k]))
		}
		return s
	}
	doc.Sections = append(doc.Sections,
		printing.DossierSection{Heading: l.T("admin.dossier.reports"), Lines: []string{l.N("admin.thresholds.count", d.Reports)}},
		counts(l.T("admin.thresholds.domain"), "kiosk.report.domain.", d.ByDomain),
		counts(l.T("admin.thresholds.problem"), "kiosk.report.problem.", d.ByProblem),
		counts(l.T("admin.thresholds.level"), "admin.thresholds.level.", d.ByLevel),
		counts(l.T("admin.dossier.per_month"), "", d.ByMonth))
	sol := printing.DossierSection{Heading: l.T("admin.thresholds.solutions")}
	for _, s := range d.Solutions {
		sol.Lines = append(sol.Lines, fmt.Sprintf("%s · %s (%d) · %s", s.TriedOn, s.What, s.People, l.T("admin.thresholds.result."+s.Result)))
	}
	doc.Sections = append(doc.Sections, sol)
	q := printing.DossierSection{Heading: l.T("admin.dossier.quotes"), Quotes: true}
	for _, x := range d.Quotes {
		q.Lines = append(q.Lines, x.Text)
	}
	doc.Sections = append(doc.Sections, q)
	return doc
}

func orDash(s string) string {
	if s == "" {
		return "…"
	}
	return s
}

// dossier shows or prints (PDF) a theme's partner dossier, in Dutch or
// French (?lang=), for a period (?from=&to=).
func (a *Admin) dossier(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var d *store.Dossier
	base := fmt.Sprintf("/admin/themes/%d/dossier", id)
	if c.Route().Path == "/admin/organisations/:id/dossier" || c.Route().Path == "/admin/organisations/:id/dossier.:format" {
		d, err = a.st.OrganisationDossier(ctx, id, c.Query("from"), c.Query("to"))
		base = fmt.Sprintf("/admin/organisations/%d/dossier", id)
	} else {
		d, err = a.st.ThemeDossier(ctx, id, c.Query("from"), c.Query("to"))
	}
	if err != nil {
		return err
	}
	lang := c.Query("lang", "nl")
	if lang != "nl" && lang != "fr" {
		lang = "nl"
	}
	org, _ := a.st.Setting(ctx, store.SettingOrgName)
	doc := dossierDoc(a.w.I18n.Loc(lang, "nl"), d, org)
	if c.Params("format") == "pdf" {
		c.Set(fiber.HeaderContentType, "application/pdf")
		c.Set(fiber.HeaderContentDisposition, `inline; filename="drempel-dossier.pdf"`)
		return printing.WriteDossierPDF(c.Response().BodyWriter(), doc)
	}
	return a.w.Render(c, fiber.StatusOK, "admin/dossier", a.view(c, map[string]any{"Doc": doc, "Base": base, "Lang": lang,
		"From": c.Query("from"), "To": c.Query("to")}))
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
