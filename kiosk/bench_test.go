package kiosk_test

import (
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
		webtest.ScanAndGreet(b, app, csrf, cookies, tokens[i%len(tokens)])
	}
	b.StopTimer()
}
