package kiosk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// BenchmarkScanAndGreet is one check-in inside the process, without the
// network: the scan POST that stores the visit, then the greeting GET.
// It shows the server's own cost per check-in (see cmd/drempel's
// BenchmarkCheckInLoad for the whole system under 200 kiosks).
func BenchmarkScanAndGreet(b *testing.B) {
	members := 100_000
	if testing.Short() {
		members = 5_000
	}
	st := storetest.Open(b, "sqlite")
	tokens := storetest.SeedLoad(b, st, members, 10)
	app := newKiosk(b, st)
	c := webtest.NewClient(b, app)
	page := c.Get("/kiosk")
	csrf := csrfRe.FindStringSubmatch(page.Body)[1]
	cookies := c.Cookies
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		form := url.Values{"_csrf": {csrf}, "token": {tokens[i%len(tokens)]}}
		req := httptest.NewRequest("POST", "/kiosk/scan", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		res, err := app.Test(req, -1)
		if err != nil || res.StatusCode != 303 {
			b.Fatalf("scan: %v %v", err, res.StatusCode)
		}
		req = httptest.NewRequest("GET", "/kiosk/home", nil)
		for _, ck := range res.Cookies() {
			req.AddCookie(ck)
		}
		res, err = app.Test(req, -1)
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("greeting: %v %v", err, res.StatusCode)
		}
	}
	b.StopTimer()
	_ = fmt.Sprint()
}
