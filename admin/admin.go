// Package admin owns the staff-facing panel: sign-in and the first-run
// setup, the dashboard, members and their cards, and staff accounts.
// Handlers stay thin: parse, call the store, render or redirect.
package admin

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/drempel/drempel/devices"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// Admin serves /admin and /setup.
type Admin struct {
	st        *store.Store
	w         *web.Web
	log       *slog.Logger
	publicURL string
	voice     Voice
	desk      *devices.Desk // the lending desk's rules
}

// Options configure the admin panel.
type Options struct {
	Log *slog.Logger
	// LoginPerMinute caps sign-in attempts per address (default 10).
	LoginPerMinute int
	// PublicURL is the address staff phones reach this server at; device
	// labels carry it in their QR code.
	PublicURL string
	// Voice is the kiosk's voice (web/voice), which the voice studio
	// reloads after every change to the recordings; nil for none.
	Voice Voice
}

// Mount registers the admin routes.
func Mount(app *fiber.App, st *store.Store, w *web.Web, o Options) *Admin {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.LoginPerMinute <= 0 {
		o.LoginPerMinute = 10
	}
	a := &Admin{st: st, w: w, log: o.Log, publicURL: strings.TrimSuffix(o.PublicURL, "/"), voice: o.Voice, desk: devices.NewDesk(st)}
	csrf := w.AdminCSRF()
	app.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/kiosk", fiber.StatusSeeOther) })
	app.Get("/d/:tag", func(c *fiber.Ctx) error {
		tag := store.NormalizeTag(c.Params("tag"))
		if tag == "" {
			return fiber.ErrNotFound
		}
		return c.Redirect("/admin/devices/tag/"+tag, fiber.StatusSeeOther)
	})
	app.Get("/setup/:token", a.locale, csrf, a.setupForm)
	app.Post("/setup/:token", a.locale, csrf, a.setupSubmit)

	g := app.Group("/admin", a.locale, csrf)
	g.Get("/login", a.loginForm)
	g.Post("/login", limiter.New(limiter.Config{
		Max:        o.LoginPerMinute,
		Expiration: time.Minute,
		LimitReached: func(c *fiber.Ctx) error {
			return fiber.NewError(fiber.StatusTooManyRequests, "error.too_many_logins")
		},
	}), a.loginSubmit)
	g.Get("/reset/:token", a.resetForm)
	g.Post("/reset/:token", a.resetSubmit)
	g.Post("/lang", a.setLang)

	in := g.Group("", a.auth)
	in.Use(a.sessionCurrent) // after auth: a session from before a password reset or change ends
	in.Post("/logout", a.logout)
	in.Get("/", a.mentorHome, a.dashboard)

	// Roles sit on each route: a Group("") middleware would apply to every
	// /admin path registered after it. So does the site: a route whose :id
	// names an object of one site (a device, a loan, a course…) carries
	// a.at(kind), which lets only that site's requests through. Members
	// are the organisation's: a.at(store.KindMember) lets through the
	// requests of its sites, and of organisations sharing with it.
	desk := requireRole(store.RoleAdmin, store.RoleStaff)
	member := a.at(store.KindMember)
	in.Get("/members", desk, a.membersList)
	in.Get("/members/new", desk, a.memberNew)
	in.Post("/members", desk, a.memberCreate)
	in.Get("/members/:id", desk, member, a.memberShow)
	in.Get("/members/:id/edit", desk, member, a.memberEdit)
	in.Post("/members/:id/edit", desk, member, a.memberUpdate)
	in.Post("/members/:id/reissue", desk, member, a.memberReissue)
	in.Post("/members/:id/card.pdf", desk, member, a.memberCardPDF)
	in.Post("/cards.pdf", desk, a.cardsPDF)
	in.Post("/members/:id/book", desk, member, a.memberBook)
	in.Get("/members/:id/data", desk, member, a.memberData)
	in.Get("/members/:id/data.json", desk, member, a.memberDataJSON)
	in.Get("/members/:id/data.pdf", desk, member, a.memberDataPDF)
	in.Get("/members/:id/erase", desk, member, a.memberEraseForm)
	in.Post("/members/:id/erase", desk, member, a.memberErase)
	in.Get("/lab", desk, a.labDay)
	in.Get("/lab/week", desk, a.labWeek)
	in.Get("/devices", desk, a.devicesList)
	in.Post("/devices", desk, a.devicesAdd)
	in.Get("/devices/labels.pdf", desk, a.labelsPDF)
	in.Get("/devices/export.:format", desk, a.devicesExport)
	in.Post("/devices/import", desk, a.devicesImportFile)
	in.Post("/devices/policies", desk, a.policiesSave)
	in.Get("/reports/loans", desk, a.loanReport)
	in.Get("/reports/loans.:format", desk, a.loanReport)
	in.Get("/loans/:id/reminder.pdf", desk, a.at(store.KindLoan), a.reminder)
	in.Get("/devices/tag/:tag", desk, a.deviceByTag)
	in.Get("/devices/:id", desk, a.at(store.KindDevice), a.deviceShow)
	in.Get("/devices/:id/edit", desk, a.at(store.KindDevice), a.deviceEdit)
	in.Post("/devices/:id/edit", desk, a.at(store.KindDevice), a.deviceUpdate)
	in.Post("/devices/:id/status", desk, a.at(store.KindDevice), a.deviceStatus)
	in.Post("/loans/:id/:action", desk, a.at(store.KindLoan), a.loanAction)
	in.Get("/overdue", desk, a.overdue)
	in.Get("/lend", desk, a.lendPage)
	in.Post("/lend/scan", desk, a.lendScan)
	in.Post("/lend/remove", desk, a.lendRemove)
	in.Post("/lend/confirm", desk, a.lendConfirm)
	in.Get("/loans/receipt/:ids", desk, a.receipt)
	in.Get("/return", desk, a.returnPage)
	in.Post("/return/scan", desk, a.returnScan)
	in.Post("/return/confirm", desk, a.returnConfirm)
	in.Post("/lab/block", desk, a.labBlock)
	in.Post("/bookings/:id/cancel", desk, a.at(store.KindBooking), a.bookingCancel)
	in.Get("/lab/settings", desk, a.labSettings)
	in.Post("/lab/settings", desk, a.labSettingsSave)
	in.Post("/lab/closures", desk, a.labClose)
	in.Post("/lab/closures/delete", desk, a.labReopen)
	// The kiosk's words and voice: corrections and recordings.
	in.Get("/words", desk, a.wordsPage)
	in.Post("/words", desk, a.wordSave)
	in.Post("/words/reset", desk, a.wordReset)
	in.Get("/words/export.json", desk, a.wordsExport)
	in.Post("/words/import", desk, a.wordsImport)
	in.Get("/voice", desk, a.voicePage)
	in.Post("/voice", desk, a.voiceSave)
	in.Post("/voice/delete", desk, a.voiceDelete)
	in.Get("/voice/audio", desk, a.voiceAudio)
	in.Get("/voice/pack.zip", desk, a.voicePack)
	in.Post("/voice/pack", desk, a.voiceImport)

	// Courses are run by facilitators and coordinators as well as the desk.
	// Coordinators reach no member's page: of a member they see what the
	// roll call needs (nickname, check code), never phone, e-mail or note.
	crs := requireRole(store.RoleAdmin, store.RoleStaff, store.RoleFacilitator, store.RoleCoordinator)
	in.Get("/courses", crs, a.coursesList)
	in.Get("/courses/new", crs, a.courseForm)
	in.Post("/courses", crs, a.courseSave)
	in.Get("/courses/:id", crs, a.at(store.KindCourse), a.courseShow)
	in.Get("/courses/:id/edit", crs, a.at(store.KindCourse), a.courseForm)
	in.Post("/courses/:id/edit", crs, a.at(store.KindCourse), a.courseSave)
	in.Post("/courses/:id/sessions", crs, a.at(store.KindCourse), a.sessionAdd)
	in.Get("/sessions/:id", crs, a.at(store.KindSession), a.sessionShow)
	in.Post("/sessions/:id/attend", crs, a.at(store.KindSession), a.sessionAttend)
	in.Post("/sessions/:id/members", crs, a.at(store.KindSession), a.sessionAddMember)
	in.Post("/sessions/:id/edit", crs, a.at(store.KindSession), a.sessionUpdate)
	in.Post("/sessions/:id/delete", crs, a.at(store.KindSession), a.sessionDelete)
	in.Post("/enrolments/:id/cancel", crs, a.at(store.KindEnrolment), a.enrolmentCancel)
	// The attendance review of a team meeting, its printout and exports.
	in.Get("/attendance", crs, a.attendancePage)
	in.Get("/attendance.:format", crs, a.attendancePage)
	in.Post("/courses/:id/notes", crs, a.at(store.KindCourse), a.attendanceNote)

	// Mentoring tandems (tandems.go): coordinators pair and follow them; a
	// mentor reaches their own tandems only (a.ownTandem), and their
	// account.
	tnd := requireRole(store.RoleAdmin, store.RoleCoordinator, store.RoleMentor)
	pair := requireRole(store.RoleAdmin, store.RoleCoordinator)
	in.Get("/tandems", tnd, a.tandemsList)
	in.Get("/tandems/new", pair, a.tandemForm)
	in.Post("/tandems", pair, a.tandemCreate)
	in.Get("/tandems/:id", onTandem(a, tnd, a.tandemShow)...)
	in.Get("/tandems/:id/edit", onTandem(a, pair, a.tandemForm)...)
	in.Post("/tandems/:id/edit", onTandem(a, pair, a.tandemUpdate)...)
	in.Get("/tandems/:id/meeting", onTandem(a, tnd, a.meetingForm)...)
	in.Post("/tandems/:id/meetings", onTandem(a, tnd, a.meetingLog)...)
	in.Post("/tandems/:id/meetings/delete", onTandem(a, tnd, a.meetingDelete)...)
	in.Post("/tandems/:id/outcomes", onTandem(a, tnd, a.outcomeSave)...)
	in.Post("/tandems/:id/outcomes/delete", onTandem(a, tnd, a.outcomeRemove)...)
	in.Post("/tandems/:id/enrol", onTandem(a, pair, a.tandemEnrol)...)

	// Thresholds: free text is for facilitators (and admins) only.
	fac := requireRole(store.RoleAdmin, store.RoleFacilitator)
	in.Get("/thresholds", fac, a.thresholdsInbox)
	in.Get("/thresholds/export.:format", fac, a.thresholdsExport)
	in.Get("/thresholds/new", crs, a.thresholdNew)
	in.Post("/thresholds/new", crs, a.thresholdNew)
	in.Get("/thresholds/:id", fac, a.at(store.KindThreshold), a.thresholdShow)
	in.Get("/thresholds/:id/voice", fac, a.at(store.KindThreshold), a.thresholdVoice)
	in.Post("/thresholds/:id", fac, a.at(store.KindThreshold), a.thresholdTriage)
	in.Post("/thresholds/:id/helped", crs, a.at(store.KindThreshold), a.thresholdHelped)
	in.Get("/themes", fac, a.themesList)
	in.Post("/themes", fac, a.themeSave)
	in.Get("/themes/:id", fac, a.at(store.KindTheme), a.themeShow)
	in.Post("/themes/:id", fac, a.at(store.KindTheme), a.themeSave)
	in.Post("/themes/:id/solutions", fac, a.at(store.KindTheme), a.solutionAdd)
	in.Post("/themes/:id/quotes", fac, a.at(store.KindTheme), a.quoteAdd)
	in.Post("/quotes/:id/delete", fac, a.at(store.KindQuote), a.quoteRemove)
	in.Get("/themes/:id/dossier", fac, a.at(store.KindTheme), a.dossier)
	in.Get("/themes/:id/dossier.:format", fac, a.at(store.KindTheme), a.dossier)
	in.Get("/organisations", fac, a.organisations)
	in.Post("/organisations", fac, a.organisations)
	in.Post("/organisations/:id/look", fac, a.at(store.KindOrganisation), a.organisationLook)
	in.Get("/organisations/:id/dossier", fac, a.at(store.KindOrganisation), a.dossier)
	in.Get("/organisations/:id/dossier.:format", fac, a.at(store.KindOrganisation), a.dossier)

	// Figures for a period (issue 11): counts only, each under 5 masked;
	// per site, or for the user's sites together.
	figs := requireRole(store.RoleAdmin, store.RoleStaff, store.RoleCoordinator)
	in.Get("/figures", figs, a.figuresPage)
	in.Get("/figures.:format", figs, a.figuresPage)
	in.Get("/figures/funder", figs, a.funderPage)
	in.Get("/figures/funder.:format", figs, a.funderPage)

	// The help queue (issue 12): the desk, facilitators and peers; the
	// themes peers meet, for the coordinators (help.go).
	hq := requireRole(store.RoleAdmin, store.RoleStaff, store.RoleFacilitator, store.RolePeer)
	in.Get("/help", hq, a.helpPage)
	in.Get("/help/events", hq, a.helpEvents)
	in.Post("/help/duty", hq, a.helpDuty)
	in.Post("/help/:id/take", hq, a.helpTake)
	in.Post("/help/:id/end", hq, a.helpEnd)
	in.Post("/help/:id/theme", hq, a.helpTheme)
	hth := requireRole(store.RoleAdmin, store.RoleFacilitator, store.RoleCoordinator)
	in.Get("/help/themes", hth, a.helpThemes)
	in.Post("/help/themes/:id/course", hth, a.helpThemeCourse)

	adm := requireRole(store.RoleAdmin)
	in.Get("/settings", adm, a.settingsPage)
	in.Post("/settings", adm, a.settingsSave)
	in.Get("/sites", adm, a.sitesList)
	in.Post("/sites", adm, a.siteCreate)
	in.Get("/sites/:id", adm, a.siteShow)
	in.Post("/sites/:id", adm, a.siteUpdate)
	in.Post("/sharing", adm, a.shareSave)
	in.Get("/privacy", adm, a.retentionShow)
	in.Get("/audit", adm, a.auditPage)
	in.Post("/privacy", adm, a.retentionSave)
	in.Post("/operators/:id", adm, a.operatorRename)
	in.Post("/site", a.siteSwitch)
	in.Get("/stations", adm, a.stationsList)
	in.Post("/stations", adm, a.stationCreate)
	in.Post("/stations/:id/code", adm, a.stationNewCode)
	in.Post("/stations/:id/revoke", adm, a.stationRevoke)
	in.Get("/users", adm, a.usersList)
	in.Post("/users", adm, a.userCreate)
	in.Post("/users/:id/disable", adm, a.userDisable)
	in.Post("/users/:id/enable", adm, a.userEnable)
	in.Post("/users/:id/sites", adm, a.userSites)
	in.Post("/users/:id/reset", adm, a.userReset)
	in.Get("/account", a.accountPage)
	in.Post("/account", accountLimiter(o.LoginPerMinute), a.accountSubmit)
	return a
}

