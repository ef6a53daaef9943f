package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// The database file holds no card token in clear: not the tokens of the
// cards issued, nor of those reissued, nor in the write-ahead log. Only
// SQLite: it is the file a copy would be made of; PostgreSQL stores the
// same column (see TestCardsAfterTheUpgradeToHashes).
func TestDatabaseFileHoldsNoCardToken(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := site(t, s)
	var tokens []string
	for _, nick := range []string{"Amina", "Jan", "Олена"} {
		m, err := s.CreateMember(ctx, store.MemberInput{Nickname: nick, Lang: "nl", SiteID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, m.Card.Token)
		c, err := s.ReissueCard(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, c.Token)
		if _, err := s.CardByToken(ctx, c.Token, a.ID); err != nil {
			t.Fatalf("the new card does not work: %v", err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var all []byte
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			all = append(all, b...)
		}
	}
	if len(all) < 4096 {
		t.Fatalf("read %d bytes of %v: not the database", len(all), files)
	}
	for _, tok := range tokens {
		if bytes.Contains(all, []byte(tok)) {
			t.Fatalf("the database files hold a card token in clear (%d files)", len(files))
		}
	}
}

// Cards printed before tokens were hashed keep working after the upgrade.
func TestCardsAfterTheUpgradeToHashes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a := site(t, s)
		m, err := s.CreateMember(ctx, store.MemberInput{Nickname: "Van vroeger", Lang: "nl", SiteID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		// As before the upgrade: the token in clear, no key.
		if err := s.W.Exec("UPDATE cards SET token_hash = ? WHERE id = ?", m.Card.Token, m.Card.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.W.Exec("DELETE FROM settings WHERE key = 'card_key'").Error; err != nil {
			t.Fatal(err)
		}
		upgradeStep(t, s, store.HashCardTokens)
		if err := s.LoadCardKey(); err != nil {
			t.Fatal(err)
		}
		var clear int64
		s.W.Model(&store.Card{}).Where("token_hash = ?", m.Card.Token).Count(&clear)
		if clear != 0 {
			t.Fatal("the upgrade left the token in clear")
		}
		if h, err := s.CardByToken(ctx, m.Card.Token, a.ID); err != nil || h.Member.ID != m.ID {
			t.Fatalf("a card printed before the upgrade: %v", err)
		}
	})
}
