package kiosk_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/skip2/go-qrcode"

	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

var ctx = context.Background()

func newKiosk(t testing.TB, st *store.Store) *fiber.App {
	return webtest.NewApp(t, func(app *fiber.App, w *web.Web) {
		kiosk.Mount(app, st, w, kiosk.Options{Idle: 60 * time.Second})
	})
}

func seed(t testing.TB, st *store.Store, nick, lang string) (*store.Site, *store.Member) {
	t.Helper()
	site, err := st.EnsureSite(ctx, "Test", "Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.CreateMember(ctx, store.MemberInput{Nickname: nick, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return site, m
}

func today(st *store.Store, site *store.Site) string {
	return st.Now().In(site.Location()).Format(time.DateOnly)
}

func TestCheckInJourney(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, m := seed(t, st, "<b>Jo</b>", "nl")
		app := newKiosk(t, st)
		c := webtest.NewClient(t, app)

		idle := c.Get("/kiosk")
		if idle.Status != 200 || !strings.Contains(idle.Body, `lang="nl" dir="ltr"`) {
			t.Fatalf("idle page: %d", idle.Status)
		}
		if strings.Contains(idle.Body, "Jo") {
			t.Fatal("the idle screen shows a member's name")
		}
		// A post without the form's token counts nothing: the kiosk starts
		// afresh (after a restart, its old token died with the server).
		if r := c.Do("POST", "/kiosk/scan", webtest.Form("token", m.Card.Token)); r.Status != 303 || r.Location != "/kiosk/reset" {
			t.Fatalf("scan without CSRF token: %d %q", r.Status, r.Location)
		}
		if n, _ := st.CountVisits(ctx, m.ID, site.ID, today(st, site)); n != 0 {
			t.Fatal("a scan without token was counted")
		}
		c.Get("/kiosk")
		r := c.Post("/kiosk/scan", webtest.Form("token", m.Card.Token))
		if r.Status != 303 || r.Location != "/kiosk/home" {
			t.Fatalf("scan: %d %q", r.Status, r.Location)
		}
		home := c.Get("/kiosk/home")
		if !strings.Contains(home.Body, "Welkom, \u2068&lt;b&gt;Jo&lt;/b&gt;\u2069!") || strings.Contains(home.Body, "<b>Jo</b>") {
			t.Fatalf("greeting must show the nickname as text:\n%s", home.Body)
		}
		if !strings.Contains(home.Body, "Je bent aangemeld") {
			t.Fatal("first scan should say checked in")
		}
		if home.Header.Get("Cache-Control") != "no-store" {
			t.Fatal("a page with a name must not be cached")
		}

		c.Get("/kiosk/reset")
		c.Get("/kiosk")
		c.Post("/kiosk/scan", webtest.Form("token", strings.ToLower(m.Card.Token)))
		if home := c.Get("/kiosk/home"); !strings.Contains(home.Body, "Je was vandaag al aangemeld") {
			t.Fatalf("second scan:\n%s", home.Body)
		}
		if n, _ := st.CountVisits(ctx, m.ID, site.ID, today(st, site)); n != 1 {
			t.Fatalf("want 1 visit, got %d", n)
		}

		r = c.Get("/kiosk/reset")
		if r.Status != 303 || r.Header.Get("Clear-Site-Data") == "" {
			t.Fatalf("reset: %d", r.Status)
		}
		if _, ok := c.Cookies["drempel_kiosk"]; ok {
			t.Fatal("the visitor's session cookie survived the reset")
		}
		if r := c.Get("/kiosk/home"); r.Status != 303 || r.Location != "/kiosk" {
			t.Fatalf("home after reset: %d %q", r.Status, r.Location)
		}
	})
}

func TestBadScansAreRefusedKindly(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, m := seed(t, st, "Jan", "nl")
		old := m.Card.Token
		if _, err := st.ReissueCard(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		app := newKiosk(t, st)
		for name, token := range map[string]string{
			"revoked":   old,
			"unknown":   store.NewToken(),
			"empty":     "",
			"garbled":   "12AB",
			"script":    "<script>alert(1)</script>",
			"not utf-8": "\xff\xfe\xfd",
			"oversized": strings.Repeat("A", 100_000),
		} {
			t.Run(name, func(t *testing.T) {
				c := webtest.NewClient(t, app)
				c.Get("/kiosk")
				r := follow(c, c.Post("/kiosk/scan", webtest.Form("token", token)))
				if r.Status != 404 || !strings.Contains(r.Body, "Deze kaart werkt niet") {
					t.Fatalf("want the friendly 404, got %d", r.Status)
				}
				if strings.Contains(r.Body, "<script>alert") || strings.Contains(r.Body, "Jan") {
					t.Fatal("the refusal echoes input or shows a name")
				}
			})
		}
		vs, err := st.VisitsOn(ctx, site.ID, today(st, site))
		if err != nil || len(vs) != 0 {
			t.Fatalf("refused scans stored visits: %d %v", len(vs), err)
		}
	})
}

