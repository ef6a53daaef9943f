package store_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// placeholderCheck stands in for the web layer's validator: a text must
// keep {{.Name}} when the message has it.
func placeholderCheck(lang, id, text string) error {
	if id == "kiosk.unknown" {
		return &store.FieldError{Field: "msg_id", Code: "unknown"}
	}
	if id == "kiosk.home.greeting" && text != "" && !strings.Contains(text, "{{.Name}}") {
		return &store.FieldError{Field: "text", Code: "placeholders"}
	}
	return nil
}

func TestKioskWords(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		site(t, s)
		u, err := s.CreateUser(ctx, store.UserInput{Email: "a@test.be", Role: store.RoleAdmin, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		save := func(lang, id, text string, reviewed bool) error {
			return s.SaveKioskWord(ctx, store.KioskWordInput{Lang: lang, MsgID: id, Text: text, Reviewed: reviewed}, placeholderCheck, u.ID)
		}
		if err := save("ti", "kiosk.idle.title", "  ካርድኻ ኣርኢ  ", false); err != nil {
			t.Fatal(err)
		}
		if err := save("ti", "kiosk.idle.title", "ካርድኻ ኣርኢ", true); err != nil {
			t.Fatal("saving twice must update, not fail:", err)
		}
		if err := save("ti", "kiosk.back", "", true); err != nil { // reviewed, no correction
			t.Fatal(err)
		}
		if err := save("ar", "kiosk.home.greeting", "أهلا {{.Name}}", false); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			lang, id, text, code string
		}{
			{"ar", "kiosk.home.greeting", "أهلا", "placeholders"},
			{"ti", "kiosk.unknown", "x", "unknown"},
			{"Tigrinya", "kiosk.back", "x", "bad_lang"},
			{"ti", "not an id", "x", "bad_choice"},
			{"ti", "kiosk.back", "a\u202Eb", "bad_text"},
			{"ti", "kiosk.back", strings.Repeat("ሀ", store.MaxWordRunes+1), "too_long"},
		} {
			err := save(bad.lang, bad.id, bad.text, false)
			if fe, ok := store.AsFieldError(err); !ok || fe.Code != bad.code {
				t.Errorf("%q %q %q: want %s, got %v", bad.lang, bad.id, bad.text, bad.code, err)
			}
		}
		ti, err := s.KioskWords(ctx, "ti")
		if err != nil {
			t.Fatal(err)
		}
		if len(ti) != 2 || ti[1].MsgID != "kiosk.idle.title" || ti[1].Text != "ካርድኻ ኣርኢ" || !ti[1].Reviewed ||
			ti[1].UpdatedBy == nil || *ti[1].UpdatedBy != u.ID {
			t.Fatalf("ti words: %+v", ti)
		}
		over, err := s.KioskWordOverrides(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(over) != 2 || over["ti"]["kiosk.idle.title"] != "ካርድኻ ኣርኢ" || over["ar"]["kiosk.home.greeting"] != "أهلا {{.Name}}" {
			t.Fatalf("overrides: %v", over)
		}
		if _, ok := over["ti"]["kiosk.back"]; ok {
			t.Fatal("a review mark is not a correction")
		}
		// No text and no mark: nothing is kept.
		if err := save("ti", "kiosk.back", "", false); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteKioskWord(ctx, "ti", "kiosk.idle.title"); err != nil {
			t.Fatal(err)
		}
		if ti, _ := s.KioskWords(ctx, "ti"); len(ti) != 0 {
			t.Fatalf("after reset: %+v", ti)
		}

		// Import: all or nothing, and the bad entry is named.
		good := []store.KioskWordInput{
			{Lang: "ti", MsgID: "kiosk.idle.title", Text: "ካርድ", Reviewed: true},
			{Lang: "so", MsgID: "kiosk.back", Text: "Dib"},
		}
		broken := append(append([]store.KioskWordInput{}, good...), store.KioskWordInput{Lang: "ar", MsgID: "kiosk.home.greeting", Text: "أهلا"})
		_, err = s.ImportKioskWords(ctx, broken, placeholderCheck, u.ID)
		var ie *store.ImportError
		if !errors.As(err, &ie) || ie.Row != 3 {
			t.Fatalf("broken import: %v", err)
		}
		dup := append(append([]store.KioskWordInput{}, good...), good[0])
		if _, err := s.ImportKioskWords(ctx, dup, placeholderCheck, u.ID); !errors.As(err, &ie) || ie.Row != 3 {
			t.Fatalf("an entry twice: %v", err)
		}
		if _, err := s.ImportKioskWords(ctx, nil, placeholderCheck, u.ID); !errors.As(err, &ie) {
			t.Fatalf("empty import: %v", err)
		}
		all, _ := s.AllKioskWords(ctx)
		if len(all) != 1 || all[0].Lang != "ar" {
			t.Fatalf("a refused import changed something: %+v", all)
		}
		if n, err := s.ImportKioskWords(ctx, good, placeholderCheck, u.ID); err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		all, _ = s.AllKioskWords(ctx)
		if len(all) != 3 || all[0].Lang != "ar" || all[1].Lang != "so" || all[2].Text != "ካርድ" || !all[2].Reviewed {
			t.Fatalf("after import: %+v", all)
		}
	})
}

