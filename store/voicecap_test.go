package store_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// Voice notes together never pass their cap, however many reports come
// at once: past it, a report is kept without its voice note, and says so.
func TestVoiceNotesStayUnderTheirCap(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		note := make([]byte, 64<<10)
		copy(note, "\x1aE\xdf\xa3")
		limit := 5*len(note) + len(note)/2
		if err := s.SetSetting(ctx, store.SettingVoiceTotal, strconv.Itoa(limit)); err != nil {
			t.Fatal(err)
		}
		const reports = 20
		var wg sync.WaitGroup
		var mu sync.Mutex
		kept, dropped := 0, 0
		for range reports {
			wg.Add(1)
			go func() {
				defer wg.Done()
				th, err := s.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "nl", Text: "woorden",
					Voice: note, VoiceType: "audio/webm"})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if th.HasVoice == th.VoiceDropped {
					t.Errorf("report %d: voice kept %v, dropped %v", th.ID, th.HasVoice, th.VoiceDropped)
				}
				if th.HasVoice {
					kept++
				} else {
					dropped++
				}
			}()
		}
		wg.Wait()
		total, err := s.VoiceTotal(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if total > int64(limit) || kept != 5 || dropped != reports-5 || total != int64(5*len(note)) {
			t.Fatalf("kept %d, dropped %d, %d bytes of voice for a cap of %d", kept, dropped, total, limit)
		}
		rows, _, _, err := s.Thresholds(ctx, st.ID, store.ThresholdFilter{})
		if err != nil || len(rows) != reports {
			t.Fatalf("%d reports stored (%v): the words of every one are kept", len(rows), err)
		}
		// One note longer than a minute's recording is refused as such.
		_, err = s.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "nl",
			Voice: make([]byte, store.MaxVoice+1), VoiceType: "audio/webm"})
		if !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("a note past MaxVoice: %v", err)
		}
		// Without the setting, the default cap applies.
		if err := s.DeleteSetting(ctx, store.SettingVoiceTotal); err != nil {
			t.Fatal(err)
		}
		th, err := s.ReportThreshold(ctx, store.ReportInput{Domain: "bank", Problem: "login", Lang: "nl", Voice: note, VoiceType: "audio/webm"})
		if err != nil || !th.HasVoice {
			t.Fatalf("under the default cap: %+v %v", th, err)
		}
	})
}
