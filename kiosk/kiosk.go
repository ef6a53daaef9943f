// Package kiosk owns the visitor-facing touch screen: the idle screen with
// its language choice, the card scan (USB scanner or camera), the check-in
// and the greeting, and the reset that leaves no trace of a visitor.
package kiosk

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // camera frames
	_ "image/png"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// Options configure the kiosk.
type Options struct {
	// Idle is how long the kiosk waits for a touch before it counts down
	// to a reset (default 60 s).
	Idle time.Duration
	// Quiet turns off playing each screen's question when it opens.
	Quiet bool
	Log   *slog.Logger
}

// Kiosk serves /kiosk.
type Kiosk struct {
	st   *store.Store
	w    *web.Web
	opts Options
	lim  *limits // per-kiosk limits and the camera's decoder (limits.go)

	// courseTiles: a site's lists in every language many times over.
	courseTiles web.Written[courseTilesKey]
}

// Mount registers the kiosk's routes.
func Mount(app *fiber.App, st *store.Store, w *web.Web, o Options) *Kiosk {
	if o.Idle <= 0 {
		o.Idle = 60 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	k := &Kiosk{st: st, w: w, opts: o, courseTiles: web.Written[courseTilesKey]{Max: 256}}
	k.lim = newLimits(k)
	// Every POST below answers 303 to a GET page (post/redirect/get), so
	// that Back never sends a form again; TestEveryKioskPostRedirects
	// holds each one to it. The one exception is /scan-image, which the
	// camera page fetches and which answers JSON.
	g := app.Group("/kiosk", k.site, k.locale, w.CSRF(), k.slide)
	g.Get("/", k.idle)
	g.Get("/pair", k.pairPage)
	g.Post("/pair", k.lim.pairing, k.pair)
	g.Post("/lang", k.setLang)
	g.Post("/scan", k.scan)
	g.Get("/refused", k.refused)
	g.Post("/scan-image", k.lim.frames, k.scanImage)
	g.Get("/home", k.home)
	g.Get("/help", k.help)
	g.Post("/help", k.lim.help, k.helpAsk)
	g.Get("/help/mine", k.helpMine)
	g.Get("/help/t/:token", k.helpTicket)
	g.Get("/help/t/:token/events", k.helpEvents)
	g.Get("/camera", k.camera)
	g.Get("/reset", k.reset)
	g.Get("/message", k.message)
	g.Get("/limit", k.limited)
	g.Get("/alive", k.alive)

	// Only a checked-in visitor gets these; the middleware sits on each
	// route so that an unknown address still gets a plain 404.
	g.Get("/lab", k.visitor, k.labDays)
	g.Get("/lab/:day", k.visitor, k.labSlots)
	g.Get("/lab/:day/:start", k.visitor, k.labConfirm)
	g.Post("/lab/book", k.visitor, k.labBook)
	g.Get("/bookings", k.visitor, k.bookings)
	g.Get("/bookings/:id/done", k.visitor, k.bookingDone)
	g.Get("/bookings/:id/cancel", k.visitor, k.cancelConfirm)
	g.Post("/bookings/:id/cancel", k.visitor, k.cancel)
	g.Get("/courses", k.visitor, k.courses)
	g.Get("/courses/:id", k.visitor, k.courseSession)
	g.Post("/courses/:id/enrol", k.visitor, k.enrol)
	g.Get("/courses/:id/done", k.visitor, k.enrolDone)
	g.Get("/courses/:id/full", k.visitor, k.enrolFull)
	g.Get("/enrolments/:id/cancel", k.visitor, k.enrolmentCancelConfirm)
	g.Post("/enrolments/:id/cancel", k.visitor, k.enrolmentCancel)
	g.Get("/report", k.reportDomains)
	g.Get("/report/help", k.reportHelp) // before /report/:domain
	g.Get("/report/thanks", k.reportThanks)
	g.Get("/report/:domain", k.reportProblems)
	g.Get("/report/:domain/:problem", k.reportOrganisation)
	g.Get("/report/:domain/:problem/:org", k.reportWords)
	g.Post("/report", k.lim.reports, k.reportSubmit)
	g.Get("/org-logo/:id", k.orgLogo)
	g.Post("/report/answer", k.reportAnswer)
	g.Get("/rate/:id", k.visitor, k.rate)
	g.Post("/rate/:id", k.visitor, k.rateSubmit)
	return k
}

const langCookie = "drempel_kiosk_lang"

// locale picks the kiosk's language: the checked-in member's, else the one
// tapped on the idle screen, else the default.
// stationCookie holds the token of the station a screen is paired as.
const stationCookie = "drempel_station"

// site resolves the site this kiosk screen serves, once per request; the
// handlers find it with web.SiteOf. A screen of a network that is not
// paired yet gets the pairing page and nothing else.
func (k *Kiosk) site(c *fiber.Ctx) error {
	s, _, err := k.st.KioskSite(c.UserContext(), c.Cookies(stationCookie))
	if errors.Is(err, store.ErrNotPaired) {
		if c.Path() == "/kiosk/pair" {
			return c.Next()
		}
		return c.Redirect("/kiosk/pair", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	web.SetSite(c, s)
	return c.Next()
}

func (k *Kiosk) locale(c *fiber.Ctx) error {
	c.Locals("lang", k.w.RequestLang(c, "kiosk"))
	return c.Next()
}

func (k *Kiosk) view(c *fiber.Ctx, data any) *web.View {
	lang, _ := c.Locals("lang").(string)
	var tz *time.Location
	if site := web.SiteOf(c); site != nil {
		tz = site.Location()
	}
	return &web.View{L: k.w.I18n.LocIn(lang, k.w.Opts.DefaultLang, tz), Data: data, IdleSeconds: int(k.opts.Idle / time.Second), Autoplay: !k.opts.Quiet}
}

func (k *Kiosk) idle(c *fiber.Ctx) error {
	k.forget(c)
	lang, _ := c.Locals("lang").(string)
	here, names, err := k.helpersHere(c)
	if err != nil {
		return err
	}
	return k.w.Render(c, fiber.StatusOK, "kiosk/idle", k.view(c, map[string]any{
		"Languages": web.KioskLanguages(), "HelperHere": here, "HelperNames": names,
		// Only a screen in another language than the default needs to
		// fall back by itself.
		"Reset": lang != k.w.Opts.DefaultLang,
	}))
}

func (k *Kiosk) setLang(c *fiber.Ctx) error {
	code := c.FormValue("lang")
	for _, l := range web.KioskLanguages() {
		if l.Code == code {
			k.setLangCookie(c, code)
			break
		}
	}
	return c.Redirect("/kiosk", fiber.StatusSeeOther)
}

func (k *Kiosk) setLangCookie(c *fiber.Ctx, code string) {
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: code, Path: "/kiosk", HTTPOnly: true,
		SameSite: "Strict", Secure: k.w.Opts.SecureCookies, SessionOnly: true})
}

// scan checks a visitor in with the token the scanner typed.
func (k *Kiosk) scan(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	h, err := k.st.CardByToken(c.UserContext(), c.FormValue("token"), site.ID)
	if errors.Is(err, store.ErrNotFound) {
		return k.refuse(c)
	}
	if err != nil {
		return k.scanAgain(c, err)
	}
	_, counted, err := k.st.CheckInCard(c.UserContext(), h, site)
	if err != nil {
		// The check-in is one transaction: nothing of it was written.
		return k.scanAgain(c, err)
	}
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	// Someone else was still checked in here: their language goes with
	// them, unless the new visitor's own language replaces it below.
	previous := sess.Get("member") != nil
	// A new visitor never inherits the previous one's session.
	if err := sess.Regenerate(); err != nil {
		return err
	}
	for _, key := range sess.Keys() {
		sess.Delete(key)
	}
	sess.Set("member", h.Member.ID)
	// The greeting needs only the nickname: keeping it here spares the
	// greeting page a query. It lives as long as the visitor's session.
	sess.Set("nick", h.Member.Nickname)
	sess.Set("new", counted)
	sess.Set("courses", h.HasCourses)
	sess.Set("overdue", h.HasOverdue)
	if err := sess.Save(); err != nil {
		return err
	}
	// Any language the kiosk speaks: the list grows as catalogs arrive.
	if l, ok := web.LookupLanguage(h.Member.Lang); ok && l.Kiosk {
		k.setLangCookie(c, l.Code)
	} else if previous {
		k.clearLang(c)
	}
	return c.Redirect("/kiosk/home", fiber.StatusSeeOther)
}

// scanAgain answers a scan the database could not take even after its
// busy timeout (another program holding the file, a disk gone): the
// visitor is asked to scan again, in the kiosk's language, and the cause
// goes to the log.
func (k *Kiosk) scanAgain(c *fiber.Ctx, err error) error {
	k.w.Opts.Log.Error("check-in failed", "err", err)
	return fiber.NewError(fiber.StatusServiceUnavailable, "kiosk.err.scan_again")
}

// refuse answers a revoked, unknown or garbled card the same way: the
// screen cannot tell a stranger which cards exist. Whoever was checked in
// is forgotten, and the kiosk speaks its default language again.
func (k *Kiosk) refuse(c *fiber.Ctx) error {
	// The person holding the refused card may have tapped their language
	// on the idle screen: the refusal speaks it. A language that came with
	// a member's card belongs to that member, not to whoever scans next.
	lang := k.w.Opts.DefaultLang
	if sess, err := k.w.Kiosk.Get(c); err == nil && sess.Get("member") == nil {
		lang, _ = c.Locals("lang").(string)
	}
	k.forget(c)
	k.clearLang(c)
	return c.Redirect("/kiosk/refused?lang="+url.QueryEscape(lang), fiber.StatusSeeOther)
}

// refused shows the refusal in the language refuse chose; the screen
// after it, and every later one, is in the default language again.
func (k *Kiosk) refused(c *fiber.Ctx) error {
	lang := k.w.Opts.DefaultLang
	if l, ok := web.LookupLanguage(c.Query("lang")); ok && l.Kiosk {
		lang = l.Code
	}
	c.Locals("lang", lang)
	return k.w.Render(c, fiber.StatusNotFound, "kiosk/refused", k.view(c, nil))
}

// scanImage decodes a camera frame. It answers JSON: {"token": "…"} when
// a QR code was found, {} when not (the page keeps trying).
func (k *Kiosk) scanImage(c *fiber.Ctx) error {
	fh, err := c.FormFile("frame")
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	if fh.Size > MaxFrame {
		return c.Status(fiber.StatusRequestEntityTooLarge).JSON(fiber.Map{})
	}
	f, err := fh.Open()
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	defer f.Close()
	img, err := io.ReadAll(io.LimitReader(f, MaxFrame+1))
	if err != nil || len(img) > MaxFrame {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	// The decoder takes the kiosks' frames in turn, so a flood from one
	// sender never keeps a real card from being read.
	text, ok := k.lim.decoder.Decode(kioskKey(c), senderKey(c), img)
	if !ok {
		return c.JSON(fiber.Map{})
	}
	return c.JSON(fiber.Map{"token": text})
}

// maxFrameSide bounds a camera frame: a small file may claim a huge
// picture, and decoding it would take the whole machine's memory. The
// kiosk sends frames at most 800 px wide, portrait ones taller.
const maxFrameSide = 1600

// DecodeQR finds a QR code in a JPEG or PNG image and returns its text.
// It decodes at once; the kiosk's frames go through the fair decoder
// (decoder.go), which calls it.
func DecodeQR(img []byte) (string, bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width > maxFrameSide || cfg.Height > maxFrameSide || cfg.Width < 1 || cfg.Height < 1 {
		return "", false
	}
	m, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		return "", false
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(luminance(m)))
	if err != nil {
		return "", false
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", false
	}
	return res.GetText(), true
}

// luminance is the picture's brightness for the QR reader. A JPEG (what
// the camera page sends) carries it already, as its Y plane: reading it
// there spares converting every pixel, a good part of a frame's decoding.
func luminance(m image.Image) gozxing.LuminanceSource {
	r := m.Bounds()
	var plane []byte
	stride := 0
	switch m := m.(type) {
	case *image.YCbCr:
		if m.Rect.Min == (image.Point{}) {
			plane, stride = m.Y, m.YStride
		}
	case *image.Gray:
		if m.Rect.Min == (image.Point{}) {
			plane, stride = m.Pix, m.Stride
		}
	}
	if stride > 0 && len(plane) >= stride*(r.Dy()-1)+r.Dx() {
		if src, err := gozxing.NewPlanarYUVLuminanceSource(plane, stride, len(plane)/stride, 0, 0, r.Dx(), r.Dy(), false); err == nil {
			return src
		}
	}
	return gozxing.NewLuminanceSourceFromImage(m)
}

func (k *Kiosk) home(c *fiber.Ctx) error {
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	nick, ok := sess.Get("nick").(string)
	if !ok {
		return c.Redirect("/kiosk", fiber.StatusSeeOther)
	}
	id, _ := sess.Get("member").(int64)
	newVisit, _ := sess.Get("new").(bool)
	ctx := c.UserContext()
	// After a course: one question, once, before anything else.
	courses, _ := sess.Get("courses").(bool)
	if rated, _ := sess.Get("rated").(bool); courses && !rated {
		p, err := k.st.PendingRating(ctx, id)
		if err != nil {
			return err
		}
		if p != nil {
			return c.Redirect(fmt.Sprintf("/kiosk/rate/%d", p.ID), fiber.StatusSeeOther)
		}
	}
	var places []store.MemberEnrolment
	if courses {
		if places, err = k.st.NewPlaces(ctx, id); err != nil {
			return err
		}
	}
	if len(places) > 0 {
		if err := k.st.MarkPlacesSeen(ctx, id); err != nil {
			return err
		}
	}
	v := k.view(c, nil)
	// The name is isolated (FSI…PDI) so that a Latin name in an Arabic
	// sentence, or the reverse, keeps the punctuation on the right side.
	greeting := v.L.T("kiosk.home.greeting", "Name", "\u2068"+nick+"\u2069")
	lab, err := k.labOpen(c)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	var news []sessionTile
	for _, p := range places {
		news = append(news, k.tile(v, p.Session, site.Location()))
	}
	overdue, _ := sess.Get("overdue").(bool)
	v.Data = map[string]any{"Greeting": greeting, "NewVisit": newVisit, "Lab": lab, "NewPlaces": news, "Overdue": overdue}
	return k.w.Render(c, fiber.StatusOK, "kiosk/home", v)
}

func (k *Kiosk) camera(c *fiber.Ctx) error {
	return k.w.Render(c, fiber.StatusOK, "kiosk/camera", k.view(c, nil))
}

// reset forgets the visitor: the session, the language, and whatever the
// browser may have stored.
func (k *Kiosk) reset(c *fiber.Ctx) error {
	k.forget(c)
	k.clearLang(c)
	c.Set("Clear-Site-Data", `"storage"`)
	return c.Redirect("/kiosk", fiber.StatusSeeOther)
}

// labOpen reports whether the lab takes reservations, for the home tiles.
func (k *Kiosk) labOpen(c *fiber.Ctx) (bool, error) {
	return k.st.LabBookable(c.UserContext(), web.SiteOf(c).ID)
}

// forget ends the visitor's session: the idle screen and a refused card
// belong to nobody, so whoever stands at the kiosk next cannot go "back"
// to the previous visitor's screen.
// A checked-in visitor's language goes with them; a language tapped on the
// idle screen by someone who has not scanned stays for them.
func (k *Kiosk) forget(c *fiber.Ctx) {
	if c.Cookies(sessionCookie) == "" {
		return
	}
	if sess, err := k.w.Kiosk.Get(c); err == nil {
		if sess.Get("member") != nil {
			k.clearLang(c)
		}
		_ = sess.Destroy()
	}
}

// sessionCookie holds the kiosk session's id (web.New sets it up).
const sessionCookie = "drempel_kiosk"

// clearLang puts the kiosk back in its default language, for this
// request's page and for the next ones.
func (k *Kiosk) clearLang(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: "", Path: "/kiosk", MaxAge: -1, Expires: time.Unix(1, 0),
		HTTPOnly: true, SameSite: "Strict", Secure: k.w.Opts.SecureCookies})
	c.Request().Header.DelCookie(langCookie)
	c.Locals("lang", k.w.Opts.DefaultLang)
}