func TestKioskLanguages(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	_, m := seed(t, st, "Amina", "ar")
	app := newKiosk(t, st)
	c := webtest.NewClient(t, app)
	c.Get("/kiosk")
	c.Post("/kiosk/lang", webtest.Form("lang", "fr"))
	if r := c.Get("/kiosk"); !strings.Contains(r.Body, `lang="fr" dir="ltr"`) {
		t.Fatal("French was not chosen")
	}
	c.Post("/kiosk/lang", webtest.Form("lang", "xx"))
	if r := c.Get("/kiosk"); !strings.Contains(r.Body, `lang="fr"`) {
		t.Fatal("an unknown language changed the kiosk")
	}
	// The member prefers Arabic: the greeting is in Arabic, right to left.
	c.Post("/kiosk/scan", webtest.Form("token", m.Card.Token))
	home := c.Get("/kiosk/home")
	if !strings.Contains(home.Body, `lang="ar" dir="rtl"`) || !strings.Contains(home.Body, "Amina") || strings.Contains(home.Body, "Welkom") {
		t.Fatalf("Arabic greeting:\n%s", home.Body)
	}
	// Every kiosk page renders in every kiosk language.
	for _, l := range web.KioskLanguages() {
		c := webtest.NewClient(t, app)
		c.Get("/kiosk")
		c.Post("/kiosk/lang", webtest.Form("lang", l.Code))
		for _, p := range []string{"/kiosk", "/kiosk/help", "/kiosk/camera", "/kiosk/nope"} {
			r := c.Get(p)
			if r.Status >= 500 || !strings.Contains(r.Body, `lang="`+l.Code+`"`) {
				t.Errorf("%s %s: %d", l.Code, p, r.Status)
			}
			if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
				t.Errorf("%s %s shows untranslated message ids %v", l.Code, p, ids)
			}
		}
	}
}

func TestCameraFrameDecoding(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	_, m := seed(t, st, "Jan", "nl")
	app := newKiosk(t, st)
	png, err := qrcode.Encode(m.Card.Token, qrcode.Medium, 480)
	if err != nil {
		t.Fatal(err)
	}
	post := func(img []byte) webtest.Response {
		c := webtest.NewClient(t, app)
		c.Get("/kiosk/camera")
		return c.Upload("/kiosk/scan-image", "frame", "frame.png", img)
	}
	if r := post(png); r.Status != 200 || !strings.Contains(r.Body, m.Card.Token) {
		t.Fatalf("QR frame: %d %s", r.Status, r.Body)
	}
	if r := post([]byte("not an image")); r.Status != 200 || r.Body != "{}" {
		t.Fatalf("garbage frame: %d %s", r.Status, r.Body)
	}
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// The next person at the kiosk can never get back to the previous
// visitor's screen: a refused card and the idle screen end the session.
func TestNextVisitorSeesNothing(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	_, m := seed(t, st, "Jan", "nl")
	app := newKiosk(t, st)
	for _, step := range []func(c *webtest.Client){
		func(c *webtest.Client) { c.Post("/kiosk/scan", webtest.Form("token", "UNKNOWN")) },
		func(c *webtest.Client) { c.Get("/kiosk") },
	} {
		c := webtest.NewClient(t, app)
		c.Get("/kiosk")
		c.Post("/kiosk/scan", webtest.Form("token", m.Card.Token))
		if r := c.Get("/kiosk/home"); !strings.Contains(r.Body, "Jan") {
			t.Fatal("no greeting")
		}
		step(c)
		for _, p := range []string{"/kiosk/home", "/kiosk/help", "/kiosk/bookings"} {
			if r := c.Get(p); strings.Contains(r.Body, "Jan") || strings.Contains(r.Body, "/kiosk/home") {
				t.Errorf("%s still leads to the previous visitor (%d)", p, r.Status)
			}
		}
	}
	if r := webtest.NewClient(t, app).Get("/kiosk/home"); strings.Contains(r.Body, "<title>Welkom") {
		t.Error("a greeting in the title would stay in the browser history")
	}
}

// A small file that claims a huge picture is refused before decoding.
func TestCameraFrameBomb(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	seed(t, st, "Jan", "nl")
	app := newKiosk(t, st)
	// A real 1×1 PNG whose header then claims 40000×40000 pixels.
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], 40000) // IHDR width
	binary.BigEndian.PutUint32(b[20:], 40000) // IHDR height
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	c := webtest.NewClient(t, app)
	c.Get("/kiosk/camera")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := c.Upload("/kiosk/scan-image", "frame", "bomb.png", buf.Bytes())
	runtime.ReadMemStats(&after)
	if r.Status != 200 || r.Body != "{}" {
		t.Fatalf("bomb: %d %s", r.Status, r.Body)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 200<<20 {
		t.Fatalf("decoding the bomb allocated %d MB", grew>>20)
	}
}
