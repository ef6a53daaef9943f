package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func TestThresholdReportsAndThemes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		by := staffUser(t, s)
		m := member(t, s, "Amina")
		if _, err := s.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "ar", MemberID: &m.ID}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []store.ReportInput{
			{Domain: "moon", Problem: "login", Lang: "nl"},
			{Domain: "bank", Problem: "boredom", Lang: "nl"},
			{Domain: "bank", Problem: "login", Lang: "nl", WantsHelp: true},
		} {
			if _, err := s.ReportThreshold(ctx, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		payload := `<script>alert(1)</script>=HYPERLINK("http://x")`
		helped, err := s.ReportThreshold(ctx, store.ReportInput{Domain: "government", Problem: "online_only", Lang: "nl", Text: payload, MemberID: &m.ID, WantsHelp: true})
		if err != nil {
			t.Fatal(err)
		}
		rows, byDomain, _, err := s.Thresholds(ctx, st.ID, store.ThresholdFilter{})
		if err != nil || len(rows) != 2 {
			t.Fatalf("inbox: %v %d", err, len(rows))
		}
		if rows[1].MemberID != nil {
			t.Fatal("an anonymous report kept the member")
		}
		if rows[0].Nickname != "Amina" || rows[0].Text != payload {
			t.Fatalf("a report with help wanted: %+v", rows[0])
		}
		if byDomain["bank"] != 1 || byDomain["government"] != 1 {
			t.Fatalf("counts: %v", byDomain)
		}
		if help, _, _, _ := s.Thresholds(ctx, st.ID, store.ThresholdFilter{Help: true}); len(help) != 1 {
			t.Fatalf("follow-up list: %d", len(help))
		}
		if err := s.MarkHelped(ctx, helped.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Threshold(ctx, helped.ID); got.MemberID != nil || got.HelpedAt == nil {
			t.Fatal("not unlinked after the follow-up")
		}

		theme, err := s.SaveTheme(ctx, 0, st.ID, store.ThemeInput{Title: "Bank apps require itsme"})
		if err != nil {
			t.Fatal(err)
		}
		if sim, _ := s.SimilarThemes(ctx, st.ID, "itsme for every bank"); len(sim) != 1 || sim[0].ID != theme.ID {
			t.Fatalf("similar themes: %+v", sim)
		}
		for i := 0; i < 5; i++ {
			r, _ := s.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "nl"})
			if err := s.Triage(ctx, r.ID, store.TriageInput{Domain: "bank", Problem: "login", Level: "meso", ThemeID: &theme.ID}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Triage(ctx, helped.ID, store.TriageInput{Domain: "bank", Problem: "login", Level: "cosmic"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad level: %v", err)
		}
		themes, _ := s.Themes(ctx, st.ID)
		if len(themes) != 1 || themes[0].Reports != 5 {
			t.Fatalf("themes: %+v", themes)
		}
		today := s.Now().Format(time.DateOnly)
		if err := s.AddSolution(ctx, theme.ID, "Show itsme at the desk", today, 6, "not", by); err != nil {
			t.Fatal(err)
		}
		if err := s.AddSolution(ctx, theme.ID, "Card reader instead", today, 4, "works", by); err != nil {
			t.Fatal(err)
		}
		if sols, _ := s.Solutions(ctx, theme.ID); len(sols) != 2 {
			t.Fatalf("solutions: %d", len(sols))
		}
		if _, err := s.SaveTheme(ctx, theme.ID, st.ID, store.ThemeInput{Title: theme.Title, Status: "closed"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("closed without a reason: %v", err)
		}
		if _, err := s.SaveTheme(ctx, theme.ID, st.ID, store.ThemeInput{Title: theme.Title, Status: "testing", FollowUpOn: s.Now().In(st.Location()).AddDate(0, 0, 1).Format(time.DateOnly)}); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.FollowUpsDue(ctx, st); len(due) != 0 {
			t.Fatal("follow-up due too early")
		}
		now := s.Now().AddDate(0, 0, 2)
		s.SetClock(func() time.Time { return now })
		if due, _ := s.FollowUpsDue(ctx, st); len(due) != 1 {
			t.Fatal("the follow-up is not shown when due")
		}
	})
}

func TestOldWordsArePurged(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		site(t, s)
		old, _ := s.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "nl", Text: "oud"})
		now := s.Now().AddDate(0, 7, 0)
		s.SetClock(func() time.Time { return now })
		recent, _ := s.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "nl", Text: "nieuw"})
		if n, err := s.PurgeOldWords(ctx); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		a, _ := s.Threshold(ctx, old.ID)
		b, _ := s.Threshold(ctx, recent.ID)
		if a.Text != "" || a.Domain != "bank" || b.Text != "nieuw" {
			t.Fatalf("after purge: %+v %+v", a, b)
		}
	})
}

