// Package web owns what every page shares: the embedded templates, static
// assets and pictograms, the translation catalogs, the render helpers, and
// the shared middleware (security headers, sessions, CSRF, locale, errors).
// The kiosk and admin packages build their pages with it.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/session"

	"github.com/drempel/drempel/store"
)

//go:embed all:templates static
var files embed.FS

// Options configure the shared web layer.
type Options struct {
	TimeZone *time.Location
	// DefaultLang is the kiosk's and the admin panel's language before
	// anyone chooses one.
	DefaultLang string
	// SecureCookies marks cookies Secure, for a server behind HTTPS.
	SecureCookies bool
	// KioskSession is how long a kiosk visitor's session outlives their
	// last request: the kiosk's idle time plus its countdown (default
	// 60 s + 20 s). Each request of the visitor starts it again; after
	// it, the server has forgotten the visitor whatever the browser does.
	KioskSession time.Duration
	// Sessions is where the staff's and the kiosk visitors' sessions
	// live: the database (store.Sessions), so that staff stay signed in
	// across a restart and whichever server of a network answers. Nil
	// keeps them in this process's memory (tests).
	Sessions SessionStorage
	// KioskSessionsInMemory keeps the kiosk visitors' sessions in this
	// process's memory even when Sessions is set: they last a minute or
	// two, and a check-in then writes nothing but the visit.
	KioskSessionsInMemory bool
	Log                   *slog.Logger
}

// SessionStorage keeps encoded sessions by key. It is Fiber's Storage
// interface spelled out, so that the store can provide it without knowing
// Fiber: a missing or expired key reads as nil, nil; exp 0 never expires;
// Close releases the storage's own resources, not a shared database.
type SessionStorage interface {
	Get(key string) ([]byte, error)
	Set(key string, val []byte, exp time.Duration) error
	Delete(key string) error
	Reset() error
	Close() error
}

// Web is the shared layer: templates, catalogs, assets and sessions.
type Web struct {
	Opts   Options
	I18n   *I18n
	pages  map[string]*page
	assets map[string]asset
	icons  map[string]template.HTML
	Admin  *session.Store
	Kiosk  *session.Store
	csrf   fiber.Handler
	// adminCSRF guards staff forms, with tokens in the shared storage.
	adminCSRF fiber.Handler
	// parts are the kiosk's partials, for the parts written once per
	// language (see once).
	parts *page
	// chrome is what once wrote: every part in every language, with room
	// for new versions.
	chrome Written[chromeKey]
}

type asset struct {
	hash string
	body []byte
	mime string
	// load reads a large file when it is asked for, rather than keeping
	// a copy in memory all day (fonts: a browser fetches each once a year).
	load func() ([]byte, error)
}

