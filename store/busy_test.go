package store_test

import (
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver gorm.io/driver/sqlite uses

	"github.com/drempel/drempel/store"
)

// Another process holding SQLite's write lock (a backup, the sqlite3
// shell, a second server pointed at the same file by mistake) makes a
// check-in wait, as long as the busy timeout allows, and then succeed.
// SQLite only: PostgreSQL's writers wait on row locks, never on a lock of
// the whole database, so there is nothing of the kind to test there.
func TestCheckInWaitsForAnotherWriter(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	st := site(t, s)
	var ms []*store.Member
	for _, n := range []string{"Amina", "Yonas", "Olena", "Mehmet"} {
		ms = append(ms, member(t, s, n))
	}

	// The other process: its own connection to the same file, holding
	// the write lock for a while.
	other, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "drempel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	if _, err := other.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	const hold = 1500 * time.Millisecond
	released := make(chan time.Time, 1)
	// It writes too, so that whoever read before it commits reads an
	// older database than the one it must write to.
	if _, err := other.Exec("INSERT INTO settings (key, value) VALUES ('other process', 'was here')"); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(hold)
		if _, err := other.Exec("COMMIT"); err != nil {
			t.Error(err)
		}
		released <- time.Now()
	}()

	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(ms))
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = s.CheckIn(ctx, m.ID, st)
		}()
	}
	wg.Wait()
	<-released
	for i, err := range errs {
		if err != nil {
			t.Errorf("check-in %d failed after %v: %v", i, time.Since(start).Round(time.Millisecond), err)
		}
	}
	if time.Since(start) < hold {
		t.Fatalf("the check-ins did not wait for the other writer")
	}
	day := s.Now().In(st.Location()).Format(time.DateOnly)
	if vs, err := s.VisitsOn(ctx, st.ID, day); err != nil || len(vs) != len(ms) {
		t.Fatalf("visits stored: %d (%v), want %d", len(vs), err, len(ms))
	}
}
