package admin_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// Twenty browsers that opened the setup link post its form at the same
// moment: one admin is made, and every other post hears the link is used.
func TestSetupLinkMakesOneAdminFromParallelPosts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		app := webtest.NewApp(t, func(app *fiber.App, w *web.Web) { admin.Mount(app, st, w, admin.Options{Log: quiet}) })
		tok, err := st.NewSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const n = 20
		clients := make([]*webtest.Client, n)
		for i := range clients {
			clients[i] = webtest.NewClient(t, app)
			if r := clients[i].Get("/setup/" + tok); r.Status != 200 {
				t.Fatalf("setup form: %d", r.Status)
			}
		}
		status := make([]int, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status[i] = c.Post("/setup/"+tok, webtest.Form("org", "CPAS", "email", fmt.Sprintf("admin%d@test.be", i), "password", pw)).Status
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, s := range status {
			switch s {
			case 303:
				won++
			case 404:
			default:
				t.Errorf("post %d: %d", i, s)
			}
		}
		users, err := st.CountUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if won != 1 || users != 1 {
			t.Fatalf("%d posts made an admin, %d accounts exist; want one of each", won, users)
		}
	})
}
