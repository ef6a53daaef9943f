package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

var ctx = context.Background()

// here is the first site's id, where the tests' members are seen.
func here(t testing.TB, s *store.Store) int64 {
	t.Helper()
	site, err := s.DefaultSite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return site.ID
}

func site(t *testing.T, s *store.Store) *store.Site {
	t.Helper()
	site, err := s.EnsureSite(ctx, "Test", "Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	return site
}

func TestMemberCardLifecycle(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		site(t, s)
		m, err := s.CreateMember(ctx, store.MemberInput{Nickname: "  Amina  ", Lang: "ar"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Nickname != "Amina" || m.Card == nil || len(m.Card.Token) != store.TokenLen || len(m.Card.CheckCode) != store.CheckCodeLen {
			t.Fatalf("unexpected member %+v card %+v", m, m.Card)
		}
		h, err := s.CardByToken(ctx, strings.ToLower(m.Card.Token), here(t, s))
		if err != nil || h.Member.ID != m.ID {
			t.Fatalf("lookup by lower-case token: %v %+v", err, h)
		}
		old := m.Card.Token
		c, err := s.ReissueCard(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Token == old {
			t.Fatal("reissued card kept its token")
		}
		if _, err := s.CardByToken(ctx, old, here(t, s)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old token still works: %v", err)
		}
		if h, err := s.CardByToken(ctx, c.Token, here(t, s)); err != nil || h.Member.ID != m.ID {
			t.Fatalf("new token: %v", err)
		}
		if _, err := s.ReissueCard(ctx, m.ID+1000); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("reissue for unknown member: %v", err)
		}
		for _, bad := range []string{"", "short", strings.Repeat("Z", 27), "\xff\xfe", "<script>alert(1)</script>"} {
			if _, err := s.CardByToken(ctx, bad, here(t, s)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("token %q: want ErrNotFound, got %v", bad, err)
			}
		}
	})
}

func TestMemberValidation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		site(t, s)
		cases := []struct {
			in    store.MemberInput
			field string
			code  string
		}{
			{store.MemberInput{Nickname: "", Lang: "nl"}, "nickname", "required"},
			{store.MemberInput{Nickname: "   ", Lang: "nl"}, "nickname", "required"},
			{store.MemberInput{Nickname: strings.Repeat("x", 61), Lang: "nl"}, "nickname", "too_long"},
			{store.MemberInput{Nickname: "bad\xffname", Lang: "nl"}, "nickname", "bad_text"},
			{store.MemberInput{Nickname: "a\u202Eb", Lang: "nl"}, "nickname", "bad_text"},
			{store.MemberInput{Nickname: "Jan", Lang: ""}, "lang", "required"},
			{store.MemberInput{Nickname: "Jan", Lang: "Dutch!"}, "lang", "bad_lang"},
			{store.MemberInput{Nickname: "Jan", Lang: "nl", Email: "nope"}, "email", "bad_email"},
		}
		for _, c := range cases {
			_, err := s.CreateMember(ctx, c.in)
			fe, ok := store.AsFieldError(err)
			if !ok || fe.Field != c.field || fe.Code != c.code || !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%+v: want %s/%s, got %v", c.in, c.field, c.code, err)
			}
		}
		page, err := s.SearchMembers(ctx, here(t, s), "", 10, 0)
		if err != nil || page.Total != 0 {
			t.Fatalf("invalid input left members behind: %d %v", page.Total, err)
		}
		// HTML in a nickname is a nickname like any other: stored as typed.
		m, err := s.CreateMember(ctx, store.MemberInput{Nickname: "<b>Jo</b>", Lang: "nl"})
		if err != nil || m.Nickname != "<b>Jo</b>" {
			t.Fatalf("html nickname: %v %+v", err, m)
		}
	})
}

func TestSearchMembers(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		site(t, s)
		var codes []string
		for _, n := range []string{"Amina", "Jan", "Janneke", "50%_off", "Олена", "Zoë"} {
			m, err := s.CreateMember(ctx, store.MemberInput{Nickname: n, Lang: "nl"})
			if err != nil {
				t.Fatal(err)
			}
			codes = append(codes, m.Card.CheckCode)
		}
		check := func(q string, want ...string) {
			t.Helper()
			page, err := s.SearchMembers(ctx, here(t, s), q, 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range page.Members {
				got = append(got, m.Nickname)
				if m.Card == nil {
					t.Errorf("%s has no card in the list", m.Nickname)
				}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") || int(page.Total) != len(want) {
				t.Errorf("search %q: got %v (total %d), want %v", q, got, page.Total, want)
			}
		}
		check("jan", "Janneke", "Jan")
		check("олена", "Олена")
		check("ZOE", "Zoë")
		check("AMI", "Amina")
		check("%", "50%_off")
		check("_", "50%_off")
		code := codes[0]
		check(strings.ToLower(code[:3]+"-"+code[3:]), "Amina")
		check("nobody")
		// PostgreSQL refuses these bytes; a search with them finds nothing
		// instead of failing.
		check("\xff\xfe", "Zoë", "Олена", "50%_off", "Janneke", "Jan", "Amina")
		check("Jan\x00", "Janneke", "Jan")
		if _, err := s.Authenticate(ctx, "a\x00@b.be\xff", "password"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("sign-in with bad bytes: %v", err)
		}
	})
}