func TestVoicePrompts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		site(t, s)
		wav := bytes.Repeat([]byte{0, 1, 2, 3, 0xff}, 300)
		p, err := s.SaveVoicePrompt(ctx, store.VoicePromptInput{Lang: "ti", Key: "kiosk.idle.title", Text: "ካርድኻ", Mime: "audio/wav", Audio: wav}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if p.Size != len(wav) || p.UpdatedBy != nil {
			t.Fatalf("saved: %+v", p)
		}
		got, err := s.VoicePrompt(ctx, "ti", "kiosk.idle.title")
		if err != nil || !bytes.Equal(got.Audio, wav) || got.Mime != "audio/wav" || got.Version() != p.Version() {
			t.Fatalf("load: %v %+v (version %d, saved %d)", err, got, got.Version(), p.Version())
		}
		// Saving again replaces, with a new version.
		s.SetClock(func() time.Time { return time.Now().Add(time.Second) })
		p2, err := s.SaveVoicePrompt(ctx, store.VoicePromptInput{Lang: "ti", Key: "kiosk.idle.title", Text: "ካርድኻ ኣርኢ", Mime: "audio/webm", Audio: wav[:100]}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if p2.Version() == p.Version() {
			t.Fatal("a new recording keeps its version")
		}
		if _, err := s.SaveVoicePrompt(ctx, store.VoicePromptInput{Lang: "ti", Key: "time.09:30", Text: "09:30", Mime: "audio/ogg", Audio: wav}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveVoicePrompt(ctx, store.VoicePromptInput{Lang: "ar", Key: "daynum.3", Text: "3", Mime: "audio/ogg", Audio: wav}, 0); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			in   store.VoicePromptInput
			code string
		}{
			{store.VoicePromptInput{Lang: "ti", Key: "x.y", Mime: "text/html", Audio: wav}, "bad_choice"},
			{store.VoicePromptInput{Lang: "ti", Key: "../etc/passwd", Mime: "audio/ogg", Audio: wav}, "bad_choice"},
			{store.VoicePromptInput{Lang: "ti", Key: "a/b", Mime: "audio/ogg", Audio: wav}, "bad_choice"},
			{store.VoicePromptInput{Lang: "t", Key: "x.y", Mime: "audio/ogg", Audio: wav}, "bad_lang"},
			{store.VoicePromptInput{Lang: "ti", Key: "x.y", Mime: "audio/ogg"}, "required"},
			{store.VoicePromptInput{Lang: "ti", Key: "x.y", Mime: "audio/ogg", Audio: make([]byte, store.MaxPromptAudio+1)}, "too_long"},
		} {
			_, err := s.SaveVoicePrompt(ctx, bad.in, 0)
			if fe, ok := store.AsFieldError(err); !ok || fe.Code != bad.code {
				t.Errorf("%+v: want %s, got %v", bad.in.Key, bad.code, err)
			}
		}
		list, err := s.VoicePrompts(ctx, "ti")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].PromptKey != "kiosk.idle.title" || list[0].Audio != nil || list[0].Size != 100 || list[0].Text != "ካርድኻ ኣርኢ" {
			t.Fatalf("list without audio: %+v", list)
		}
		if all, _ := s.VoicePrompts(ctx, ""); len(all) != 3 {
			t.Fatalf("all languages: %d", len(all))
		}
		var exported []store.VoicePromptInput
		err = s.ExportVoicePrompts(ctx, "", func(p store.VoicePrompt) error {
			exported = append(exported, store.VoicePromptInput{Lang: p.Lang, Key: p.PromptKey, Text: p.Text, Mime: p.Mime, Audio: p.Audio})
			return nil
		})
		if err != nil || len(exported) != 3 || len(exported[1].Audio) != 100 {
			t.Fatalf("export: %v %d", err, len(exported))
		}
		if err := s.DeleteVoicePrompt(ctx, "ti", "time.09:30"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteVoicePrompt(ctx, "ti", "time.09:30"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		if _, err := s.VoicePrompt(ctx, "ti", "time.09:30"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted prompt: %v", err)
		}
		if _, err := s.VoicePrompt(ctx, "ti", "a/../b"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("bad key: %v", err)
		}

		// Import into a second, fresh store: all or nothing.
		s2 := storetest.Open(t, s.Dialect)
		broken := append(append([]store.VoicePromptInput{}, exported...), store.VoicePromptInput{Lang: "ti", Key: "x.y", Mime: "image/png", Audio: wav})
		var ie *store.ImportError
		if _, err := s2.ImportVoicePrompts(ctx, broken, 0); !errors.As(err, &ie) || ie.Row != 4 {
			t.Fatalf("broken pack: %v", err)
		}
		if l, _ := s2.VoicePrompts(ctx, ""); len(l) != 0 {
			t.Fatalf("a refused pack left %d prompts", len(l))
		}
		if n, err := s2.ImportVoicePrompts(ctx, exported, 0); err != nil || n != 3 {
			t.Fatalf("import: %d %v", n, err)
		}
		got, err = s2.VoicePrompt(ctx, "ar", "daynum.3")
		if err != nil || !bytes.Equal(got.Audio, wav) {
			t.Fatalf("imported audio: %v", err)
		}
	})
}
