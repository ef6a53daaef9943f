package kiosk

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// The threshold report: five steps of pictograms, from the idle screen
// (anonymous) or after check-in. The choices travel in the URL until the
// free text, which is posted, so no text stays in the browser history.

// choice is one tile of a report step.
type choice = web.Tile

func (k *Kiosk) reportDomains(c *fiber.Ctx) error {
	v := k.view(c, nil)
	var tiles []choice
	for _, d := range store.ThresholdDomains {
		tiles = append(tiles, choice{Key: d, Icon: "d-" + d, Say: v.L.Say("kiosk.report.domain." + d), Href: "/kiosk/report/" + d})
	}
	v.Data = map[string]any{"Step": 1, "Q": v.L.Say("kiosk.report.q_domain"), "Tiles": tiles, "Back": k.startPage(c)}
	return k.w.Render(c, fiber.StatusOK, "kiosk/report_step", v)
}

func validStep(c *fiber.Ctx) (string, string, error) {
	d, p := c.Params("domain"), c.Params("problem")
	ok := false
	for _, x := range store.ThresholdDomains {
		ok = ok || x == d
	}
	if !ok {
		return "", "", fiber.ErrNotFound
	}
	if p == "" {
		return d, "", nil
	}
	ok = false
	for _, x := range store.ThresholdProblems {
		ok = ok || x == p
	}
	if !ok {
		return "", "", fiber.ErrNotFound
	}
	return d, p, nil
}

func (k *Kiosk) reportProblems(c *fiber.Ctx) error {
	d, _, err := validStep(c)
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	var tiles []choice
	for _, p := range store.ThresholdProblems {
		tiles = append(tiles, choice{Key: p, Icon: "p-" + p, Say: v.L.Say("kiosk.report.problem." + p), Href: "/kiosk/report/" + d + "/" + p})
	}
	v.Data = map[string]any{"Step": 2, "Q": v.L.Say("kiosk.report.q_problem"), "Tiles": tiles, "Back": "/kiosk/report"}
	return k.w.Render(c, fiber.StatusOK, "kiosk/report_step", v)
}

