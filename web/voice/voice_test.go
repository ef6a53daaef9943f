package voice_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/voice"
)

var ctx = context.Background()

func newVoice(t *testing.T, st *store.Store, o voice.Options) (*voice.Voice, *fiber.App) {
	t.Helper()
	v, err := voice.New(ctx, st, o)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	v.Mount(app)
	return v, app
}

type answer struct {
	status int
	typ    string
	cache  string
	body   []byte
}

func get(t *testing.T, app *fiber.App, url string) answer {
	t.Helper()
	res, err := app.Test(httptest.NewRequest("GET", url, nil), 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"), b}
}

// fakeEspeak is a stand-in for espeak-ng that writes a tiny WAV to its -w
// argument and counts its runs, so cache reuse is testable anywhere.
func fakeEspeak(t *testing.T) (bin, runs string) {
	t.Helper()
	dir := t.TempDir()
	runs = filepath.Join(dir, "runs")
	bin = filepath.Join(dir, "espeak-ng")
	script := `#!/bin/sh
out=""
while [ $# -gt 0 ]; do
  if [ "$1" = "-w" ]; then out="$2"; shift; fi
  shift
done
cat > /dev/null
echo run >> ` + runs + `
printf 'RIFF\044\000\000\000WAVEfmt \020\000\000\000\001\000\001\000\042\126\000\000\104\254\000\000\002\000\020\000data\000\000\000\000' > "$out"
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, runs
}

func countRuns(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "run")
}

func TestEspeakSpeaks(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("espeak-ng is not installed: under CI the server-speech test must run (apt-get install espeak-ng)")
		}
		t.Skip("espeak-ng is not installed")
	}
	st := storetest.Open(t, "sqlite")
	v, app := newVoice(t, st, voice.Options{CacheDir: t.TempDir()})
	for _, lang := range []string{"nl", "fr", "en", "ar", "fa", "prs", "uk", "ro", "tr"} {
		if !v.ServerSpeech(lang) {
			t.Errorf("espeak-ng should speak %s", lang)
		}
	}
	for _, lang := range []string{"ti", "so"} {
		if v.ServerSpeech(lang) || v.Audio(lang, "kiosk.idle.title", "ካርድኻ") != "" {
			t.Errorf("%s has no espeak-ng voice: the browser must decide", lang)
		}
	}
	u := v.Audio("nl", "kiosk.idle.title", "Scan je kaart")
	if !strings.HasPrefix(u, "/kiosk/audio/tts/nl/") {
		t.Fatalf("tts url: %q", u)
	}
	a := get(t, app, u)
	if a.status != 200 || a.typ != "audio/wav" || !bytes.HasPrefix(a.body, []byte("RIFF")) || len(a.body) < 5000 {
		t.Fatalf("speech: %d %s %d bytes", a.status, a.typ, len(a.body))
	}
	// Arabic, and a text that looks like an option.
	if a := get(t, app, v.Audio("ar", "kiosk.back", "--help رجوع")); a.status != 200 || len(a.body) < 5000 {
		t.Fatalf("arabic speech: %d %d bytes", a.status, len(a.body))
	}
}

func TestSignatureRefusal(t *testing.T) {
	bin, runs := fakeEspeak(t)
	st := storetest.Open(t, "sqlite")
	v, app := newVoice(t, st, voice.Options{CacheDir: t.TempDir(), Espeak: bin})
	u := v.Audio("nl", "kiosk.back", "Terug")
	tok := u[strings.LastIndex(u, "/")+1:]
	text, sig, _ := strings.Cut(tok, ".")
	other := v.Audio("nl", "kiosk.ok", "OK")
	otherSig := other[strings.LastIndex(other, ".")+1:]
	for _, bad := range []string{
		"/kiosk/audio/tts/nl/" + text,                                 // no signature
		"/kiosk/audio/tts/nl/" + text + "." + otherSig,                // another text's signature
		"/kiosk/audio/tts/nl/" + "SGFjaw." + sig,                      // another text, this signature
		"/kiosk/audio/tts/fr/" + tok,                                  // another language
		"/kiosk/audio/tts/ti/" + tok,                                  // a language without a voice
		"/kiosk/audio/tts/nl/" + text + "." + sig[:len(sig)-2] + "AA", // a changed signature
		"/kiosk/audio/tts/nl/%00." + sig,
	} {
		if a := get(t, app, bad); a.status != 404 {
			t.Errorf("%s: want 404, got %d", bad, a.status)
		}
	}
	if n := countRuns(runs); n != 0 {
		t.Fatalf("refused tokens ran espeak-ng %d times", n)
	}
	// A second process (another secret) does not honour this one's URLs.
	_, app2 := newVoice(t, st, voice.Options{CacheDir: t.TempDir(), Espeak: bin})
	if a := get(t, app2, u); a.status != 404 {
		t.Fatalf("another process's token: %d", a.status)
	}
	if a := get(t, app, u); a.status != 200 {
		t.Fatalf("the genuine token: %d", a.status)
	}
}

func TestCacheReuseAndBounds(t *testing.T) {
	bin, runs := fakeEspeak(t)
	st := storetest.Open(t, "sqlite")
	cache := t.TempDir()
	v, app := newVoice(t, st, voice.Options{CacheDir: cache, Espeak: bin, CacheBytes: 400,
		Private: func(key string) bool { return key == "kiosk.home.greeting" }})
	u := v.Audio("nl", "kiosk.idle.title", "Scan je kaart")
	if u2 := v.Audio("nl", "kiosk.idle.title", "Scan je kaart"); u2 != u {
		t.Fatal("the same words get the same URL")
	}
	// Many kiosks ask at once: espeak-ng runs once.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a := get(t, app, u); a.status != 200 || !bytes.HasPrefix(a.body, []byte("RIFF")) {
				t.Errorf("speech: %d", a.status)
			}
		}()
	}
	wg.Wait()
	if a := get(t, app, u); a.status != 200 || a.cache == "" {
		t.Fatalf("cached speech: %d %q", a.status, a.cache)
	}
	if n := countRuns(runs); n != 1 {
		t.Fatalf("espeak-ng ran %d times for one text", n)
	}
	// A new process with the same cache directory reuses the file.
	v2, app2 := newVoice(t, st, voice.Options{CacheDir: cache, Espeak: bin, CacheBytes: 400})
	if a := get(t, app2, v2.Audio("nl", "kiosk.idle.title", "Scan je kaart")); a.status != 200 {
		t.Fatalf("second process: %d", a.status)
	}
	if n := countRuns(runs); n != 1 {
		t.Fatalf("espeak-ng ran again (%d) for a cached text", n)
	}
	// The cap: 44-byte files, 400 bytes at most.
	for _, w := range []string{"een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"} {
		if a := get(t, app, v.Audio("nl", "number", w)); a.status != 200 {
			t.Fatalf("%s: %d", w, a.status)
		}
	}
	var total int64
	files, _ := os.ReadDir(cache)
	for _, f := range files {
		info, _ := f.Info()
		total += info.Size()
	}
	if total > 400 {
		t.Fatalf("cache holds %d bytes, cap 400", total)
	}
	// Never speech for words that may hold a name, nor for no key, nor for
	// a text too long.
	for _, c := range [][2]string{{"kiosk.home.greeting", "Welkom, Amina!"}, {"", "Amina"}, {"x.y", strings.Repeat("a", voice.MaxSpeechRunes+1)}} {
		if u := v.Audio("nl", c[0], c[1]); u != "" {
			t.Errorf("%q: want no server speech, got %q", c[0], u)
		}
	}
}

func TestRecordingWins(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		bin, _ := fakeEspeak(t)
		v, app := newVoice(t, st, voice.Options{CacheDir: t.TempDir(), Espeak: bin})
		if u := v.Audio("nl", "kiosk.idle.title", "Scan je kaart"); !strings.HasPrefix(u, "/kiosk/audio/tts/") {
			t.Fatalf("before recording: %q", u)
		}
		if u := v.Audio("ti", "time.09:30", "09:30"); u != "" {
			t.Fatalf("ti without recording: %q", u)
		}
		audio := []byte("OggS fake recording")
		for _, p := range []store.VoicePromptInput{
			{Lang: "nl", Key: "kiosk.idle.title", Text: "Scan je kaart", Mime: "audio/ogg", Audio: audio},
			{Lang: "ti", Key: "time.09:30", Text: "09:30", Mime: "audio/webm", Audio: audio},
		} {
			if _, err := st.SaveVoicePrompt(ctx, p, 0); err != nil {
				t.Fatal(err)
			}
		}
		if u := v.Audio("nl", "kiosk.idle.title", "Scan je kaart"); !strings.HasPrefix(u, "/kiosk/audio/tts/") {
			t.Fatal("the index changes only at Reload")
		}
		// What was made of the sounds is keyed by Version: it changes with
		// the recordings, and only then.
		before := v.Version()
		if err := v.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		after := v.Version()
		if after == before {
			t.Fatal("new recordings, the same version")
		}
		if v.Reload(ctx); v.Version() != after {
			t.Fatal("the same recordings, a new version")
		}
		p, _ := st.VoicePrompt(ctx, "nl", "kiosk.idle.title")
		u := v.Audio("nl", "kiosk.idle.title", "Scan je kaart")
		if u != voice.RecURL("nl", "kiosk.idle.title", p.Version()) {
			t.Fatalf("recording: %q", u)
		}
		a := get(t, app, u)
		if a.status != 200 || a.typ != "audio/ogg" || !bytes.Equal(a.body, audio) || !strings.Contains(a.cache, "immutable") {
			t.Fatalf("GET recording: %d %s %q", a.status, a.typ, a.cache)
		}
		if a := get(t, app, "/kiosk/audio/rec/nl/kiosk.idle.title?v=1"); a.status != 200 || strings.Contains(a.cache, "immutable") {
			t.Fatalf("an old version is not for keeping: %d %q", a.status, a.cache)
		}
		ti := v.Audio("ti", "time.09:30", "09:30")
		if a := get(t, app, ti); a.status != 200 || a.typ != "audio/webm" {
			t.Fatalf("GET %s: %d %s", ti, a.status, a.typ)
		}
		for _, bad := range []string{"/kiosk/audio/rec/ti/kiosk.idle.title", "/kiosk/audio/rec/xx/time.09:30", "/kiosk/audio/rec/ti/..%2F..%2Fetc"} {
			if a := get(t, app, bad); a.status != 404 {
				t.Errorf("%s: want 404, got %d", bad, a.status)
			}
		}
		if err := st.DeleteVoicePrompt(ctx, "ti", "time.09:30"); err != nil {
			t.Fatal(err)
		}
		v.Reload(ctx)
		if v.Version() == after {
			t.Fatal("a recording deleted, the same version")
		}
		if u := v.Audio("ti", "time.09:30", "09:30"); u != "" {
			t.Fatalf("after delete: %q", u)
		}
	})
}

func BenchmarkAudio(b *testing.B) {
	st := storetest.Open(b, "sqlite")
	v, err := voice.New(ctx, st, voice.Options{CacheDir: b.TempDir(), Espeak: "/bin/true"})
	if err != nil {
		b.Fatal(err)
	}
	st.SaveVoicePrompt(ctx, store.VoicePromptInput{Lang: "ti", Key: "kiosk.idle.title", Text: "x", Mime: "audio/ogg", Audio: []byte("x")}, 0)
	v.Reload(ctx)
	v.Audio("nl", "kiosk.back", "Terug")
	b.ReportAllocs()
	for b.Loop() {
		v.Audio("ti", "kiosk.idle.title", "x")
		v.Audio("nl", "kiosk.back", "Terug")
		v.Audio("so", "kiosk.back", "Dib")
	}
}