const langCookie = "drempel_admin_lang"

func (a *Admin) locale(c *fiber.Ctx) error {
	c.Locals("lang", a.w.RequestLang(c, "admin"))
	return c.Next()
}

// auth lets signed-in staff through and sends everyone else to sign in.
func (a *Admin) auth(c *fiber.Ctx) error {
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	id, ok := sess.Get("uid").(int64)
	if !ok {
		return c.Redirect("/admin/login", fiber.StatusSeeOther)
	}
	u, err := a.st.User(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		// A disabled account is signed out at its next request.
		_ = sess.Destroy()
		return c.Redirect("/admin/login", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	c.Locals("user", u)
	// The site this staff member works at now; handlers find it with
	// web.SiteOf, and show its times in its time zone.
	chosen, _ := sess.Get("site").(int64)
	site, err := a.st.StaffSite(c.UserContext(), u.ID, chosen)
	if errors.Is(err, store.ErrNoSite) {
		return fiber.NewError(fiber.StatusForbidden, "admin.no_site")
	}
	if err != nil {
		return err
	}
	web.SetSite(c, site)
	if c.Cookies(langCookie) == "" {
		if l, ok := web.LookupLanguage(u.Lang); ok && l.Admin {
			c.Locals("lang", u.Lang)
		}
	}
	return c.Next()
}

func requireRole(roles ...store.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		for _, r := range roles {
			if u != nil && u.Role == r {
				return c.Next()
			}
		}
		return fiber.NewError(fiber.StatusForbidden, "error.forbidden")
	}
}

func currentUser(c *fiber.Ctx) *store.User {
	u, _ := c.Locals("user").(*store.User)
	return u
}

func (a *Admin) view(c *fiber.Ctx, data any) *web.View {
	lang, _ := c.Locals("lang").(string)
	var tz *time.Location
	if site := web.SiteOf(c); site != nil {
		tz = site.Location()
	}
	v := &web.View{L: a.w.I18n.LocIn(lang, a.w.Opts.DefaultLang, tz), Data: data, Form: map[string]string{}, Fields: map[string]string{}}
	if u := currentUser(c); u != nil {
		v.User = u
		v.Site = web.SiteOf(c)
		v.Sites = a.siteChoices(c)
	}
	if sess, err := a.w.Admin.Get(c); err == nil {
		if f, ok := sess.Get("flash").(string); ok {
			v.Flash = v.L.T(f)
			sess.Delete("flash")
			_ = sess.Save()
		}
	}
	return v
}

// flash keeps a message id for the next page, after a redirect.
func (a *Admin) flash(c *fiber.Ctx, id string) {
	if sess, err := a.w.Admin.Get(c); err == nil {
		sess.Set("flash", id)
		_ = sess.Save()
	}
}

// formError puts a store validation error on the form, or reports that it
// is not one.
func formError(v *web.View, err error) bool {
	fe, ok := store.AsFieldError(err)
	if !ok {
		return false
	}
	v.Fields[fe.Field] = v.L.Field(fe.Field, fe.Code)
	v.Error = v.L.T("error.form")
	return true
}

// load reads the :id parameter and loads that object with get; an id that
// is not a number, or names nothing (store.ErrNotFound, which the error
// handler answers), is a 404.
func load[T any](c *fiber.Ctx, get func(context.Context, int64) (*T, error)) (*T, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	return get(c.UserContext(), id)
}

// at lets a request reach the object its :id names only when that object
// belongs to the request's site (web.SiteOf): one of another site is a
// 404, as if it did not exist, for admins too (they switch site first),
// so that nobody learns what another site holds.
func (a *Admin) at(k store.Kind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		if err := a.own(c, k, id); err != nil {
			return err
		}
		return c.Next()
	}
}

