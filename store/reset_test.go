package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

const oldPW = "the old password"

// resetUsers makes an admin and a staff member.
func resetUsers(t *testing.T, s *store.Store) (admin, staff *store.User) {
	t.Helper()
	if _, err := s.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"); err != nil {
		t.Fatal(err)
	}
	admin, err := s.CreateUser(ctx, store.UserInput{Email: "admin@test.be", Role: store.RoleAdmin, Password: oldPW})
	if err != nil {
		t.Fatal(err)
	}
	staff, err = s.CreateUser(ctx, store.UserInput{Email: "staff@test.be", Role: store.RoleStaff, Password: oldPW})
	if err != nil {
		t.Fatal(err)
	}
	return admin, staff
}

func signsIn(s *store.Store, email, pw string) bool {
	_, err := s.Authenticate(ctx, email, pw)
	return err == nil
}

func TestResetLinkSetsPasswordOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		admin, staff := resetUsers(t, s)
		tok, expires, err := s.NewResetLink(ctx, staff.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Until(expires); d < 23*time.Hour || d > 25*time.Hour {
			t.Errorf("the link works until %v, want a day from now", expires)
		}
		// The database holds the token's hash, never the token.
		var rows []store.Setting
		if err := s.R.Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if strings.Contains(r.Key+r.Value, tok) {
				t.Fatalf("setting %q holds the reset token in clear", r.Key)
			}
		}
		if since, _ := s.SessionsSince(ctx, staff.ID); since != 0 {
			t.Fatalf("sessions valid since %d before any reset", since)
		}

		u, err := s.ResetLinkUser(ctx, tok)
		if err != nil || u.ID != staff.ID {
			t.Fatalf("the link's account: %v, %v", u, err)
		}
		if u, err := s.ResetLinkUser(ctx, strings.ToLower(tok)); err != nil || u.ID != staff.ID {
			t.Fatalf("the link typed in lower case: %v", err)
		}

		// The same rules as everywhere: too short or too long is refused,
		// and the link still works.
		for _, pw := range []string{"short", strings.Repeat("x", 73)} {
			_, err := s.ResetPassword(ctx, tok, pw)
			if fe, ok := store.AsFieldError(err); !ok || fe.Field != "password" {
				t.Fatalf("password %q: %v, want a field error", pw, err)
			}
		}
		before := time.Now().UnixNano()
		done, err := s.ResetPassword(ctx, tok, "a brand new password")
		if err != nil {
			t.Fatal(err)
		}
		if done.User.ID != staff.ID || done.By != admin.ID {
			t.Errorf("reset of %d by %d, want %d by %d", done.User.ID, done.By, staff.ID, admin.ID)
		}
		if signsIn(s, "staff@test.be", oldPW) || !signsIn(s, "staff@test.be", "a brand new password") {
			t.Fatal("after the reset the new password signs in, the old one does not")
		}
		if since, _ := s.SessionsSince(ctx, staff.ID); since < before {
			t.Errorf("sessions valid since %d, want after the reset (%d)", since, before)
		}
		if since, _ := s.SessionsSince(ctx, admin.ID); since != 0 {
			t.Error("the admin's sessions end with the staff member's reset")
		}

		// Used: the link works no more.
		if _, err := s.ResetLinkUser(ctx, tok); !errors.Is(err, store.ErrResetUsed) {
			t.Fatalf("used link opens: %v", err)
		}
		if _, err := s.ResetPassword(ctx, tok, "yet another password"); !errors.Is(err, store.ErrResetUsed) {
			t.Fatalf("used link sets a password: %v", err)
		}
		if !signsIn(s, "staff@test.be", "a brand new password") {
			t.Fatal("a used link changed the password again")
		}
		for _, bad := range []string{"", "nope", strings.Repeat("Z", 26), tok + "0"} {
			if _, err := s.ResetPassword(ctx, bad, "a brand new password"); !errors.Is(err, store.ErrResetUsed) {
				t.Errorf("link %q: %v", bad, err)
			}
		}
		if _, _, err := s.NewResetLink(ctx, 999999, admin.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a link for no account: %v", err)
		}
	})
}

func TestResetLinkExpiresAfterADay(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		admin, staff := resetUsers(t, s)
		tok, _, err := s.NewResetLink(ctx, staff.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer s.SetClock(time.Now)
		s.SetClock(func() time.Time { return time.Now().Add(23 * time.Hour) })
		if _, err := s.ResetLinkUser(ctx, tok); err != nil {
			t.Fatalf("after 23 hours: %v", err)
		}
		s.SetClock(func() time.Time { return time.Now().Add(24*time.Hour + time.Minute) })
		if _, err := s.ResetLinkUser(ctx, tok); !errors.Is(err, store.ErrResetUsed) {
			t.Fatalf("after 24 hours the link opens: %v", err)
		}
		if _, err := s.ResetPassword(ctx, tok, "a brand new password"); !errors.Is(err, store.ErrResetUsed) {
			t.Fatalf("after 24 hours the link sets a password: %v", err)
		}
		if !signsIn(s, "staff@test.be", oldPW) {
			t.Fatal("an expired link changed the password")
		}
		// The next link made clears the expired one away.
		if _, _, err := s.NewResetLink(ctx, admin.ID, admin.ID); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := s.R.Model(&store.Setting{}).Where("key LIKE ?", "reset:%").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d reset links stored, want the one that works", n)
		}
	})
}

