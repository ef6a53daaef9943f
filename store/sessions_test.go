package store_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// The session storage keeps opaque bytes under a key, with an expiry, on
// both databases: what a second server or a restarted one reads back.
func TestSessionStorage(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ss := s.Sessions()
		if v, err := ss.Get("nobody"); v != nil || err != nil {
			t.Fatalf("missing key: %q %v", v, err)
		}
		val := []byte{0, 1, 2, 0xff, 'x', 0} // opaque: NUL and non-UTF-8 bytes
		if err := ss.Set("a", val, time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, err := ss.Get("a"); err != nil || !bytes.Equal(v, val) {
			t.Fatalf("get a: %v %v", v, err)
		}
		// Set replaces value and expiry.
		if err := ss.Set("a", []byte("second"), 0); err != nil {
			t.Fatal(err)
		}
		if v, _ := ss.Get("a"); string(v) != "second" {
			t.Fatalf("after replace: %q", v)
		}
		// Empty key or value: ignored without error, as Fiber's Storage says.
		if err := ss.Set("", []byte("x"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := ss.Set("empty", nil, time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, _ := ss.Get("empty"); v != nil {
			t.Fatalf("empty value was stored: %q", v)
		}

		// Delete, also of a key that is not there.
		if err := ss.Set("b", []byte("bee"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := ss.Delete("b"); err != nil {
			t.Fatal(err)
		}
		if err := ss.Delete("b"); err != nil {
			t.Fatalf("delete missing: %v", err)
		}
		if v, _ := ss.Get("b"); v != nil {
			t.Fatalf("deleted key still reads %q", v)
		}

		// Close leaves the database open.
		if err := ss.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Close closed the database: %v", err)
		}
		if v, _ := s.Sessions().Get("a"); string(v) != "second" {
			t.Fatalf("after Close: %q", v)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ss := s.Sessions()
		if err := ss.Set("short", []byte("soon gone"), time.Second); err != nil {
			t.Fatal(err)
		}
		if err := ss.Set("long", []byte("stays"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := ss.Set("forever", []byte("no expiry"), 0); err != nil {
			t.Fatal(err)
		}
		if v, _ := ss.Get("short"); string(v) != "soon gone" {
			t.Fatalf("before expiry: %q", v)
		}
		time.Sleep(1100 * time.Millisecond)
		if v, err := ss.Get("short"); v != nil || err != nil {
			t.Fatalf("expired session still reads %q %v", v, err)
		}
		n, err := s.PurgeSessions(ctx)
		if err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if n, err := s.PurgeSessions(ctx); err != nil || n != 0 {
			t.Fatalf("second purge: %d %v", n, err)
		}
		for _, k := range []string{"long", "forever"} {
			if v, _ := ss.Get(k); v == nil {
				t.Fatalf("%s was purged", k)
			}
		}
		// An expired key set again lives again.
		if err := ss.Set("short", []byte("back"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, _ := ss.Get("short"); string(v) != "back" {
			t.Fatalf("set after expiry: %q", v)
		}
	})
}

// Reset empties the sessions and touches no other table.
func TestSessionResetOnlySessions(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		site(t, s)
		m, err := s.CreateMember(ctx, store.MemberInput{Nickname: "Amina", Lang: "ar"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, store.SettingOrgName, "Drempel vzw"); err != nil {
			t.Fatal(err)
		}
		ss := s.Sessions()
		for i := range 3 {
			if err := ss.Set(fmt.Sprint("k", i), []byte("v"), time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		if err := ss.Reset(); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if v, _ := ss.Get(fmt.Sprint("k", i)); v != nil {
				t.Fatalf("k%d survived Reset", i)
			}
		}
		if got, err := s.Member(ctx, m.ID); err != nil || got.Nickname != "Amina" {
			t.Fatalf("member after Reset: %v", err)
		}
		if v, err := s.Setting(ctx, store.SettingOrgName); err != nil || v != "Drempel vzw" {
			t.Fatalf("setting after Reset: %q %v", v, err)
		}
		// The storage still works after Reset.
		if err := ss.Set("k0", []byte("again"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, _ := ss.Get("k0"); string(v) != "again" {
			t.Fatalf("after Reset: %q", v)
		}
	})
}

// 50 requests save their sessions at once, twice each (a new session and
// the sliding save of the next request): every one is stored, none lost or
// mixed up, on SQLite's single writer as on PostgreSQL's pool.
func TestSessionConcurrentSet(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ss := s.Sessions()
		const n = 50
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("session-%02d", i)
				if err := ss.Set(key, []byte("first "+key), time.Minute); err != nil {
					errs <- err
					return
				}
				if err := ss.Set(key, []byte("value "+key), time.Hour); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i := range n {
			key := fmt.Sprintf("session-%02d", i)
			if v, err := ss.Get(key); err != nil || string(v) != "value "+key {
				t.Fatalf("%s: %q %v", key, v, err)
			}
		}
		var count int64
		if err := s.R.Table("sessions").Count(&count).Error; err != nil || count != n {
			t.Fatalf("rows: %d %v", count, err)
		}
	})
}

// BenchmarkSessionStorage is what one session read or write costs: a
// Fiber session Save is one Set, a sign-in or a kiosk scan adds a Delete.
func BenchmarkSessionStorage(b *testing.B) {
	for _, kind := range storetest.Kinds {
		b.Run(kind, func(b *testing.B) {
			ss := storetest.Open(b, kind).Sessions()
			val := bytes.Repeat([]byte{0x2a}, 120) // a kiosk session's size, about
			b.Run("Set", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if err := ss.Set(fmt.Sprint("k", i%100), val, time.Minute); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Get", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if v, err := ss.Get(fmt.Sprint("k", i%100)); err != nil || v == nil {
						b.Fatal(v, err)
					}
				}
			})
			b.Run("DeleteMissing", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if err := ss.Delete(fmt.Sprint("none", i)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
