package kiosk

import (
	"runtime"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

// What one kiosk may ask of the server. Anonymous reports and camera
// frames need no card, so anyone on the network could send them: these
// limits keep a flood from filling the disk or the decoder, and the fair
// decoder (decoder.go) keeps it from stopping a real card.
//
// A kiosk is its client address (c.IP()) until kiosks are paired as
// stations, in a later issue: then the station replaces the address here.
const (
	// Countdown is how long the kiosk counts down, after its idle time,
	// before it resets. The visitor's session ends that long after their
	// last request (SessionLifetime), whatever the browser does.
	Countdown = 20 * time.Second

	// ReportsPerMinute is how many threshold reports one kiosk sends in a
	// minute at most; the next ones get a friendly "wait a minute". So
	// many requests for help too, counted apart, each told in its words.
	ReportsPerMinute = 6
	HelpPerMinute    = 6

	// MaxFrame is the largest camera frame taken: the kiosk sends JPEGs
	// at most 800 px wide, far smaller.
	MaxFrame = 600 << 10
	// FramesPerSecond is how many frames one kiosk screen sends a second
	// at most; the page sends one every 400 ms when the last is answered.
	FramesPerSecond = 4
	// frameWait is how long a frame waits for its turn at the decoder
	// before the page hears "no code" and sends the next.
	frameWait = time.Second
	// A frame waits in the decoder's queue only if there is room: this
	// many frames in all, and this many from one address.
	maxWaitingFrames = 32
	maxFramesPerAddr = 8
)

// SessionLifetime is how long a kiosk session outlives the visitor's
// last request: the idle time and the countdown (for web.Options).
func SessionLifetime(idle time.Duration) time.Duration { return idle + Countdown }

// limits holds one kiosk server's limiters and its camera decoder.
type limits struct {
	reports fiber.Handler
	help    fiber.Handler
	frames  fiber.Handler
	pairing fiber.Handler
	decoder *frameDecoder
}

func newLimits(k *Kiosk) *limits {
	workers := 1
	if runtime.GOMAXPROCS(0) >= 4 {
		// One core stays free for check-ins whatever the cameras send.
		workers = 2
	}
	// The visitor sees why, in their language, on a page of its own: a
	// POST answers with a redirect, as every kiosk POST does.
	perMinute := func(n int, what string) fiber.Handler {
		return limiter.New(limiter.Config{
			Max:          n,
			Expiration:   time.Minute,
			KeyGenerator: kioskKey,
			LimitReached: func(c *fiber.Ctx) error { return c.Redirect("/kiosk/limit?what="+what, fiber.StatusSeeOther) },
		})
	}
	return &limits{
		reports: perMinute(ReportsPerMinute, "reports"),
		help:    perMinute(HelpPerMinute, "help"),
		frames: limiter.New(limiter.Config{
			Max:          FramesPerSecond,
			Expiration:   time.Second,
			KeyGenerator: senderKey,
			// The camera page reads JSON and simply sends its next frame.
			LimitReached: func(c *fiber.Ctx) error { return c.Status(fiber.StatusTooManyRequests).JSON(fiber.Map{}) },
		}),
		// A pairing code is short: a few tries a minute from one address
		// leave guessing it hopeless within its day.
		pairing: limiter.New(limiter.Config{
			Max:          5,
			Expiration:   time.Minute,
			LimitReached: func(c *fiber.Ctx) error { return c.Redirect("/kiosk/pair?bad=1", fiber.StatusSeeOther) },
		}),
		decoder: newFrameDecoder(DecodeQR, frameCost, workers, frameWait, maxWaitingFrames, maxFramesPerAddr),
	}
}

// kioskKey names the kiosk a request comes from: its station, when the
// screen is paired (several kiosks behind one address each get their
// own limits), else its address. It stays in this server's memory.
func kioskKey(c *fiber.Ctx) string {
	if t := c.Cookies(stationCookie); t != "" {
		return "station:" + t
	}
	return c.IP()
}

// senderKey names one kiosk screen: its address and its browser, known by
// the visitor's session or else by the form token's cookie (every frame
// carries a valid token). Several screens on one address (or the tests,
// all on loopback) each get their turn at the decoder; the decoder's cap
// per address keeps one address from taking every place by inventing
// browsers. The key stays in this server's memory, never in a log.
func senderKey(c *fiber.Ctx) string {
	id := c.Cookies(sessionCookie)
	if id == "" {
		id = c.Cookies("drempel_csrf")
	}
	return kioskKey(c) + "|" + id
}

// slide keeps a checked-in visitor's session alive while they use the
// kiosk: each request saves it again, for web.Options.KioskSession more.
// A browser that comes back with the cookie of a session the server has
// ended (its time ran out, the kiosk page did not reset) gets nothing of
// it: not the pages, and not the language, which was the visitor's.
func (k *Kiosk) slide(c *fiber.Ctx) error {
	if c.Cookies(sessionCookie) == "" {
		return c.Next()
	}
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	if sess.Fresh() {
		k.clearLang(c)
		if err := sess.Destroy(); err != nil {
			return err
		}
		return c.Next()
	}
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Next()
}

// limited tells the visitor that this kiosk sent many reports, or asked
// for help many times, just now.
func (k *Kiosk) limited(c *fiber.Ctx) error {
	v := k.view(c, map[string]any{"Back": k.startPage(c)})
	v.Error = v.L.T("kiosk.limit.reports")
	if c.Query("what") == "help" {
		v.Error = v.L.T("kiosk.limit.help")
	}
	return k.w.Render(c, fiber.StatusTooManyRequests, "kiosk/message", v)
}

// alive is the kiosk page's "the visitor is still here" when they touch
// the screen without leaving the page (a speaker button, "I am still
// here"): slide has given the session its time again. 204 while a visitor
// is known, 410 when the server has forgotten them (the page resets).
func (k *Kiosk) alive(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if sess, err := k.w.Kiosk.Get(c); err == nil && !sess.Fresh() {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.SendStatus(fiber.StatusGone)
}
