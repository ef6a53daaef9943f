package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
)

// After an erase, nothing personal of the member is left in the database
// file, not even in its free pages or its write-ahead log, and the day's
// visit count is what it was. Only SQLite: it is the file a copy would be
// made of.
func TestEraseLeavesNothingInTheFile(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := site(t, s)
	secrets := []string{"Zeynep-Wisbaar", "0499 12 34 56", "zeynep.wis@example.be", "Woont bij haar zus", "Mijn OCMW-dossier 77-AB"}
	// The profile's answers are short words: ones no other row of this
	// small database holds.
	m, err := s.CreateMember(ctx, store.MemberInput{Nickname: secrets[0], Lang: "tr", Phone: secrets[1], Email: secrets[2], Note: secrets[3],
		AgeBand: "under_18", Gender: "non_binary", SiteID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CheckIn(ctx, m.ID, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReportThreshold(ctx, store.ReportInput{SiteID: a.ID, Domain: "bank", Problem: "login", Text: secrets[4], Lang: "tr",
		MemberID: &m.ID, WantsHelp: true, Voice: []byte("STEM-VAN-ZEYNEP"), VoiceType: "audio/webm"}); err != nil {
		t.Fatal(err)
	}
	day := s.Now().In(a.Location()).Format(time.DateOnly)
	if err := s.EraseMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
		t.Fatal(err)
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
	for _, secret := range append(secrets, "STEM-VAN-ZEYNEP", m.Card.CheckCode, "under_18", "non_binary") {
		if bytes.Contains(all, []byte(secret)) {
			t.Errorf("after the erase the database files still hold %q", secret)
		}
	}
	if vs, err := s.VisitsOn(ctx, a.ID, day); err != nil || len(vs) != 1 {
		t.Errorf("the day's visits after the erase: %d %v", len(vs), err)
	}
}