func TestCheckInOncePerDay(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		m, err := s.CreateMember(ctx, store.MemberInput{Nickname: "Jan", Lang: "nl"})
		if err != nil {
			t.Fatal(err)
		}
		// 23:30 UTC on 2026-03-28 is already 00:30 on the 29th in Brussels.
		now := time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		v, counted, err := s.CheckIn(ctx, m.ID, st)
		if err != nil || !counted || v.Day != "2026-03-29" {
			t.Fatalf("first check-in: %v %v %+v", err, counted, v)
		}
		// Twenty kiosks scanning the same card at once still count one visit.
		var wg sync.WaitGroup
		var mu sync.Mutex
		extra := 0
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, c, err := s.CheckIn(ctx, m.ID, st)
				if err != nil {
					t.Error(err)
				}
				if c {
					mu.Lock()
					extra++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if extra != 0 {
			t.Fatalf("%d extra visits counted", extra)
		}
		if n, _ := s.CountVisits(ctx, m.ID, st.ID, "2026-03-29"); n != 1 {
			t.Fatalf("want 1 visit, got %d", n)
		}
		now = now.Add(24 * time.Hour)
		if _, counted, err := s.CheckIn(ctx, m.ID, st); err != nil || !counted {
			t.Fatalf("next day: %v %v", err, counted)
		}
		vs, err := s.VisitsOn(ctx, st.ID, "2026-03-30")
		if err != nil || len(vs) != 1 {
			t.Fatalf("visits on the next day: %v %d", err, len(vs))
		}
	})
}

func TestUsersAndSetup(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		tok, err := s.NewSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A second server starting at the same time prints its own link;
		// both work until one of them is used.
		other, err := s.NewSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !s.SetupTokenValid(ctx, tok) || !s.SetupTokenValid(ctx, other) {
			t.Fatal("one server's setup link stopped the other's")
		}
		if _, err := s.CompleteSetup(ctx, "wrong", store.UserInput{Email: "a@b.be", Password: "long enough pw"}); !errors.Is(err, store.ErrSetupDone) {
			t.Fatalf("wrong token: %v", err)
		}
		if _, err := s.CompleteSetup(ctx, tok, store.UserInput{Email: "a@b.be", Password: "short"}); err == nil {
			t.Fatal("short password accepted")
		}
		u, err := s.CompleteSetup(ctx, tok, store.UserInput{Email: "A@B.be", Password: "long enough pw"})
		if err != nil || u.Role != store.RoleAdmin || u.Email != "a@b.be" {
			t.Fatalf("setup: %v %+v", err, u)
		}
		if _, err := s.CompleteSetup(ctx, tok, store.UserInput{Email: "c@b.be", Password: "long enough pw"}); !errors.Is(err, store.ErrSetupDone) {
			t.Fatalf("setup link worked twice: %v", err)
		}
		if s.SetupTokenValid(ctx, other) {
			t.Fatal("the other server's setup link still works after setup")
		}
		if _, err := s.Authenticate(ctx, "a@b.be", "wrong password"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("wrong password: %v", err)
		}
		if got, err := s.Authenticate(ctx, " A@b.be ", "long enough pw"); err != nil || got.ID != u.ID {
			t.Fatalf("sign in: %v", err)
		}
		if _, err := s.CreateUser(ctx, store.UserInput{Email: "a@b.be", Role: store.RoleStaff, Password: "long enough pw"}); err == nil {
			t.Fatal("duplicate email accepted")
		}
		if err := s.SetUserDisabled(ctx, u.ID, true); err == nil {
			t.Fatal("last admin disabled")
		}
		st, err := s.CreateUser(ctx, store.UserInput{Email: "desk@b.be", Role: store.RoleStaff, Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserDisabled(ctx, st.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "desk@b.be", "long enough pw"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("disabled user signed in: %v", err)
		}
	})
}

func TestDemoSeedIsRepeatable(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		r1, err := s.SeedDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := s.SeedDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := s.SearchMembers(ctx, here(t, s), "", 100, 0)
		if page.Total != 20 {
			t.Fatalf("want 20 demo members after two seeds, got %d", page.Total)
		}
		if r1.Logins[0].Password == r2.Logins[0].Password {
			t.Fatal("demo password did not change")
		}
		if _, err := s.Authenticate(ctx, r2.Logins[0].Email, r2.Logins[0].Password); err != nil {
			t.Fatalf("demo login: %v", err)
		}
		if _, err := s.CardByToken(ctx, r2.SampleCard.Token, here(t, s)); err != nil {
			t.Fatalf("sample card: %v", err)
		}
	})
}

func TestDemoRefusesARealDatabase(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		site(t, s)
		if _, err := s.CreateUser(ctx, store.UserInput{Email: "real@ocmw.be", Role: store.RoleAdmin, Password: "long enough pw"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SeedDemo(ctx); !errors.Is(err, store.ErrNotDemo) {
			t.Fatalf("demo on a real database: %v", err)
		}
		if _, err := s.Authenticate(ctx, "admin@demo.drempel", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("a demo account was created")
		}
	})
}