// New parses every template and catalog; anything broken fails here, at
// start-up.
func New(o Options) (*Web, error) {
	if o.DefaultLang == "" {
		o.DefaultLang = "nl"
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.TimeZone == nil {
		o.TimeZone = time.UTC
	}
	if o.KioskSession <= 0 {
		o.KioskSession = 80 * time.Second
	}
	x, err := NewI18n(o.TimeZone)
	if err != nil {
		return nil, err
	}
	w := &Web{Opts: o, I18n: x, pages: map[string]*page{}, assets: map[string]asset{}, icons: map[string]template.HTML{},
		chrome: Written[chromeKey]{Max: 512}}
	if err := w.loadAssets(); err != nil {
		return nil, err
	}
	if err := w.parseTemplates(); err != nil {
		return nil, err
	}
	var staffSessions, kioskSessions fiber.Storage // nil: Fiber's memory storage
	if o.Sessions != nil {
		staffSessions = o.Sessions
		if !o.KioskSessionsInMemory {
			kioskSessions = o.Sessions
		}
	}
	w.Admin = session.New(session.Config{
		Storage:        staffSessions,
		KeyLookup:      "cookie:drempel_admin",
		Expiration:     12 * time.Hour,
		CookieHTTPOnly: true,
		CookieSameSite: "Lax",
		CookieSecure:   o.SecureCookies,
	})
	// A kiosk session lives only while one visitor stands at the screen:
	// it ends KioskSession after their last request (the kiosk saves it
	// again on each one), and at once when the kiosk resets.
	w.Kiosk = session.New(session.Config{
		Storage:           kioskSessions,
		KeyLookup:         "cookie:drempel_kiosk",
		Expiration:        o.KioskSession,
		CookieHTTPOnly:    true,
		CookieSameSite:    "Strict",
		CookieSecure:      o.SecureCookies,
		CookieSessionOnly: true,
	})
	csrfConfig := csrf.Config{
		KeyLookup:      "form:_csrf",
		CookieName:     "drempel_csrf",
		CookieSameSite: "Strict",
		CookieHTTPOnly: true,
		CookieSecure:   o.SecureCookies,
		Expiration:     12 * time.Hour,
		ContextKey:     "csrf",
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			// A kiosk page outlived its token (the server restarted after a
			// power cut): start the kiosk afresh, the visitor scans again.
			if strings.HasPrefix(c.Path(), "/kiosk") && c.Method() == fiber.MethodPost {
				return c.Redirect("/kiosk/reset", fiber.StatusSeeOther)
			}
			return fiber.NewError(fiber.StatusForbidden, "error.csrf")
		},
	}
	w.csrf = csrf.New(csrfConfig)
	// Staff forms carry tokens kept where their sessions are: a form opened
	// through one server of a network is accepted by another, and after a
	// restart. A kiosk talks to one server; its tokens stay in memory.
	w.adminCSRF = w.csrf
	if o.Sessions != nil {
		csrfConfig.Storage = o.Sessions
		csrfConfig.CookieName = "drempel_admin_csrf"
		w.adminCSRF = csrf.New(csrfConfig)
	}
	return w, nil
}

