package admin

import (
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

// dossierDoc translates a dossier into the partner's language (nl or fr).
// Its counts go through store.MaskCounts: no count from 1 to 4 shows, nor
// can be worked out from the total.
func dossierDoc(l *web.Loc, d *store.Dossier, org string) printing.DossierDoc {
	doc := printing.DossierDoc{Title: d.Theme.Title, Subtitle: fmt.Sprintf("%s · %s %s – %s", org, l.T("admin.dossier.period"), orDash(d.From), orDash(d.To)),
		Note: l.T("admin.dossier.masked_note")}
	// Each split adds up to the same total: they are masked together.
	total, splits := store.MaskCounts(d.Reports, []store.Breakdown{breakdown(d.ByDomain, false), breakdown(d.ByProblem, false),
		breakdown(d.ByLevel, false), breakdown(d.ByMonth, true)})
	doc.Sections = append(doc.Sections,
		printing.DossierSection{Heading: l.T("admin.dossier.reports"), Lines: []string{reportsLine(l, d.Reports, total)}},
		splitSection(l, l.T("admin.thresholds.domain"), "kiosk.report.domain.", splits[0]),
		splitSection(l, l.T("admin.thresholds.problem"), "kiosk.report.problem.", splits[1]),
		splitSection(l, l.T("admin.thresholds.level"), "admin.thresholds.level.", splits[2]),
		splitSection(l, l.T("admin.dossier.per_month"), "", splits[3]))
	sol := printing.DossierSection{Heading: l.T("admin.thresholds.solutions")}
	for _, s := range d.Solutions {
		sol.Lines = append(sol.Lines, fmt.Sprintf("%s · %s (%s) · %s", s.TriedOn, s.What, store.Masked(s.People), l.T("admin.thresholds.result."+s.Result)))
	}
	doc.Sections = append(doc.Sections, sol)
	q := printing.DossierSection{Heading: l.T("admin.dossier.quotes"), Quotes: true}
	for _, x := range d.Quotes {
		q.Lines = append(q.Lines, x.Text)
	}
	doc.Sections = append(doc.Sections, q)
	return doc
}

// breakdown is a count per key as a split of the total, largest first
// or (byKey, for months) in key order.
func breakdown(m map[string]int, byKey bool) store.Breakdown {
	b := store.Breakdown{ByKey: byKey}
	for k, n := range m {
		b.Parts = append(b.Parts, store.Part{Key: k, N: n})
	}
	return b
}

// reportsLine says how many reports, masked.
func reportsLine(l *web.Loc, n int, masked string) string {
	if masked == fmt.Sprint(n) {
		return l.N("admin.thresholds.count", n)
	}
	return l.T("admin.dossier.reports_masked", "Count", masked)
}

// splitSection is a heading with a masked split's lines, "label: count".
func splitSection(l *web.Loc, heading, prefix string, b store.MaskedBreakdown) printing.DossierSection {
	s := printing.DossierSection{Heading: heading}
	if b.Withheld {
		s.Lines = []string{l.T("admin.dossier.too_few")}
		return s
	}
	for _, line := range b.Lines {
		label := line.Key
		if prefix != "" {
			label = l.T(prefix + line.Key)
		}
		s.Lines = append(s.Lines, fmt.Sprintf("%s: %s", label, line.Count))
	}
	return s
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
		return sendPDF(c, "drempel-dossier.pdf", func(w io.Writer) error { return printing.WriteDossierPDF(w, doc) })
	}
	return a.w.Render(c, fiber.StatusOK, "admin/dossier", a.view(c, map[string]any{"Doc": doc, "Base": base, "Lang": lang,
		"From": c.Query("from"), "To": c.Query("to")}))
}
