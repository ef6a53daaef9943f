package store

// An internal test: it calls migration 14's data step (giveStaffEverySite)
// itself. storetest imports this package, so it cannot be used here;
// eachDB opens the same two databases it does.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
)

// eachDB runs f on a fresh, migrated SQLite store and, when
// DREMPEL_TEST_POSTGRES_URL names a server, on a fresh PostgreSQL one
// (required under CI=true), as storetest.EachDB does.
func eachDB(t *testing.T, f func(t *testing.T, s *Store)) {
	t.Helper()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			cfg := Config{DataDir: t.TempDir()}
			if kind == "postgres" {
				cfg.DatabaseURL = newPostgresDB(t)
			}
			s, err := Open(context.Background(), cfg)
			if err != nil {
				t.Fatalf("open %s: %v", kind, err)
			}
			t.Cleanup(func() { s.Close() })
			s.SetPasswordCost(4)
			f(t, s)
		})
	}
}

func newPostgresDB(t *testing.T) string {
	t.Helper()
	server := os.Getenv("DREMPEL_TEST_POSTGRES_URL")
	if server == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DREMPEL_TEST_POSTGRES_URL is not set: under CI the PostgreSQL tests must run")
		}
		t.Skip("DREMPEL_TEST_POSTGRES_URL not set")
	}
	db, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "drempel_t_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", server); err == nil {
			db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			db.Close()
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func siteIDs(sites []Site) []int64 {
	ids := make([]int64, len(sites))
	for i, s := range sites {
		ids[i] = s.ID
	}
	return ids
}

func mustUser(t *testing.T, s *Store, email string, role Role, sites []int64) *User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), UserInput{Email: email, Role: role, Password: "long enough pw", Sites: sites})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantSites(t *testing.T, s *Store, u *User, want ...int64) {
	t.Helper()
	sites, err := s.UserSites(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := siteIDs(sites); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("%s: sites %v, want %v", u.Email, got, want)
	}
}

func fieldCode(err error) string {
	if fe, ok := AsFieldError(err); ok {
		return fe.Field + "." + fe.Code
	}
	return ""
}

