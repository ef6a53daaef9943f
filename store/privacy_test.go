package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
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
	secrets := []string{"Zeynep-Wisbaar", "0499 12 34 56", "zeynep.wis@example.be", "Woont bij haar zus", "Mijn OCMW-dossier 77-AB",
		"Zeynep vreest dat haar verblijfskaart vervalt"}
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
	// A mentor's note on a meeting with them is about them too.
	mt := mentor(t, s, "mentor@test.be", a.ID)
	tan, err := s.CreateTandem(ctx, a.ID, store.TandemInput{MentorID: mt, MemberID: m.ID, StartsOn: day, EndsOn: "2999-12-31", Goals: []string{"papers"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LogMeeting(ctx, tan.ID, store.MeetingInput{Day: day, Minutes: 60, Note: secrets[5]}, mt); err != nil {
		t.Fatal(err)
	}
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

// What we hold about a mentee names their open help ticket and their
// tandems, with the mentor's notes on their meetings, at the sites that
// may see them; the erase forgets who asked for help, empties the notes,
// ends a running tandem on the site's today and drops one not begun,
// and leaves the meetings and outcomes as figures.
func TestMemberRecordHelpAndTandems(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		// Late in the evening in UTC: already the next day at the site.
		s.SetClock(func() time.Time { return time.Date(2026, 5, 20, 23, 30, 0, 0, time.UTC) })
		a := site(t, s)
		other, err := s.CreateSite(ctx, store.SiteInput{Name: "Elders", OperatorName: "Andere vzw"})
		if err != nil {
			t.Fatal(err)
		}
		mt := mentor(t, s, "mentor@test.be", a.ID)
		m := mentee(t, s, "Yonas", a.ID)
		note := "Brief van de huisbaas samen gelezen"
		tandem := func(from, to string) *store.Tandem {
			t.Helper()
			tan, err := s.CreateTandem(ctx, a.ID, store.TandemInput{MentorID: mt, MemberID: m.ID, StartsOn: from, EndsOn: to, Goals: []string{"papers", "work"}}, 0)
			if err != nil {
				t.Fatal(err)
			}
			return tan
		}
		past, running, later := tandem("2025-01-01", "2025-06-01"), tandem("2026-03-01", "2026-09-01"), tandem("2026-06-01", "2026-12-01")
		if _, err := s.LogMeeting(ctx, running.ID, store.MeetingInput{Day: "2026-05-01", Minutes: 90, Topics: []string{"papers"}, Note: note}, mt); err != nil {
			t.Fatal(err)
		}
		if err := s.SetOutcome(ctx, running.ID, "papers", "2026-05-10", mt); err != nil {
			t.Fatal(err)
		}
		open, err := s.AskForHelp(ctx, store.HelpInput{SiteID: a.ID, Subject: "paper", MemberID: &m.ID})
		if err != nil {
			t.Fatal(err)
		}
		peer := peerUser(t, s, "peer@test.be", "Samira")
		ended, err := s.AskForHelp(ctx, store.HelpInput{SiteID: a.ID, Subject: "phone", MemberID: &m.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.TakeHelp(ctx, a.ID, ended.ID, peer); err != nil {
			t.Fatal(err)
		}
		if err := s.EndHelp(ctx, a.ID, ended.ID, peer, "helped"); err != nil {
			t.Fatal(err)
		}

		rec, err := s.MemberData(ctx, m.ID, []int64{a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Help) != 1 || rec.Help[0] != (store.HelpRecord{Site: a.Name, Day: "2026-05-21", Number: open.Number, Subject: "paper", Status: "waiting"}) {
			t.Errorf("help in the record: %+v, want only the open ticket", rec.Help)
		}
		if len(rec.Tandems) != 3 {
			t.Fatalf("tandems in the record: %+v", rec.Tandems)
		}
		got := rec.Tandems[1]
		if got.StartsOn != "2026-03-01" || got.EndsOn != "2026-09-01" || got.Mentor != "Mentor mentor@test.be" || got.Site != a.Name ||
			fmt.Sprint(got.Goals) != "[work papers]" {
			t.Errorf("the running tandem in the record: %+v", got)
		}
		if fmt.Sprintf("%+v", got.Meetings) != fmt.Sprintf("%+v", []store.MeetingRecord{{Day: "2026-05-01", Minutes: 90, Topics: []string{"papers"}, Note: note}}) {
			t.Errorf("its meetings: %+v, want the meeting with its note", got.Meetings)
		}
		if len(got.Outcomes) != 1 || got.Outcomes[0] != (store.OutcomeRecord{Kind: "papers", Day: "2026-05-10"}) {
			t.Errorf("its outcomes: %+v", got.Outcomes)
		}
		counts := map[string]int{}
		for _, c := range rec.Count() {
			counts[c.Kind] = c.N
		}
		if counts["help"] != 1 || counts["tandems"] != 3 || counts["meetings"] != 1 {
			t.Errorf("counts %v", counts)
		}
		// Another organisation's staff see none of it.
		if far, err := s.MemberData(ctx, m.ID, []int64{other.ID}); err != nil || len(far.Help) != 0 || len(far.Tandems) != 0 {
			t.Errorf("seen from another site: %+v %v", far, err)
		}

		if err := s.EraseMember(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		var named int64
		if err := s.R.Model(&store.HelpTicket{}).Where("member_id = ?", m.ID).Count(&named).Error; err != nil || named != 0 {
			t.Errorf("%d tickets still name the erased member (%v)", named, err)
		}
		if tk, err := s.HelpTicketByToken(ctx, open.Token); err != nil || tk.Status() != "waiting" {
			t.Errorf("the open ticket after the erase: %+v %v, want it still waiting", tk, err)
		}
		ms, err := s.TandemMeetings(ctx, running.ID)
		if err != nil || len(ms) != 1 || ms[0].Note != "" || ms[0].Minutes != 90 || ms[0].Day != "2026-05-01" {
			t.Errorf("the meeting after the erase: %+v %v, want its day and time without the note", ms, err)
		}
		for id, want := range map[int64]string{past.ID: "2025-06-01", running.ID: "2026-05-21"} {
			if row, err := s.Tandem(ctx, id); err != nil || row.EndsOn != want {
				t.Errorf("tandem %d after the erase: %+v %v, want it ending %s", id, row, err, want)
			}
		}
		if _, err := s.Tandem(ctx, later.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the tandem not begun after the erase: %v, want it gone", err)
		}
		if out, err := s.TandemOutcomes(ctx, running.ID); err != nil || len(out) != 1 {
			t.Errorf("the outcomes after the erase: %+v %v", out, err)
		}
	})
}
