package kiosk_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// When the database cannot take a check-in (here: its writer is gone, as
// when the disk fails), the visitor is asked, in their language, to scan
// again; nothing is stored and no error detail reaches the screen. Only
// SQLite: closing the writer pool is how a test makes every write fail on
// demand; the handler's path is the same on PostgreSQL.
func TestCheckInThatCannotBeWrittenAsksToScanAgain(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	site, m := seed(t, st, "Amina", "ar")
	app := newKiosk(t, st)
	c := webtest.NewClient(t, app)
	c.Get("/kiosk")
	db, err := st.W.DB()
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := c.Post("/kiosk/scan", webtest.Form("token", m.Card.Token))
	x, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := html.EscapeString(x.Loc("nl", "nl").T("kiosk.err.scan_again"))
	if r.Status != 503 || !strings.Contains(r.Body, want) || strings.Contains(strings.ToLower(r.Body), "sql") {
		t.Fatalf("a check-in that cannot be written: %d, want 503 asking to scan again\n%s", r.Status, r.Body)
	}
	if vs, _ := st.VisitsOn(ctx, site.ID, st.Now().In(site.Location()).Format(time.DateOnly)); len(vs) != 0 {
		t.Fatalf("%d visits stored", len(vs))
	}
}