func TestVoiceNotes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		m := member(t, s, "Hamid")
		audio := []byte("\x1aE\xdf\xa3 fake webm")
		r, err := s.ReportThreshold(ctx, store.ReportInput{Domain: "health", Problem: "language", Lang: "prs", Voice: audio, VoiceType: "audio/webm"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReportThreshold(ctx, store.ReportInput{Domain: "health", Problem: "language", Lang: "prs", Voice: audio, VoiceType: "text/html"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("a voice note that is html: %v", err)
		}
		if _, err := s.ReportThreshold(ctx, store.ReportInput{Domain: "health", Problem: "language", Lang: "prs", Voice: make([]byte, store.MaxVoice+1), VoiceType: "audio/webm"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("a huge voice note: %v", err)
		}
		data, typ, err := s.VoiceNote(ctx, r.ID)
		if err != nil || string(data) != string(audio) || typ != "audio/webm" {
			t.Fatalf("voice: %v %q %q", err, data, typ)
		}
		rows, _, _, _ := s.Thresholds(ctx, st.ID, store.ThresholdFilter{})
		if len(rows) != 1 || !rows[0].Voice {
			t.Fatalf("voice flag: %+v", rows)
		}
		// "Yes, help me" after the report was saved links it.
		if err := s.AskHelp(ctx, r.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Threshold(ctx, r.ID); got.MemberID == nil || !got.WantsHelp {
			t.Fatalf("not linked: %+v", got)
		}
		now := s.Now().AddDate(1, 0, 0)
		s.SetClock(func() time.Time { return now })
		if n, err := s.PurgeOldWords(ctx); err != nil || n != 1 {
			t.Fatalf("purge voice: %d %v", n, err)
		}
		if _, _, err := s.VoiceNote(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("the voice note survived its retention")
		}
	})
}

// The inbox's filters work one by one, also on columns that the members
// joined in have too (a member's lang).
func TestThresholdInboxFilters(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		m := member(t, s, "Amina")
		want := map[string][]int64{}
		for _, in := range []store.ReportInput{
			{Domain: "bank", Problem: "login", Lang: "ar"},
			{Domain: "health", Problem: "language", Lang: "ar", MemberID: &m.ID, WantsHelp: true},
			{Domain: "bank", Problem: "login", Lang: "nl", MemberID: &m.ID, WantsHelp: true},
			{Domain: "work", Problem: "language", Lang: "ti"},
		} {
			r, err := s.ReportThreshold(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			want[in.Lang] = append([]int64{r.ID}, want[in.Lang]...) // newest first
		}
		for lang, ids := range want {
			rows, byDomain, _, err := s.Thresholds(ctx, st.ID, store.ThresholdFilter{Lang: lang})
			if err != nil {
				t.Fatalf("lang %s: %v", lang, err)
			}
			var got []int64
			n := 0
			for _, r := range rows {
				got = append(got, r.ID)
			}
			for _, c := range byDomain {
				n += c
			}
			if fmt.Sprint(got) != fmt.Sprint(ids) || n != len(ids) {
				t.Errorf("lang %s: got %v (counted %d), want %v", lang, got, n, ids)
			}
		}
		if rows, _, _, err := s.Thresholds(ctx, st.ID, store.ThresholdFilter{Lang: "ar", Help: true, Domain: "health"}); err != nil || len(rows) != 1 || rows[0].Nickname != "Amina" {
			t.Fatalf("filters together: %v %+v", err, rows)
		}
	})
}

// A logo or pictogram for an organisation that is not there is "not
// found" (a 404), not a broken foreign key (a 500), nor silently nothing.
func TestOrganisationLookNeedsTheOrganisation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		var logo bytes.Buffer
		if err := png.Encode(&logo, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
			t.Fatal(err)
		}
		if err := s.SetOrganisationLogo(ctx, 999999, logo.Bytes()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("logo for no organisation: %v", err)
		}
		if err := s.SetOrganisationPictogram(ctx, 999999, "people"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("pictogram for no organisation: %v", err)
		}
		o, err := s.AddOrganisation(ctx, st.ID, "OCMW", "building")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetOrganisationLogo(ctx, o.ID, logo.Bytes()); err != nil {
			t.Fatal(err)
		}
		if err := s.SetOrganisationPictogram(ctx, o.ID, "people"); err != nil {
			t.Fatal(err)
		}
		if data, typ, err := s.OrganisationLogo(ctx, o.ID); err != nil || typ != "image/png" || !bytes.Equal(data, logo.Bytes()) {
			t.Fatalf("logo: %v %q", err, typ)
		}
	})
}