func (w *Web) loadAssets() error {
	if err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) == ".go" {
			return err // a package's own source is not a page's asset
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		mime := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
			".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".ttf": "font/ttf", ".txt": "text/plain; charset=utf-8"}[path.Ext(p)]
		if mime == "" {
			mime = "application/octet-stream"
		}
		w.assets[name] = asset{hash: hex.EncodeToString(sum[:6]), body: b, mime: mime}
		if icon, ok := strings.CutPrefix(name, "pictograms/"); ok && path.Ext(name) == ".svg" {
			icon = strings.TrimSuffix(icon, ".svg")
			if strings.Contains(string(b), "currentColor") {
				// A line drawing takes the colour of the text around it.
				svg := strings.Replace(string(b), "<svg ", `<svg aria-hidden="true" focusable="false" class="picto picto-`+icon+`" `, 1)
				w.icons[icon] = template.HTML(svg) //nolint:gosec // our own embedded file
			} else {
				// A colour symbol (OpenMoji) is the same picture everywhere:
				// one cached file instead of its markup on every tile.
				w.icons[icon] = template.HTML(`<img class="picto picto-` + icon + `" alt="" src="/static/` + w.assets[name].hash + "/" + name + `">`) //nolint:gosec // our own file name
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return w.loadFonts()
}

// Asset is the content-hashed URL of a static file; a changed file gets a
// new URL, so browsers may cache every asset for a year.
func (w *Web) Asset(name string) (string, error) {
	a, ok := w.assets[name]
	if !ok {
		return "", fmt.Errorf("unknown asset %q", name)
	}
	return "/static/" + a.hash + "/" + name, nil
}

// Icon returns an embedded pictogram as inline SVG, decorative for screen
// readers: the visible label next to it carries the meaning.
func (w *Web) Icon(name string) (template.HTML, error) {
	svg, ok := w.icons[name]
	if !ok {
		return "", fmt.Errorf("unknown pictogram %q", name)
	}
	return svg, nil
}

func (w *Web) parseTemplates() error {
	funcs := template.FuncMap{
		"asset":       w.Asset,
		"icon":        w.Icon,
		"speak":       w.speak,
		"tile":        w.tile,
		"btn":         w.btn,
		"question":    w.question,
		"langButtons": w.langButtons,
		"once":        w.once,
		"code":        store.FormatCheckCode,
		"int":         func(n int64) int { return int(n) },
		"adminLangs":  AdminLanguages,
		"unix":        func(s int64) time.Time { return time.Unix(s, 0) },
		"list":        func(xs ...int) []int { return xs },
		"strs":        func(xs ...string) []string { return xs },
		"deref": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"dict":     dict,
		"calendar": calendarPage,
		"clock":    clockFace,
		"langName": func(code string) string {
			if l, ok := LookupLanguage(code); ok {
				return l.Endonym
			}
			return code
		},
	}
	for _, area := range []string{"kiosk", "admin"} {
		base, err := template.New(area).Funcs(funcs).ParseFS(files, "templates/"+area+"/_*.html")
		if err != nil {
			return fmt.Errorf("templates %s: %w", area, err)
		}
		if area == "kiosk" {
			w.parts = &page{base: base}
		}
		pages, err := fs.Glob(files, "templates/"+area+"/[a-z]*.html")
		if err != nil {
			return err
		}
		for _, p := range pages {
			// The page alone, to stop the server at a mistake in it.
			if _, err := template.New(p).Funcs(funcs).ParseFS(files, p); err != nil {
				return fmt.Errorf("template %s: %w", p, err)
			}
			w.pages[area+"/"+strings.TrimSuffix(path.Base(p), ".html")] = &page{base: base, file: p}
		}
	}
	return nil
}

// page is a page's template, a copy of its area's layout and partials
// with the page's own blocks, made when the page is first shown: made for
// all 81 pages at start-up, the copies held 14 MB of a 20 MB heap, and a
// kiosk shows a dozen of them.
type page struct {
	once sync.Once
	base *template.Template
	file string
	t    *template.Template
	err  error
}

func (p *page) template() (*template.Template, error) {
	p.once.Do(func() {
		t, err := p.base.Clone()
		if err == nil && p.file != "" {
			t, err = t.ParseFS(files, p.file)
		}
		p.t, p.err = t, err
	})
	return p.t, p.err
}

// page is the template of a registered page.
func (w *Web) page(name string) (*template.Template, error) {
	p, ok := w.pages[name]
	if !ok {
		return nil, fmt.Errorf("no page %q", name)
	}
	return p.template()
}

// View is what every page template gets.
type View struct {
	L     *Loc
	CSRF  string
	Path  string
	Data  any
	Flash string
	Error string
	Form  map[string]string
	// Fields holds a translated message per invalid form field.
	Fields map[string]string
	User   any
	// IdleSeconds is how long the kiosk waits for a touch before it
	// counts down to a reset.
	IdleSeconds int
	// Autoplay plays each kiosk screen's question when it opens.
	Autoplay bool
	// Site is the site of the request; Sites the ones a staff member may
	// switch between (none when there is only one).
	Site  *store.Site
	Sites []store.Site
}

// Render executes a registered page; an unknown page is a programming
// error that start-up tests catch.
func (w *Web) Render(c *fiber.Ctx, status int, page string, v *View) error {
	t, err := w.page(page)
	if err != nil {
		return err
	}
	if v.CSRF == "" {
		if tok, ok := c.Locals("csrf").(string); ok {
			v.CSRF = tok
		}
	}
	v.Path = c.Path()
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// Pages may hold a person's name: never keep them in a cache.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return t.ExecuteTemplate(c.Response().BodyWriter(), "layout", v)
}

// HasPage reports whether a page template is registered.
func (w *Web) HasPage(name string) bool { _, ok := w.pages[name]; return ok }

// CSRF is the middleware that guards every form post.
func (w *Web) CSRF() fiber.Handler { return w.csrf }

// AdminCSRF is CSRF for staff forms (see Options.Sessions).
func (w *Web) AdminCSRF() fiber.Handler { return w.adminCSRF }

// Config is the Fiber configuration every Drempel server uses.
func (w *Web) Config() fiber.Config {
	return fiber.Config{
		AppName:               "Drempel",
		Immutable:             true,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             8 << 20,
		ReadBufferSize:        16 << 10,
		ReduceMemoryUsage:     true,
		DisableStartupMessage: true,
		ErrorHandler:          w.errorHandler,
	}
}

// Use installs the shared middleware: recovery, security headers, assets.
func (w *Web) Use(app *fiber.App) {
	app.Use(recover.New(recover.Config{EnableStackTrace: false}))
	app.Use(helmet.New(helmet.Config{
		XFrameOptions:  "DENY",
		ReferrerPolicy: "same-origin",
		// Nothing is ever loaded from outside: the kiosk works offline, and
		// a stray script cannot phone home.
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; " +
			"style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		PermissionPolicy: "camera=(self), microphone=(self), geolocation=()",
	}))
	app.Get("/static/:hash/*", w.serveAsset)
}

func (w *Web) serveAsset(c *fiber.Ctx) error {
	a, ok := w.assets[c.Params("*")]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, a.mime)
	if c.Params("hash") == a.hash {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	if a.load != nil {
		b, err := a.load()
		if err != nil {
			return err
		}
		return c.Send(b)
	}
	return c.Send(a.body)
}

// errorHandler turns every error into a page in the user's language: a
// known status keeps its code, anything else is a 500 without details,
// and the details go to the log, never to the screen. It is the one place
// where the store's answers become the house's: a handler returns what
// the store said, and "not found" (bare or wrapped) is a 404 here, as if
// the handler had returned fiber.ErrNotFound.
func (w *Web) errorHandler(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	msg := "error.internal"
	var fe *fiber.Error
	if errors.Is(err, store.ErrNotFound) {
		status, msg = fiber.StatusNotFound, "error.not_found"
	} else if r, ok := refusal(err); ok {
		status, msg = r.status, r.id
	} else if errors.As(err, &fe) {
		status = fe.Code
		switch {
		case strings.HasPrefix(fe.Message, "error."), strings.HasPrefix(fe.Message, "admin."), strings.HasPrefix(fe.Message, "kiosk."):
			msg = fe.Message // a catalog message the handler chose
		case status == fiber.StatusNotFound:
			msg = "error.not_found"
		case status == fiber.StatusRequestEntityTooLarge:
			msg = "error.too_large"
		case status == fiber.StatusTooManyRequests:
			msg = "error.too_many"
		case status < 500:
			msg = "error.bad_request"
		}
	}
	if status >= 500 {
		w.Opts.Log.Error("request failed", "method", c.Method(), "path", c.Route().Path, "err", err)
	}
	area := "admin"
	if strings.HasPrefix(c.Path(), "/kiosk") {
		area = "kiosk"
	}
	l := w.I18n.Loc(w.RequestLang(c, area), w.Opts.DefaultLang)
	c.Response().ResetBody()
	v := &View{L: l, Error: l.T(msg), Data: map[string]any{"Back": sameOriginReferer(c)}}
	if rerr := w.Render(c, status, area+"/error", v); rerr != nil {
		return c.Status(status).SendString(l.T(msg))
	}
	return nil
}

// RequestLang is the language for a request: the locals set by the area's
// middleware, else the language cookie, else the browser's preference.
func (w *Web) RequestLang(c *fiber.Ctx, area string) string {
	if l, ok := c.Locals("lang").(string); ok && l != "" {
		return l
	}
	langs := AdminLanguages()
	if area == "kiosk" {
		langs = KioskLanguages()
	}
	if v := c.Cookies("drempel_" + area + "_lang"); v != "" {
		for _, l := range langs {
			if l.Code == v {
				return v
			}
		}
	}
	if area == "kiosk" {
		return w.Opts.DefaultLang
	}
	return Negotiate(c.Get(fiber.HeaderAcceptLanguage), langs, w.Opts.DefaultLang)
}

// sameOriginReferer is the path of the page that sent the request, when it
// is one of ours, so an error page can offer the way back.
func sameOriginReferer(c *fiber.Ctx) string {
	ref, err := url.Parse(c.Get(fiber.HeaderReferer))
	if err != nil || ref.Host != c.Hostname() || !strings.HasPrefix(ref.Path, "/") || strings.HasPrefix(ref.Path, "//") {
		return ""
	}
	if ref.RawQuery != "" {
		return ref.Path + "?" + ref.RawQuery
	}
	return ref.Path
}