// reportOrganisation asks which service it was, when the facilitators
// keep a list; otherwise it goes straight to the words.
func (k *Kiosk) reportOrganisation(c *fiber.Ctx) error {
	d, p, err := validStep(c)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	orgs, err := k.st.Organisations(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	base := "/kiosk/report/" + d + "/" + p + "/"
	if len(orgs) == 0 {
		return c.Redirect(base+"0", fiber.StatusSeeOther)
	}
	v := k.view(c, nil)
	var tiles []choice
	for _, o := range orgs {
		id := strconv.FormatInt(o.ID, 10)
		t := choice{Key: id, Icon: o.Pictogram, Say: v.L.SayText("org."+id, o.Name), Href: base + id}
		if o.HasLogo {
			t.Logo = "/kiosk/org-logo/" + id
		}
		tiles = append(tiles, t)
	}
	tiles = append(tiles, choice{Key: "0", Icon: "skip", Say: v.L.Say("kiosk.report.skip"), Href: base + "0"})
	v.Data = map[string]any{"Step": 3, "Q": v.L.Say("kiosk.report.q_org"), "Tiles": tiles, "Back": "/kiosk/report/" + d}
	return k.w.Render(c, fiber.StatusOK, "kiosk/report_step", v)
}

// reportWords offers a few words by keyboard, or nothing.
func (k *Kiosk) reportWords(c *fiber.Ctx) error {
	d, p, err := validStep(c)
	if err != nil {
		return err
	}
	org, err := strconv.ParseInt(c.Params("org"), 10, 64)
	if err != nil || org < 0 {
		return fiber.ErrNotFound
	}
	v := k.view(c, map[string]any{"Step": 4, "Domain": d, "Problem": p, "Org": org, "Back": "/kiosk/report/" + d + "/" + p})
	return k.w.Render(c, fiber.StatusOK, "kiosk/report_words", v)
}

// reportSubmit saves the report at once, anonymous, with the words and the
// voice note if any: a visitor who walks away now loses nothing. A visitor
// who checked in is then asked whether they want help. It answers with a
// redirect, to the help question or the thanks (post/redirect/get).
func (k *Kiosk) reportSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := k.view(c, nil)
	site := web.SiteOf(c)
	in := store.ReportInput{SiteID: site.ID, Domain: c.FormValue("domain"), Problem: c.FormValue("problem"), Text: c.FormValue("text"),
		Lang: v.L.Lang.Code, Source: "kiosk"}
	if org, err := strconv.ParseInt(c.FormValue("org"), 10, 64); err == nil && org > 0 {
		orgs, err := k.st.Organisations(ctx, site.ID)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.ID == org {
				in.OrganisationID = &o.ID
			}
		}
	}
	skip := c.FormValue("skip") == "1"
	if skip {
		in.Text = ""
	}
	// dropped: the visitor recorded a voice note that is not kept (too
	// long, or the voice notes together reached their cap). The report
	// is kept all the same, and the visitor is told.
	dropped := false
	if fh, err := c.FormFile("voice"); err == nil && fh.Size > 0 && !skip {
		if fh.Size > store.MaxVoice {
			dropped = true
		} else {
			f, err := fh.Open()
			if err != nil {
				return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
			}
			in.Voice, err = io.ReadAll(io.LimitReader(f, store.MaxVoice+1))
			f.Close()
			if err != nil {
				return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
			}
			in.VoiceType = strings.SplitN(fh.Header.Get("Content-Type"), ";", 2)[0]
		}
	}
	t, err := k.st.ReportThreshold(ctx, in)
	if fe, ok := store.AsFieldError(err); ok && fe.Field == "voice" {
		// A voice note the store does not take (its kind): keep the words.
		in.Voice, in.VoiceType, dropped = nil, "", true
		t, err = k.st.ReportThreshold(ctx, in)
	}
	if fe, ok := store.AsFieldError(err); ok {
		if fe.Field == "text" {
			return k.showNote(c, note{Error: "kiosk.report.too_long", Back: "/kiosk/report", Status: fiber.StatusUnprocessableEntity})
		}
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	if err != nil {
		return err
	}
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	sess.Set("voice_dropped", dropped || t.VoiceDropped)
	if sess.Get("member") == nil {
		sess.Set("thanks", "anon")
		if err := sess.Save(); err != nil {
			return err
		}
		return c.Redirect("/kiosk/report/thanks", fiber.StatusSeeOther)
	}
	// The report's id stays on the server, with this visitor's session:
	// a form field could name someone else's report.
	sess.Set("report", t.ID)
	sess.Delete("thanks")
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect("/kiosk/report/help", fiber.StatusSeeOther)
}

// reportAnswer takes "yes, help me" (the report is linked to the member)
// or "no" (it stays anonymous).
func (k *Kiosk) reportAnswer(c *fiber.Ctx) error {
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	member, _ := sess.Get("member").(int64)
	report, _ := sess.Get("report").(int64)
	if member == 0 || report == 0 {
		// Answered already (Back, a second tap), or nobody is checked in.
		sess.Delete("report")
		if err := sess.Save(); err != nil {
			return err
		}
		return c.Redirect(k.startPage(c), fiber.StatusSeeOther)
	}
	help := c.FormValue("help") == "yes"
	if help {
		if err := k.st.AskHelp(c.UserContext(), report, member); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// The report joins the help queue: the visitor gets a number,
		// which the thanks screen offers to show (helpMine).
		lang, _ := c.Locals("lang").(string)
		t, err := k.st.AskForHelp(c.UserContext(), store.HelpInput{SiteID: web.SiteOf(c).ID, Subject: "online",
			Lang: lang, MemberID: &member, ThresholdID: &report})
		if err != nil {
			return err
		}
		sess.Set("help_ticket", t.Token)
	}
	sess.Delete("report")
	sess.Set("thanks", map[bool]string{true: "help", false: "nohelp"}[help])
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect("/kiosk/report/thanks", fiber.StatusSeeOther)
}

// orgLogo serves an organisation's logo for the report tiles.
func (k *Kiosk) orgLogo(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	data, typ, err := k.st.OrganisationLogo(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, typ)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(data)
}