// Staff, facilitators and coordinators work at the sites they were given
// and an admin at every site; StaffSite keeps a staff member to theirs;
// SetUserSites is all or nothing.
func TestUserSites(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		// Before any site: an account with no site, which StaffSite refuses.
		early := mustUser(t, s, "early@test.be", RoleStaff, nil)
		if _, err := s.StaffSite(ctx, early.ID, 0); !errors.Is(err, ErrNoSite) {
			t.Fatalf("staff without a site: %v", err)
		}
		a, err := s.EnsureSite(ctx, "Antwerpen", "Europe/Brussels")
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateSite(ctx, SiteInput{Name: "Liège"})
		if err != nil {
			t.Fatal(err)
		}
		adm := mustUser(t, s, "admin@test.be", RoleAdmin, nil)
		staff := mustUser(t, s, "staff@test.be", RoleStaff, nil) // not said: the first site
		fac := mustUser(t, s, "fac@test.be", RoleFacilitator, []int64{b.ID})
		wantSites(t, s, adm, a.ID, b.ID)
		wantSites(t, s, staff, a.ID)
		wantSites(t, s, fac, b.ID)
		wantSites(t, s, &User{ID: 999999, Email: "nobody"})

		for _, c := range []struct {
			u            *User
			chosen, want int64
		}{
			{staff, 0, a.ID}, {staff, b.ID, a.ID}, {staff, 999999, a.ID},
			{fac, 0, b.ID}, {fac, a.ID, b.ID},
			{adm, 0, a.ID}, {adm, b.ID, b.ID},
		} {
			site, err := s.StaffSite(ctx, c.u.ID, c.chosen)
			if err != nil || site.ID != c.want {
				t.Errorf("%s choosing %d: %v %v, want %d", c.u.Email, c.chosen, site, err, c.want)
			}
		}

		// A new account's sites are checked with it: nothing is made.
		if _, err := s.CreateUser(ctx, UserInput{Email: "x@test.be", Role: RoleStaff, Password: "long enough pw", Sites: []int64{}}); fieldCode(err) != "sites.required" {
			t.Fatalf("new staff with no site: %v", err)
		}
		if _, err := s.CreateUser(ctx, UserInput{Email: "x@test.be", Role: RoleStaff, Password: "long enough pw", Sites: []int64{a.ID, 999999}}); fieldCode(err) != "sites.bad_choice" {
			t.Fatalf("new staff with an unknown site: %v", err)
		}
		if _, err := s.Authenticate(ctx, "x@test.be", "long enough pw"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a refused account was made anyway: %v", err)
		}

		if err := s.SetUserSites(ctx, staff.ID, []int64{b.ID, a.ID, b.ID}); err != nil {
			t.Fatal(err)
		}
		wantSites(t, s, staff, a.ID, b.ID)
		if err := s.SetUserSites(ctx, staff.ID, []int64{a.ID, 999999}); fieldCode(err) != "sites.bad_choice" {
			t.Fatalf("unknown site: %v", err)
		}
		if err := s.SetUserSites(ctx, staff.ID, nil); fieldCode(err) != "sites.required" {
			t.Fatalf("no site: %v", err)
		}
		wantSites(t, s, staff, a.ID, b.ID) // a refused change changed nothing
		if err := s.SetUserSites(ctx, 999999, []int64{a.ID}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
		if err := s.SetUserSites(ctx, adm.ID, nil); err != nil {
			t.Fatalf("an admin needs no site: %v", err)
		}
		wantSites(t, s, adm, a.ID, b.ID)
		if err := s.SetUserSites(ctx, early.ID, []int64{b.ID}); err != nil {
			t.Fatal(err)
		}
		if site, err := s.StaffSite(ctx, early.ID, 0); err != nil || site.ID != b.ID {
			t.Fatalf("given a site: %v %v", site, err)
		}

		// Disabled accounts keep their sites.
		if err := s.SetUserDisabled(ctx, fac.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserDisabled(ctx, fac.ID, false); err != nil {
			t.Fatal(err)
		}
		wantSites(t, s, fac, b.ID)
		by, err := s.SiteIDsByUser(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(by[staff.ID], []int64{a.ID, b.ID}) || !slices.Equal(by[fac.ID], []int64{b.ID}) || len(by[adm.ID]) != 0 {
			t.Fatalf("sites by user: %v", by)
		}
	})
}

// Two admins saving one account's sites at once both succeed, one after
// the other; the account ends with one of the two choices, whole.
func TestSetUserSitesConcurrently(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a, _ := s.EnsureSite(ctx, "A", "Europe/Brussels")
		b, err := s.CreateSite(ctx, SiteInput{Name: "B"})
		if err != nil {
			t.Fatal(err)
		}
		staff := mustUser(t, s, "staff@test.be", RoleStaff, nil)
		choices := [][]int64{{a.ID}, {b.ID}, {a.ID, b.ID}}
		var wg sync.WaitGroup
		errs := make(chan error, 24)
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.SetUserSites(ctx, staff.ID, choices[i%len(choices)])
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		sites, err := s.UserSites(ctx, staff.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := siteIDs(sites)
		if !slices.ContainsFunc(choices, func(c []int64) bool { return slices.Equal(c, got) }) {
			t.Fatalf("sites after concurrent saves: %v", got)
		}
	})
}

// The upgrade that brings sites to staff (migration 14) gives everyone
// who is not an admin every existing site, disabled accounts too, so
// nobody loses access; run again, it changes nothing.
func TestUpgradeGivesStaffEverySite(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a, _ := s.EnsureSite(ctx, "A", "Europe/Brussels")
		b, err := s.CreateSite(ctx, SiteInput{Name: "B"})
		if err != nil {
			t.Fatal(err)
		}
		adm := mustUser(t, s, "admin@test.be", RoleAdmin, nil)
		staff := mustUser(t, s, "staff@test.be", RoleStaff, nil)
		fac := mustUser(t, s, "fac@test.be", RoleFacilitator, nil)
		if err := s.SetUserDisabled(ctx, fac.ID, true); err != nil {
			t.Fatal(err)
		}
		// As before the upgrade: nobody belongs to a site.
		if err := s.W.Exec("DELETE FROM user_sites").Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.StaffSite(ctx, staff.ID, 0); !errors.Is(err, ErrNoSite) {
			t.Fatalf("before the upgrade step: %v", err)
		}
		db, err := s.W.DB()
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := giveStaffEverySite(ctx, tx); err != nil {
				tx.Rollback()
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			by, err := s.SiteIDsByUser(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []int64{a.ID, b.ID}
			if !slices.Equal(by[staff.ID], want) || !slices.Equal(by[fac.ID], want) || len(by[adm.ID]) != 0 || len(by) != 2 {
				t.Fatalf("after the upgrade: %v", by)
			}
		}
		if site, err := s.StaffSite(ctx, staff.ID, b.ID); err != nil || site.ID != b.ID {
			t.Fatalf("staff after the upgrade: %v %v", site, err)
		}
	})
}
