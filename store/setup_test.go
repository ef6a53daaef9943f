package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// Twenty posts of the setup form at once (a double click, a script) make
// one admin; the others hear the link was used. Half of them use the link
// a second server printed, which stops working just the same.
func TestSetupMakesOneAdminWhateverArrivesAtOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		links := make([]string, 2)
		for i := range links {
			tok, err := s.NewSetupToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			links[i] = tok
		}
		const n = 20
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				link := links[0]
				if i >= 15 {
					link = links[1] // the other server's
				}
				_, errs[i] = s.CompleteSetup(ctx, link, store.UserInput{
					Email: fmt.Sprintf("admin%d@test.be", i), Password: "long enough pw"})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrSetupDone):
				t.Errorf("post %d: %v", i, err)
			}
		}
		users, err := s.CountUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if won != 1 || users != 1 {
			t.Fatalf("%d posts won, %d accounts made; want one of each", won, users)
		}
		for _, l := range links {
			if s.SetupTokenValid(ctx, l) {
				t.Error("a setup link still works after setup")
			}
		}
	})
}
