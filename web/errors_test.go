package web_test

import (
	"bytes"
	"fmt"
	"html"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// A handler returns what the store said; the error handler, the one place,
// answers a "not found" (bare or wrapped) as a 404 with the not-found page
// in the user's language, exactly as it answers fiber.ErrNotFound, and with
// nothing of the error's text on the screen or in the error log.
func TestStoreNotFoundIsA404(t *testing.T) {
	var logged bytes.Buffer
	w, err := web.New(web.Options{TimeZone: time.UTC, DefaultLang: "nl",
		Log: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(w.Config())
	w.Use(app)
	answers := map[string]error{
		"bare":    store.ErrNotFound,
		"wrapped": fmt.Errorf("loading device 42 for a secret reason: %w", store.ErrNotFound),
		"fiber":   fiber.ErrNotFound,
	}
	for _, area := range []string{"admin", "kiosk"} {
		app.Get("/"+area+"/:kind", func(c *fiber.Ctx) error { return answers[c.Params("kind")] })
	}

	get := func(path, lang string) (int, string) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		if strings.HasPrefix(path, "/kiosk") {
			req.Header.Set("Cookie", "drempel_kiosk_lang="+lang)
		} else {
			req.Header.Set("Accept-Language", lang)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(res.Body); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, b.String()
	}

	for _, area := range []string{"admin", "kiosk"} {
		for _, lang := range []string{"fr", "en"} {
			want := html.EscapeString(w.I18n.Loc(lang, "nl").T("error.not_found"))
			_, fiberBody := get("/"+area+"/fiber", lang)
			for _, kind := range []string{"bare", "wrapped"} {
				status, body := get("/"+area+"/"+kind, lang)
				if status != fiber.StatusNotFound {
					t.Errorf("%s %s %s: status %d, want 404", area, kind, lang, status)
				}
				if !strings.Contains(body, want) {
					t.Errorf("%s %s %s: not the not-found page in %s:\n%s", area, kind, lang, lang, body)
				}
				// The same page but for its own path (the language switch's way back).
				if strings.ReplaceAll(body, "/"+area+"/"+kind, "/"+area+"/fiber") != fiberBody {
					t.Errorf("%s %s %s: answered differently from fiber.ErrNotFound:\n%s", area, kind, lang, body)
				}
				for _, detail := range []string{"not found", "secret reason", "device 42", "goroutine", ".go:"} {
					if strings.Contains(body, detail) {
						t.Errorf("%s %s %s: page shows %q", area, kind, lang, detail)
					}
				}
			}
		}
		// The kiosk's not-found page is its own, not the admin panel's.
		if _, body := get("/"+area+"/bare", "en"); strings.Contains(body, `href="/admin"`) != (area == "admin") {
			t.Errorf("%s: a not-found page of the other area:\n%s", area, body)
		}
	}
	if logged.Len() != 0 {
		t.Errorf("a 404 was logged as a failure:\n%s", logged.String())
	}
}