// The export's summary counts a site's reports of a period, split as a
// dossier is and per organisation, theme and language, and carries the
// quotes approved from those reports: never a report's own words.
func TestThresholdSummary(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		other, err := s.CreateSite(ctx, store.SiteInput{Name: "Elders", TimeZone: "Europe/Brussels"})
		if err != nil {
			t.Fatal(err)
		}
		by := staffUser(t, s)
		org, _ := s.AddOrganisation(ctx, st.ID, "OCMW", "building")
		theme, _ := s.SaveTheme(ctx, 0, st.ID, store.ThemeInput{Title: "Itsme"})
		day := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return day })
		old, _ := s.ReportThreshold(ctx, store.ReportInput{SiteID: st.ID, Domain: "bank", Problem: "login", Lang: "nl", Text: "Jan, 0470 11 22 33"})
		s.Triage(ctx, old.ID, store.TriageInput{Domain: "bank", Problem: "login", ThemeID: &theme.ID})
		s.ApproveQuote(ctx, theme.ID, &old.ID, "Een oud citaat.", by)
		day = day.AddDate(0, 1, 0)
		var first int64
		for i, lang := range []string{"ar", "nl", "nl"} {
			r, err := s.ReportThreshold(ctx, store.ReportInput{SiteID: st.ID, Domain: "health", Problem: "language", Lang: lang, OrganisationID: &org.ID, Text: "Mijn naam is Jan Peeters"})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = r.ID
				s.Triage(ctx, r.ID, store.TriageInput{Domain: "health", Problem: "language", Level: "meso", OrganisationID: &org.ID, ThemeID: &theme.ID})
			}
		}
		if err := s.ApproveQuote(ctx, theme.ID, &first, "Ik versta de dokter niet.", by); err != nil {
			t.Fatal(err)
		}
		s.ApproveQuote(ctx, theme.ID, nil, "Een citaat zonder melding.", by)
		s.ReportThreshold(ctx, store.ReportInput{SiteID: other.ID, Domain: "work", Problem: "other", Lang: "uk", Text: "elders"})

		d, err := s.ThresholdSummary(ctx, st.ID, "2025-04-01", "2025-04-30")
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(d.Reports, d.ByDomain, d.ByProblem, d.ByLevel, d.ByMonth, d.ByOrganisation, d.ByTheme, d.ByLang)
		want := "3 map[health:3] map[language:3] map[meso:1] map[2025-04:3] map[OCMW:3] map[Itsme:1] map[ar:1 nl:2]"
		if got != want {
			t.Errorf("summary:\n got %s\nwant %s", got, want)
		}
		if len(d.Quotes) != 1 || d.Quotes[0].Text != "Ik versta de dokter niet." || d.Quotes[0].ThemeID != theme.ID {
			t.Errorf("quotes of the period: %+v", d.Quotes)
		}
		if all, _ := s.ThresholdSummary(ctx, st.ID, "", ""); all.Reports != 4 || len(all.Quotes) != 2 {
			t.Errorf("all of the site: %d reports, %d quotes", all.Reports, len(all.Quotes))
		}
		if qs, err := s.ReportQuotes(ctx, first); err != nil || len(qs) != 1 || qs[0].Text != "Ik versta de dokter niet." {
			t.Errorf("a report's quotes: %v %+v", err, qs)
		}
		// The theme's dossier counts the same way, without the words.
		td, err := s.ThemeDossier(ctx, theme.ID, "", "")
		if err != nil || td.Reports != 2 || td.ByDomain["bank"] != 1 || len(td.Quotes) != 3 {
			t.Errorf("theme dossier: %v %+v", err, td)
		}
		od, err := s.OrganisationDossier(ctx, org.ID, "2025-04-01", "")
		if err != nil || od.Reports != 3 || len(od.Quotes) != 1 {
			t.Errorf("organisation dossier: %v %+v", err, od)
		}
	})
}
