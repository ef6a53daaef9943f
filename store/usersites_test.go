package store_test

// Staff belong to sites; migration 14 gives existing staff every site.

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func siteIDs(sites []store.Site) []int64 {
	ids := make([]int64, len(sites))
	for i, s := range sites {
		ids[i] = s.ID
	}
	return ids
}

func mustUser(t *testing.T, s *store.Store, email string, role store.Role, sites []int64) *store.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), store.UserInput{Email: email, Role: role, Password: "long enough pw", Sites: sites})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantSites(t *testing.T, s *store.Store, u *store.User, want ...int64) {
	t.Helper()
	sites, err := s.UserSites(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := siteIDs(sites); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("%s: sites %v, want %v", u.Email, got, want)
	}
}

// Staff, facilitators and coordinators work at the sites they were given
// and an admin at every site; StaffSite keeps a staff member to theirs;
// SetUserSites is all or nothing.
func TestUserSites(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Before any site: an account with no site, which StaffSite refuses.
		early := mustUser(t, s, "early@test.be", store.RoleStaff, nil)
		if _, err := s.StaffSite(ctx, early.ID, 0); !errors.Is(err, store.ErrNoSite) {
			t.Fatalf("staff without a site: %v", err)
		}
		a, err := s.EnsureSite(ctx, "Antwerpen", "Europe/Brussels")
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateSite(ctx, store.SiteInput{Name: "Liège"})
		if err != nil {
			t.Fatal(err)
		}
		adm := mustUser(t, s, "admin@test.be", store.RoleAdmin, nil)
		staff := mustUser(t, s, "staff@test.be", store.RoleStaff, nil) // not said: the first site
		fac := mustUser(t, s, "fac@test.be", store.RoleFacilitator, []int64{b.ID})
		wantSites(t, s, adm, a.ID, b.ID)
		wantSites(t, s, staff, a.ID)
		wantSites(t, s, fac, b.ID)
		wantSites(t, s, &store.User{ID: 999999, Email: "nobody"})

		for _, c := range []struct {
			u            *store.User
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
		if _, err := s.CreateUser(ctx, store.UserInput{Email: "x@test.be", Role: store.RoleStaff, Password: "long enough pw", Sites: []int64{}}); fieldCode(err) != "sites.required" {
			t.Fatalf("new staff with no site: %v", err)
		}
		if _, err := s.CreateUser(ctx, store.UserInput{Email: "x@test.be", Role: store.RoleStaff, Password: "long enough pw", Sites: []int64{a.ID, 999999}}); fieldCode(err) != "sites.bad_choice" {
			t.Fatalf("new staff with an unknown site: %v", err)
		}
		if _, err := s.Authenticate(ctx, "x@test.be", "long enough pw"); !errors.Is(err, store.ErrNotFound) {
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
		if err := s.SetUserSites(ctx, 999999, []int64{a.ID}); !errors.Is(err, store.ErrNotFound) {
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
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, _ := s.EnsureSite(ctx, "A", "Europe/Brussels")
		b, err := s.CreateSite(ctx, store.SiteInput{Name: "B"})
		if err != nil {
			t.Fatal(err)
		}
		staff := mustUser(t, s, "staff@test.be", store.RoleStaff, nil)
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
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, _ := s.EnsureSite(ctx, "A", "Europe/Brussels")
		b, err := s.CreateSite(ctx, store.SiteInput{Name: "B"})
		if err != nil {
			t.Fatal(err)
		}
		adm := mustUser(t, s, "admin@test.be", store.RoleAdmin, nil)
		staff := mustUser(t, s, "staff@test.be", store.RoleStaff, nil)
		fac := mustUser(t, s, "fac@test.be", store.RoleFacilitator, nil)
		if err := s.SetUserDisabled(ctx, fac.ID, true); err != nil {
			t.Fatal(err)
		}
		// As before the upgrade: nobody belongs to a site.
		if err := s.W.Exec("DELETE FROM user_sites").Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.StaffSite(ctx, staff.ID, 0); !errors.Is(err, store.ErrNoSite) {
			t.Fatalf("before the upgrade step: %v", err)
		}
		for range 2 {
			upgradeStep(t, s, store.GiveStaffEverySite)
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
