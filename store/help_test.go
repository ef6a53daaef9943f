package store_test

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func peerUser(t *testing.T, s *store.Store, email, name string) int64 {
	t.Helper()
	u, err := s.CreateUser(ctx, store.UserInput{Email: email, Name: name, Role: store.RolePeer, Password: "long enough pw"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestHelpQueue(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		peer := peerUser(t, s, "peer@test.be", "Samira Peeters")
		other := peerUser(t, s, "peer2@test.be", "Jo")
		m := member(t, s, "Amina")

		if _, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "moon"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("a subject not offered: %v", err)
		}
		anon, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "paper", Lang: "ar"})
		if err != nil {
			t.Fatal(err)
		}
		known, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "computer", MemberID: &m.ID})
		if err != nil {
			t.Fatal(err)
		}
		if anon.Number != 1 || known.Number != 2 || anon.Token == known.Token || len(anon.Token) != 32 {
			t.Fatalf("numbers %d, %d; tokens %q %q", anon.Number, known.Number, anon.Token, known.Token)
		}
		if got, err := s.HelpTicketByToken(ctx, known.Token); err != nil || got.ID != known.ID || got.Status() != "waiting" {
			t.Fatalf("by token: %+v %v", got, err)
		}
		if _, err := s.HelpTicketByToken(ctx, "0123456789abcdef0123456789abcdef"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an unknown token: %v", err)
		}
		if n, err := s.HelpBefore(ctx, known); err != nil || n != 1 {
			t.Fatalf("before the second: %d %v", n, err)
		}
		open, _, err := s.HelpQueue(ctx, st, 10)
		if err != nil || len(open) != 2 || open[0].Nickname != "" || open[1].Nickname != "Amina" {
			t.Fatalf("queue: %+v %v", open, err)
		}

		// A ticket of another site is not found from here.
		b, err := s.CreateSite(ctx, store.SiteInput{Name: "Elders"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.TakeHelp(ctx, b.ID, anon.ID, peer); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("taken from another site: %v", err)
		}
		if err := s.TakeHelp(ctx, st.ID, anon.ID, peer); err != nil {
			t.Fatal(err)
		}
		if err := s.TakeHelp(ctx, st.ID, anon.ID, other); !errors.Is(err, store.ErrHelpTaken) {
			t.Fatalf("taken twice: %v", err)
		}
		if n, _ := s.HelpBefore(ctx, known); n != 0 {
			t.Fatalf("before the second once the first is taken: %d", n)
		}
		if err := s.EndHelp(ctx, st.ID, anon.ID, peer, "finished"); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("an outcome not offered: %v", err)
		}
		if err := s.EndHelp(ctx, st.ID, anon.ID, peer, "helped"); err != nil {
			t.Fatal(err)
		}
		if err := s.EndHelp(ctx, st.ID, anon.ID, other, "referred"); !errors.Is(err, store.ErrHelpEnded) {
			t.Fatalf("ended twice: %v", err)
		}
		if err := s.TakeHelp(ctx, st.ID, anon.ID, other); !errors.Is(err, store.ErrHelpTaken) {
			t.Fatalf("an ended ticket taken: %v", err)
		}
		// Nobody came when called: ended without being taken first.
		if err := s.EndHelp(ctx, st.ID, known.ID, other, "no_show"); err != nil {
			t.Fatal(err)
		}
		got, _ := s.HelpTicketByToken(ctx, known.Token)
		if got.Status() != "ended" || got.MemberID != nil || got.TakenBy == nil || *got.TakenBy != other || *got.Outcome != "no_show" {
			t.Fatalf("ended unseen: %+v", got)
		}
		open, done, err := s.HelpQueue(ctx, st, 10)
		if err != nil || len(open) != 0 || len(done) != 2 || done[0].TakerName == "" {
			t.Fatalf("after: open %+v done %+v %v", open, done, err)
		}

		// The database itself refuses a ticket ended twice or never taken.
		if err := s.W.Exec("UPDATE help_tickets SET ended_at = NULL WHERE id = ?", anon.ID).Error; err == nil {
			t.Fatal("an end without an outcome was stored")
		}
		if err := s.W.Exec("UPDATE help_tickets SET outcome = 'lost' WHERE id = ?", anon.ID).Error; err == nil {
			t.Fatal("an unknown outcome was stored")
		}
	})
}