func TestNewResetLinkReplacesTheFirst(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		admin, staff := resetUsers(t, s)
		first, _, err := s.NewResetLink(ctx, staff.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		own, _, err := s.NewResetLink(ctx, admin.ID, admin.ID) // another account's link stays
		if err != nil {
			t.Fatal(err)
		}
		second, _, err := s.NewResetLink(ctx, staff.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, first, "a brand new password"); !errors.Is(err, store.ErrResetUsed) {
			t.Fatalf("the replaced link: %v", err)
		}
		if _, err := s.ResetLinkUser(ctx, own); err != nil {
			t.Fatalf("another account's link stopped working: %v", err)
		}
		if _, err := s.ResetPassword(ctx, second, "a brand new password"); err != nil {
			t.Fatalf("the newer link: %v", err)
		}
	})
}

func TestDisabledAccountCannotBeReset(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		admin, staff := resetUsers(t, s)
		tok, _, err := s.NewResetLink(ctx, staff.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserDisabled(ctx, staff.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, tok, "a brand new password"); !errors.Is(err, store.ErrResetUsed) {
			t.Fatalf("a link made before the account was disabled: %v", err)
		}
		if _, _, err := s.NewResetLink(ctx, staff.ID, admin.ID); !errors.Is(err, store.ErrUserDisabled) {
			t.Fatalf("a link for a disabled account: %v", err)
		}
		// Enabled again: the old link stays dead, a new one works.
		if err := s.SetUserDisabled(ctx, staff.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetLinkUser(ctx, tok); !errors.Is(err, store.ErrResetUsed) {
			t.Fatalf("the link from before the account was disabled works again: %v", err)
		}
		tok, _, err = s.NewResetLink(ctx, staff.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, tok, "a brand new password"); err != nil {
			t.Fatal(err)
		}
	})
}

// Twenty posts of one link at once (a double click, a script) set the
// password once; the others hear the link was used.
func TestResetLinkWorksOnceWhateverArrivesAtOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		admin, staff := resetUsers(t, s)
		tok, _, err := s.NewResetLink(ctx, staff.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
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
				_, errs[i] = s.ResetPassword(ctx, tok, fmt.Sprintf("new password %02d", i))
			}()
		}
		close(start)
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if won >= 0 {
					t.Errorf("posts %d and %d both set the password", won, i)
				}
				won = i
			case !errors.Is(err, store.ErrResetUsed):
				t.Errorf("post %d: %v", i, err)
			}
		}
		if won < 0 {
			t.Fatal("no post set the password")
		}
		for i := 0; i < n; i++ {
			if got := signsIn(s, "staff@test.be", fmt.Sprintf("new password %02d", i)); got != (i == won) {
				t.Errorf("password of post %d signs in: %v (the winner is %d)", i, got, won)
			}
		}
	})
}

func TestChangeOwnPassword(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		_, staff := resetUsers(t, s)
		if _, err := s.ChangePassword(ctx, staff.ID, "not the password", "a brand new password"); !errors.Is(err, store.ErrWrongPassword) {
			t.Fatalf("wrong current password: %v", err)
		}
		if _, err := s.ChangePassword(ctx, staff.ID, oldPW, "short"); err == nil {
			t.Fatal("a short new password was taken")
		} else if fe, ok := store.AsFieldError(err); !ok || fe.Field != "password" {
			t.Fatalf("a short new password: %v", err)
		}
		if !signsIn(s, "staff@test.be", oldPW) {
			t.Fatal("a refused change changed the password")
		}
		since, err := s.ChangePassword(ctx, staff.ID, oldPW, "a brand new password")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SessionsSince(ctx, staff.ID); got != since || since == 0 {
			t.Errorf("sessions valid since %d, the change says %d", got, since)
		}
		if signsIn(s, "staff@test.be", oldPW) || !signsIn(s, "staff@test.be", "a brand new password") {
			t.Fatal("after the change the new password signs in, the old one does not")
		}
		if _, err := s.ChangePassword(ctx, staff.ID, oldPW, "another new password"); !errors.Is(err, store.ErrWrongPassword) {
			t.Fatalf("the old password still changes it: %v", err)
		}
	})
}
