package kiosk_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

var (
	calendarDay = regexp.MustCompile(`class="picto cal"[^>]*>.*?<text[^>]*>(\d+)</text>`)
	clockHands  = regexp.MustCompile(`class="picto clockface"[^>]*>.*?</g><line x1="32" y1="32" x2="([\d.]+)" y2="([\d.]+)"`)
)

// Day tiles show their own date and time tiles their own hour (not the
// same calendar and clock on every tile); each screen says its question
// when it opens unless the kiosk is quiet. Rendering only: the data come
// from queries the lab tests run on both databases, so SQLite suffices.
func TestDaysAndTimesShowThemselves(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	site, m := seed(t, st, "Jan", "nl")
	openAllDay(t, st, site, 2)
	c := webtest.NewClient(t, newKiosk(t, st))
	scanIn(t, c, m)

	days := c.Get("/kiosk/lab")
	seen := map[string]bool{}
	for _, d := range calendarDay.FindAllStringSubmatch(days.Body, -1) {
		if seen[d[1]] {
			t.Errorf("two day tiles show the date %s", d[1])
		}
		seen[d[1]] = true
	}
	if len(seen) < 2 {
		t.Fatalf("day tiles without their dates:\n%s", days.Body)
	}
	if !regexp.MustCompile(`data-autoplay="1"`).MatchString(days.Body) {
		t.Error("the question is not said when the screen opens")
	}

	tomorrow := time.Now().In(site.Location()).AddDate(0, 0, 1).Format(time.DateOnly)
	slots := c.Get("/kiosk/lab/" + tomorrow)
	hands := map[string]bool{}
	for _, h := range clockHands.FindAllStringSubmatch(slots.Body, -1) {
		hands[h[1]+","+h[2]] = true
	}
	if len(hands) < 2 {
		t.Fatalf("time tiles do not show their hour (%d different clocks):\n%s", len(hands), slots.Body)
	}

	quiet := webtest.NewClient(t, webtest.NewApp(t, func(app *fiber.App, w *web.Web) {
		kiosk.Mount(app, st, w, kiosk.Options{Idle: time.Minute, Quiet: true})
	}))
	if r := quiet.Get("/kiosk"); regexp.MustCompile(`data-autoplay`).MatchString(r.Body) {
		t.Error("a quiet kiosk still says its questions by itself")
	}
}