func TestHelpFromThreshold(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		peer := peerUser(t, s, "peer@test.be", "Samira")
		m := member(t, s, "Amina")
		th, err := s.ReportThreshold(ctx, store.ReportInput{SiteID: st.ID, Domain: "bank", Problem: "login", Lang: "nl", Text: "geheim"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AskHelp(ctx, th.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		a, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "online", MemberID: &m.ID, ThresholdID: &th.ID})
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "online", MemberID: &m.ID, ThresholdID: &th.ID})
		if err != nil || again.ID != a.ID {
			t.Fatalf("a report joins the queue once: %+v %v", again, err)
		}
		open, _, err := s.HelpQueue(ctx, st, 0)
		if err != nil || len(open) != 1 || open[0].Domain != "bank" || open[0].Problem != "login" {
			t.Fatalf("queue: %+v %v", open, err)
		}
		if err := s.TakeHelp(ctx, st.ID, a.ID, peer); err != nil {
			t.Fatal(err)
		}
		if err := s.EndHelp(ctx, st.ID, a.ID, peer, "helped"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Threshold(ctx, th.ID)
		if err != nil || got.HelpedAt == nil || got.MemberID != nil {
			t.Fatalf("the report's follow-up is done with the ticket: %+v %v", got, err)
		}

		// The peer links the ticket to a theme of this site, never another's.
		theme, err := s.SaveTheme(ctx, 0, st.ID, store.ThemeInput{Title: "Itsme"})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.CreateSite(ctx, store.SiteInput{Name: "Elders"})
		far, err := s.SaveTheme(ctx, 0, b.ID, store.ThemeInput{Title: "Elders"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetHelpTheme(ctx, st.ID, a.ID, &far.ID); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("another site's theme: %v", err)
		}
		if err := s.SetHelpTheme(ctx, st.ID, a.ID, &theme.ID); err != nil {
			t.Fatal(err)
		}
		open2, _ := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "phone"})
		if err := s.SetHelpTheme(ctx, st.ID, open2.ID, &theme.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a theme on an open ticket: %v", err)
		}
		themes, err := s.HelpThemes(ctx, st.ID)
		if err != nil || len(themes) != 1 || themes[0].ThemeID != theme.ID || themes[0].Tickets != 1 {
			t.Fatalf("themes: %+v %v", themes, err)
		}
	})
}

// Twenty helpers take one ticket at once: one gets it. Twenty visitors
// ask at once: twenty numbers, none twice.
func TestHelpConcurrency(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		const n = 20
		var peers []int64
		for i := range n {
			peers = append(peers, peerUser(t, s, "peer"+string(rune('a'+i))+"@test.be", "P"))
		}
		tk, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "other"})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, lost, ended := 0, 0, 0
		numbers := map[int]bool{}
		for i := range n {
			wg.Add(3)
			go func() {
				defer wg.Done()
				err := s.TakeHelp(ctx, st.ID, tk.ID, peers[i])
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case errors.Is(err, store.ErrHelpTaken):
					lost++
				default:
					t.Error(err)
				}
			}()
			go func() {
				defer wg.Done()
				x, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "phone"})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				if numbers[x.Number] {
					t.Errorf("number %d twice", x.Number)
				}
				numbers[x.Number] = true
			}()
			go func() {
				defer wg.Done()
				time.Sleep(time.Millisecond)
				if err := s.EndHelp(ctx, st.ID, tk.ID, peers[i], "helped"); err == nil {
					mu.Lock()
					ended++
					mu.Unlock()
				} else if !errors.Is(err, store.ErrHelpEnded) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if won+lost != n || won > 1 || ended != 1 || len(numbers) != n {
			t.Fatalf("won %d lost %d ended %d numbers %d", won, lost, ended, len(numbers))
		}
	})
}

func TestHelpFeedFollowsTheDatabase(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		ch, stop := s.HelpFeed().Subscribe(st.ID)
		defer stop()
		time.Sleep(2 * store.HelpFeedEvery)
		// A write as another server would make it: straight to the database.
		if _, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: "phone"}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ch:
		case <-time.After(3 * time.Second):
			t.Fatal("no word of the new ticket")
		}
	})
}

