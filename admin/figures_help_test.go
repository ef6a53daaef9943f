package admin_test

import (
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// The period figures hold the help queue and the tandems (issue 12's
// figures): 3 tickets this month show as "< 5"; 6 show as 6, with how
// they ended; the tandem of the seed counts.
func TestFiguresHoldHelpAndTandems(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f, _, b := figuresFixture(t, st)
		nl := nlLoc(t)
		ask := func(n int) {
			for range n {
				if _, err := st.AskForHelp(ctx, store.HelpInput{SiteID: b.ID, Subject: "paper", Lang: "nl"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		ask(3)
		c := f.signIn(t, store.RoleAdmin)
		if r := switchTo(c, b.ID); r.Status != 303 {
			t.Fatalf("switch site: %d", r.Status)
		}
		r := c.Get("/admin/figures?range=month")
		if r.Status != 200 {
			t.Fatalf("figures: %d", r.Status)
		}
		if got := figCell(t, r.Body, "help", nl.T("admin.figures.help.tickets"), 0); got != store.MaskedSmall {
			t.Errorf("3 tickets show as %q", got)
		}
		ask(3)
		r = c.Get("/admin/figures?range=month")
		if got := figCell(t, r.Body, "help", nl.T("admin.figures.help.tickets"), 0); got != "6" {
			t.Errorf("6 tickets show as %q", got)
		}
		if got := figCell(t, r.Body, "help", nl.T("admin.figures.help.open"), 0); got != "6" {
			t.Errorf("6 open tickets show as %q", got)
		}
		if got := figCell(t, r.Body, "tandems", nl.T("admin.figures.tandems.active"), 0); got != "0" && got != store.MaskedSmall {
			t.Errorf("tandems: %q", got)
		}
	})
}