// own checks that an object named by its id (in the URL, or in a form)
// belongs to the request's site; else it is a 404.
func (a *Admin) own(c *fiber.Ctx, k store.Kind, id int64) error {
	ok, err := a.st.IsAt(c.UserContext(), k, id, web.SiteOf(c).ID)
	if err != nil {
		return err
	}
	if !ok {
		return fiber.ErrNotFound
	}
	return nil
}

// ownRef checks an optional id from a form that refers to another object
// (a report's theme, a theme's course): none, or one of the request's
// site. One of another site is refused, as if it did not exist.
func (a *Admin) ownRef(c *fiber.Ctx, k store.Kind, id *int64) (bool, error) {
	if id == nil {
		return true, nil
	}
	return a.st.IsAt(c.UserContext(), k, *id, web.SiteOf(c).ID)
}

// idParam reads a numeric id from the URL; anything else is a 404.
func idParam(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

func (a *Admin) setLang(c *fiber.Ctx) error {
	code := c.FormValue("lang")
	if l, ok := web.LookupLanguage(code); ok && l.Admin {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: code, Path: "/", HTTPOnly: true, SameSite: "Lax",
			Secure: a.w.Opts.SecureCookies, Expires: time.Now().AddDate(1, 0, 0)})
	}
	return c.Redirect(safeBack(c.FormValue("back"), "/admin"), fiber.StatusSeeOther)
}
