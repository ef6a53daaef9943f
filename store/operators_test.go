package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// Members are seen at their organisation's sites, and at another's only
// while both organisations agree to share.
func TestSharingMembersTakesBothOrganisations(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a := site(t, s)
		a2, err := s.CreateSite(ctx, store.SiteInput{Name: "A2"}) // A's organisation's second site
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateSite(ctx, store.SiteInput{Name: "C", OperatorName: "Andere vzw"})
		if err != nil {
			t.Fatal(err)
		}
		if a2.OperatorID != a.OperatorID || c.OperatorID == a.OperatorID || c.OperatorID == 0 {
			t.Fatalf("organisations: A %d, A2 %d, C %d", a.OperatorID, a2.OperatorID, c.OperatorID)
		}
		ma, err := s.CreateMember(ctx, store.MemberInput{Nickname: "Van A", Lang: "nl", SiteID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		mc, err := s.CreateMember(ctx, store.MemberInput{Nickname: "Van C", Lang: "nl", SiteID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		seen := func(m *store.Member, at *store.Site) bool {
			t.Helper()
			ok, err := s.MemberSeenAt(ctx, m.ID, at.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, cerr := s.CardByToken(ctx, m.Card.Token, at.ID)
			_, kerr := s.MemberByCheckCode(ctx, m.Card.CheckCode, at.ID)
			list, err := s.MembersByIDs(ctx, at.ID, []int64{m.ID, m.ID})
			if err != nil {
				t.Fatal(err)
			}
			page, err := s.SearchMembers(ctx, at.ID, m.Nickname, 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			// Every road agrees.
			if (cerr == nil) != ok || (kerr == nil) != ok || (len(list) == 1) != ok || (page.Total == 1) != ok || len(list) > 1 {
				t.Fatalf("%s at %s: seen %v, card %v, code %v, by ids %d, search %d", m.Nickname, at.Name, ok, cerr, kerr, len(list), page.Total)
			}
			return ok
		}
		if !seen(ma, a) || !seen(ma, a2) || seen(ma, c) || seen(mc, a) || !seen(mc, c) {
			t.Fatal("before sharing: a member is seen at their organisation's sites only")
		}
		if err := s.SetShare(ctx, a.OperatorID, c.OperatorID, true, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetShare(ctx, a.OperatorID, c.OperatorID, true, 0); err != nil { // twice is once
			t.Fatal(err)
		}
		if seen(mc, a) || seen(ma, c) {
			t.Fatal("one organisation's consent shared members")
		}
		if err := s.SetShare(ctx, c.OperatorID, a.OperatorID, true, 0); err != nil {
			t.Fatal(err)
		}
		if !seen(mc, a) || !seen(mc, a2) || !seen(ma, c) {
			t.Fatal("both agreed, members are not shared")
		}
		shares, err := s.Shares(ctx, a.OperatorID)
		if err != nil || len(shares) != 1 || !shares[0].Shared() || shares[0].With.ID != c.OperatorID {
			t.Fatalf("shares of A: %+v %v", shares, err)
		}
		if err := s.SetShare(ctx, a.OperatorID, c.OperatorID, false, 0); err != nil {
			t.Fatal(err)
		}
		if seen(mc, a) || seen(ma, c) {
			t.Fatal("A withdrew, members are still shared")
		}
		if err := s.SetShare(ctx, a.OperatorID, a.OperatorID, true, 0); !errors.As(err, new(*store.FieldError)) {
			t.Fatalf("sharing with oneself: %v", err)
		}
		if err := s.SetShare(ctx, a.OperatorID, 999999, true, 0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("sharing with nobody: %v", err)
		}
		if _, err := s.CreateSite(ctx, store.SiteInput{Name: "X", OperatorID: 999999}); !errors.As(err, new(*store.FieldError)) {
			t.Fatalf("a site for an organisation that does not exist: %v", err)
		}
	})
}

// The upgrade to organisations puts every existing site in one, named as
// the settings name the organisation.
func TestUpgradeGivesEverySiteOneOrganisation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a := site(t, s)
		b, err := s.CreateSite(ctx, store.SiteInput{Name: "B", OperatorName: "Tijdelijk"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, store.SettingOrgName, "OCMW Voorbeeld"); err != nil {
			t.Fatal(err)
		}
		// As before the upgrade: no organisations.
		for _, q := range []string{"UPDATE sites SET operator_id = NULL", "DELETE FROM operators"} {
			if err := s.W.Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		upgradeStep(t, s, store.OneOperatorForEverySite)
		ops, err := s.Operators(ctx)
		if err != nil || len(ops) != 1 || ops[0].Name != "OCMW Voorbeeld" {
			t.Fatalf("organisations after the upgrade: %+v %v", ops, err)
		}
		for _, id := range []int64{a.ID, b.ID} {
			got, err := s.Site(ctx, id)
			if err != nil || got.OperatorID != ops[0].ID {
				t.Fatalf("site %d after the upgrade: %+v %v", id, got, err)
			}
		}
	})
}

// upgradeStep runs a migration's data step again, in a transaction of its
// own, as the upgrade does: for the tests of what an upgrade does to data
// made before it.
func upgradeStep(t *testing.T, s *store.Store, step func(context.Context, *sql.Tx, string) error) {
	t.Helper()
	db, err := s.W.DB()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := step(ctx, tx, s.Dialect); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