func TestOnDuty(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		a := peerUser(t, s, "a@test.be", "Samira Peeters")
		b := peerUser(t, s, "b@test.be", "Jo")
		if err := s.SetOnDuty(ctx, st, a, true, true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetOnDuty(ctx, st, b, true, false); err != nil {
			t.Fatal(err)
		}
		if err := s.SetOnDuty(ctx, st, b, true, false); err != nil {
			t.Fatal(err)
		}
		hs, err := s.OnDuty(ctx, st)
		if err != nil || len(hs) != 2 || hs[1].FirstName() != "Samira" || !hs[1].ShowName || hs[0].ShowName {
			t.Fatalf("on duty: %+v %v", hs, err)
		}
		if err := s.SetOnDuty(ctx, st, a, false, false); err != nil {
			t.Fatal(err)
		}
		// Tomorrow nobody is on duty yet.
		s.SetClock(func() time.Time { return time.Now().Add(24 * time.Hour) })
		defer s.SetClock(time.Now)
		if hs, _ := s.OnDuty(ctx, st); len(hs) != 0 {
			t.Fatalf("tomorrow: %+v", hs)
		}
	})
}

// HelpFigures against a fold of the same tickets in Go.
func TestHelpFigures(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		peer := peerUser(t, s, "p@test.be", "P")
		loc := st.Location()
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, loc)
		type want struct {
			day     string
			wait    time.Duration
			outcome string
		}
		var all []want
		for i := range 23 {
			at := base.AddDate(0, 0, i%4).Add(time.Duration(i) * time.Minute)
			s.SetClock(func() time.Time { return at })
			tk, err := s.AskForHelp(ctx, store.HelpInput{SiteID: st.ID, Subject: store.HelpSubjects[i%5]})
			if err != nil {
				t.Fatal(err)
			}
			w := want{day: at.Format(time.DateOnly), wait: -1}
			if i%5 != 4 {
				w.wait = time.Duration(i*i%37) * time.Minute
				s.SetClock(func() time.Time { return at.Add(w.wait) })
				if err := s.TakeHelp(ctx, st.ID, tk.ID, peer); err != nil {
					t.Fatal(err)
				}
				if i%3 != 0 {
					w.outcome = store.HelpOutcomes[i%3]
					if err := s.EndHelp(ctx, st.ID, tk.ID, peer, w.outcome); err != nil {
						t.Fatal(err)
					}
				}
			}
			all = append(all, w)
		}
		s.SetClock(time.Now)
		// The period: the first three days only.
		p := store.Period{From: time.Date(2026, 3, 2, 0, 0, 0, 0, loc), To: time.Date(2026, 3, 5, 0, 0, 0, 0, loc)}
		got, err := s.HelpFigures(ctx, []int64{st.ID}, p)
		if err != nil {
			t.Fatal(err)
		}
		from, to := p.Days()
		byDay, outcomes, open := map[string]int{}, map[string]int{}, 0
		var waits []time.Duration
		n := 0
		for _, w := range all {
			if w.day < from || w.day >= to {
				continue
			}
			n++
			byDay[w.day]++
			if w.outcome == "" {
				open++
			} else {
				outcomes[w.outcome]++
			}
			if w.wait >= 0 {
				waits = append(waits, w.wait)
			}
		}
		sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
		nearest := func(pct int) time.Duration {
			r := (pct*len(waits) + 99) / 100
			return waits[r-1]
		}
		if got.Tickets != n || n == 0 || n == len(all) || got.Open != open || got.Waited != len(waits) {
			t.Fatalf("tickets %d (want %d), open %d (want %d), waited %d (want %d)", got.Tickets, n, got.Open, open, got.Waited, len(waits))
		}
		for d, c := range byDay {
			if got.ByDay[d] != c {
				t.Errorf("day %s: %d, want %d", d, got.ByDay[d], c)
			}
		}
		for _, o := range store.HelpOutcomes {
			if got.Outcomes[o] != outcomes[o] {
				t.Errorf("%s: %d, want %d", o, got.Outcomes[o], outcomes[o])
			}
		}
		if got.WaitMedian != nearest(50) || got.WaitP90 != nearest(90) || got.WaitP90 < got.WaitMedian {
			t.Errorf("waits: median %v p90 %v, want %v %v", got.WaitMedian, got.WaitP90, nearest(50), nearest(90))
		}
		if none, err := s.HelpFigures(ctx, nil, p); err != nil || none.Tickets != 0 {
			t.Errorf("no sites: %+v %v", none, err)
		}
	})
}
