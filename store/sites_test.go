package store_test

import (
	"sync"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// Servers of a network that start together on an empty database make one
// first site between them, not one each.
func TestFirstSiteOnceWhateverStartsAtOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := st.EnsureSite(ctx, "Drempel", "Europe/Brussels"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if sites, err := st.Sites(ctx); err != nil || len(sites) != 1 {
			t.Fatalf("sites: %d %v", len(sites), err)
		}
	})
}
