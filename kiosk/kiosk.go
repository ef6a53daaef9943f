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
	"log/slog"
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
	Log  *slog.Logger
}

// Kiosk serves /kiosk.
type Kiosk struct {
	st   *store.Store
	w    *web.Web
	opts Options
}

// Mount registers the kiosk's routes.
func Mount(app *fiber.App, st *store.Store, w *web.Web, o Options) *Kiosk {
	if o.Idle <= 0 {
		o.Idle = 60 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	k := &Kiosk{st: st, w: w, opts: o}
	g := app.Group("/kiosk", k.locale, w.CSRF())
	g.Get("/", k.idle)
	g.Post("/lang", k.setLang)
	g.Post("/scan", k.scan)
	g.Post("/scan-image", k.scanImage)
	g.Get("/home", k.home)
	g.Get("/help", k.help)
	g.Get("/camera", k.camera)
	g.Get("/reset", k.reset)

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
	g.Get("/enrolments/:id/cancel", k.visitor, k.enrolmentCancelConfirm)
	g.Post("/enrolments/:id/cancel", k.visitor, k.enrolmentCancel)
	g.Get("/report", k.reportDomains)
	g.Get("/report/:domain", k.reportProblems)
	g.Get("/report/:domain/:problem", k.reportOrganisation)
	g.Get("/report/:domain/:problem/:org", k.reportWords)
	g.Post("/report", k.reportSubmit)
	g.Get("/org-logo/:id", k.orgLogo)
	g.Post("/report/answer", k.reportAnswer)
	g.Get("/rate/:id", k.visitor, k.rate)
	g.Post("/rate/:id", k.visitor, k.rateSubmit)
	return k
}

const langCookie = "drempel_kiosk_lang"

// locale picks the kiosk's language: the checked-in member's, else the one
// tapped on the idle screen, else the default.
func (k *Kiosk) locale(c *fiber.Ctx) error {
	c.Locals("lang", k.w.RequestLang(c, "kiosk"))
	return c.Next()
}

func (k *Kiosk) view(c *fiber.Ctx, data any) *web.View {
	lang, _ := c.Locals("lang").(string)
	return &web.View{L: k.w.I18n.Loc(lang, k.w.Opts.DefaultLang), Data: data, IdleSeconds: int(k.opts.Idle / time.Second)}
}

func (k *Kiosk) idle(c *fiber.Ctx) error {
	k.forget(c)
	lang, _ := c.Locals("lang").(string)
	return k.w.Render(c, fiber.StatusOK, "kiosk/idle", k.view(c, map[string]any{
		"Languages": web.KioskLanguages(),
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
	h, err := k.st.CardByToken(c.UserContext(), c.FormValue("token"))
	if errors.Is(err, store.ErrNotFound) {
		return k.refuse(c)
	}
	if err != nil {
		return err
	}
	site, err := k.st.DefaultSite(c.UserContext())
	if err != nil {
		return err
	}
	_, counted, err := k.st.CheckInCard(c.UserContext(), h, site)
	if err != nil {
		return err
	}
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	// A new visitor never inherits the previous one's session.
	if err := sess.Regenerate(); err != nil {
		return err
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
	if l, ok := web.LookupLanguage(h.Member.Lang); ok && l.Kiosk {
		k.setLangCookie(c, l.Code)
	}
	return c.Redirect("/kiosk/home", fiber.StatusSeeOther)
}

// refuse answers a revoked, unknown or garbled card the same way: the
// screen cannot tell a stranger which cards exist.
func (k *Kiosk) refuse(c *fiber.Ctx) error {
	k.forget(c)
	return k.w.Render(c, fiber.StatusNotFound, "kiosk/refused", k.view(c, nil))
}

// scanImage decodes a camera frame. It answers JSON: {"token": "…"} when
// a QR code was found, {} when not (the page keeps trying).
func (k *Kiosk) scanImage(c *fiber.Ctx) error {
	fh, err := c.FormFile("frame")
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	if fh.Size > 4<<20 {
		return fiber.ErrRequestEntityTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	text, ok := DecodeQR(buf.Bytes())
	if !ok {
		return c.JSON(fiber.Map{})
	}
	return c.JSON(fiber.Map{"token": text})
}

// maxFrameSide bounds a camera frame: a small file may claim a huge
// picture, and decoding it would take the whole machine's memory.
const maxFrameSide = 2000

// decoding lets one frame be decoded at a time; a kiosk sends a few a
// second, and a frame that finds the decoder busy is simply skipped.
var decoding = make(chan struct{}, 1)

// DecodeQR finds a QR code in a JPEG or PNG image and returns its text.
func DecodeQR(img []byte) (string, bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width > maxFrameSide || cfg.Height > maxFrameSide || cfg.Width < 1 || cfg.Height < 1 {
		return "", false
	}
	select {
	case decoding <- struct{}{}:
		defer func() { <-decoding }()
	default:
		return "", false
	}
	m, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		return "", false
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(m)
	if err != nil {
		return "", false
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", false
	}
	return res.GetText(), true
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
	site, err := k.st.DefaultSite(ctx)
	if err != nil {
		return err
	}
	var news []sessionTile
	for _, p := range places {
		news = append(news, k.tile(v, p.Session, site.Location()))
	}
	overdue, _ := sess.Get("overdue").(bool)
	v.Data = map[string]any{"Greeting": greeting, "NewVisit": newVisit, "Lab": lab, "NewPlaces": news, "Overdue": overdue}
	return k.w.Render(c, fiber.StatusOK, "kiosk/home", v)
}

func (k *Kiosk) help(c *fiber.Ctx) error {
	back := "/kiosk"
	if sess, err := k.w.Kiosk.Get(c); err == nil && sess.Get("member") != nil {
		back = "/kiosk/home"
	}
	return k.w.Render(c, fiber.StatusOK, "kiosk/help", k.view(c, map[string]any{"Back": back}))
}

func (k *Kiosk) camera(c *fiber.Ctx) error {
	return k.w.Render(c, fiber.StatusOK, "kiosk/camera", k.view(c, nil))
}

// reset forgets the visitor: the session, the language, and whatever the
// browser may have stored.
func (k *Kiosk) reset(c *fiber.Ctx) error {
	k.forget(c)
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: "", Path: "/kiosk", MaxAge: -1, Expires: time.Unix(1, 0)})
	c.Set("Clear-Site-Data", `"storage"`)
	return c.Redirect("/kiosk", fiber.StatusSeeOther)
}

// labOpen reports whether the lab takes reservations, for the home tiles.
func (k *Kiosk) labOpen(c *fiber.Ctx) (bool, error) {
	site, err := k.st.DefaultSite(c.UserContext())
	if err != nil {
		return false, err
	}
	return k.st.LabBookable(c.UserContext(), site.ID)
}

// forget ends the visitor's session: the idle screen and a refused card
// belong to nobody, so whoever stands at the kiosk next cannot go "back"
// to the previous visitor's screen.
func (k *Kiosk) forget(c *fiber.Ctx) {
	if c.Cookies("drempel_kiosk") == "" {
		return
	}
	if sess, err := k.w.Kiosk.Get(c); err == nil {
		_ = sess.Destroy()
	}
}
