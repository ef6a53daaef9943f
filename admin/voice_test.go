package admin_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"html"
	"io"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/voice"
	"github.com/drempel/drempel/web/webtest"
)

// wav makes a short mono 16-bit WAV: a tone of ms milliseconds.
func wav(ms int) []byte {
	const rate = 8000
	n := rate * ms / 1000
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1)) // PCM
	w(uint16(1)) // mono
	w(uint32(rate))
	w(uint32(rate * 2))
	w(uint16(2))
	w(uint16(16))
	b.WriteString("data")
	w(uint32(2 * n))
	for i := 0; i < n; i++ {
		v := int16(8000)
		if (i/10)%2 == 0 {
			v = -8000
		}
		w(v)
	}
	return b.Bytes()
}

func TestVoiceStudio(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newVoiceFixture(t, st)
		site, _ := st.EnsureSite(ctx, "Test", "Europe/Brussels") // the first site
		if err := st.SetLabHours(ctx, site.ID, []store.LabHours{{Weekday: 2, Opens: 9*60 + 30, Closes: 12 * 60}, {Weekday: 4, Opens: 13 * 60, Closes: 15 * 60}}); err != nil {
			t.Fatal(err)
		}
		if r := f.signIn(t, store.RoleFacilitator).Get("/admin/voice"); r.Status != 403 {
			t.Fatalf("facilitator: %d", r.Status)
		}
		c := f.signIn(t, store.RoleStaff)
		page := c.Get("/admin/voice?lang=ti")
		prompts := len(f.w.I18n.SpokenMessageIDs()) + 4 + 31 // messages, 09:30 10:30 13:00 14:00, days
		for _, want := range []string{`id="p-kiosk.idle.title"`, `id="p-time.09:30"`, `id="p-time.10:30"`, `id="p-time.14:00"`, `id="p-daynum.31"`,
			"ትግርኛ</span>: 0 van " + itoa(prompts) + " opgenomen", "data-rec"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("voice studio lacks %s", want)
			}
		}
		if strings.Contains(page.Body, `id="p-time.11:30"`) {
			t.Error("11:30 is no slot start (the last slot starts at 10:30)")
		}
		ti, _ := f.w.I18n.MessageTemplate("ti", "kiosk.idle.title")
		if ti == "" || !strings.Contains(page.Body, ti) {
			t.Fatal("the studio shows the words in the language")
		}
		if u := f.v.Audio("ti", "kiosk.idle.title", ti); u != "" {
			t.Fatalf("before recording: %q", u)
		}

		// Refusals: not audio, too large, an unknown prompt.
		for _, bad := range []struct {
			name string
			data []byte
			key  string
			want int
		}{
			{"x.png", wav(200), "kiosk.idle.title", 422},                                   // declared as an image
			{"x.webm", []byte("<html><script>alert(1)</script>"), "kiosk.idle.title", 422}, // says audio, is not
			{"x.webm", append(wav(200), make([]byte, store.MaxPromptAudio)...), "kiosk.idle.title", 422},
			{"x.webm", wav(31000), "kiosk.idle.title", 422}, // longer than 30 s
			{"x.webm", wav(200), "admin.save", 404},
			{"x.webm", wav(200), "time.25:00", 404},
		} {
			c.Get("/admin/voice?lang=ti")
			if r := c.Upload("/admin/voice", "audio", bad.name, bad.data, "lang", "ti", "key", bad.key); r.Status != bad.want {
				t.Errorf("%s %s: want %d, got %d", bad.name, bad.key, bad.want, r.Status)
			}
		}
		if l, _ := st.VoicePrompts(ctx, ""); len(l) != 0 {
			t.Fatalf("refused recordings were kept: %d", len(l))
		}

		// Record the idle screen's question (a WAV, as a browser without
		// webm would send it): the kiosk plays it.
		rec := wav(600)
		c.Get("/admin/voice?lang=ti")
		r := c.Upload("/admin/voice", "audio", "prompt.webm", rec, "lang", "ti", "key", "kiosk.idle.title")
		if r.Status != 303 || r.Location != "/admin/voice?lang=ti#p-kiosk.idle.title" {
			t.Fatalf("record: %d %q", r.Status, r.Location)
		}
		p, err := st.VoicePrompt(ctx, "ti", "kiosk.idle.title")
		if err != nil || p.Mime != "audio/wav" || p.Text != ti {
			t.Fatalf("stored: %v %+v", err, p)
		}
		u := f.v.Audio("ti", "kiosk.idle.title", ti)
		if u != voice.RecURL("ti", "kiosk.idle.title", p.Version()) {
			t.Fatalf("Audio after recording: %q", u)
		}
		kiosk := webtest.NewClient(t, f.app)
		got := kiosk.Get(u)
		if got.Status != 200 || got.Body != string(rec) || got.Header.Get("Content-Type") != "audio/wav" {
			t.Fatalf("GET %s: %d %s", u, got.Status, got.Header.Get("Content-Type"))
		}
		// The kiosk in Tigrinya: the question's speaker plays the recording.
		if body := f.kioskIdle(t, "ti"); !strings.Contains(body, `data-audio="`+u+`"`) {
			t.Fatal("the kiosk's speaker button for the idle question does not play the recording")
		}
		page = c.Get("/admin/voice?lang=ti")
		if !strings.Contains(page.Body, "ትግርኛ</span>: 1 van ") || !strings.Contains(page.Body, "Opnieuw opnemen") ||
			!strings.Contains(html.UnescapeString(page.Body), "/admin/voice/audio?lang=ti&key=kiosk.idle.title") {
			t.Fatal("the studio shows the recording")
		}
		if strings.Contains(page.Body, "Tekst gewijzigd") {
			t.Fatal("unchanged words are not marked")
		}
		if a := c.Get("/admin/voice/audio?lang=ti&key=kiosk.idle.title"); a.Status != 200 || a.Body != string(rec) {
			t.Fatalf("play back: %d", a.Status)
		}
		// A time and a day, for the slot tiles.
		for _, k := range []string{"time.09:30", "daynum.3"} {
			c.Get("/admin/voice?lang=ti")
			if r := c.Upload("/admin/voice", "audio", "prompt.webm", wav(300), "lang", "ti", "key", k); r.Status != 303 {
				t.Fatalf("record %s: %d", k, r.Status)
			}
		}
		// The words change: the row asks for a new recording.
		c.Get("/admin/words?lang=ti")
		if r := c.Post("/admin/words", webtest.Form("lang", "ti", "id", "kiosk.idle.title", "text", ti+" ኣብዚ")); r.Status != 303 {
			t.Fatalf("correct ti: %d", r.Status)
		}
		if page := c.Get("/admin/voice?lang=ti"); !strings.Contains(page.Body, "Tekst gewijzigd") {
			t.Fatal("changed words are not marked for re-recording")
		}

		// Export the pack, and import it into a second, fresh server.
		pack := c.Get("/admin/voice/pack.zip?lang=ti")
		if pack.Status != 200 || pack.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("pack: %d %s", pack.Status, pack.Header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(strings.NewReader(pack.Body), int64(len(pack.Body)))
		if err != nil {
			t.Fatal(err)
		}
		var man struct {
			Format  string
			Prompts []struct{ Lang, Key, File, Text string }
		}
		for _, zf := range zr.File {
			if zf.Name == "manifest.json" {
				rc, _ := zf.Open()
				json.NewDecoder(rc).Decode(&man)
				rc.Close()
			}
		}
		if man.Format != "drempel-voice-pack" || len(man.Prompts) != 3 || man.Prompts[0].File != "ti/daynum.3.wav" || man.Prompts[1].Text != ti {
			t.Fatalf("manifest: %+v", man)
		}
		if all := c.Get("/admin/voice/pack.zip?lang=all"); all.Status != 200 {
			t.Fatalf("pack of all languages: %d", all.Status)
		}
		if r := c.Get("/admin/voice/pack.zip?lang=xx"); r.Status != 404 {
			t.Fatalf("pack of an unknown language: %d", r.Status)
		}

		f2 := newVoiceFixture(t, storetest.Open(t, st.Dialect))
		c2 := f2.signIn(t, store.RoleAdmin)
		c2.Get("/admin/voice?lang=ti")
		// Broken packs first: nothing is imported, the page says why.
		brokenPack := rezip(t, pack.Body, func(name string, data []byte) ([]byte, bool) {
			return data, name != "ti/kiosk.idle.title.wav" // a sound file is missing
		})
		badLang := rezip(t, pack.Body, func(name string, data []byte) ([]byte, bool) {
			if name == "manifest.json" {
				data = bytes.Replace(data, []byte(`"lang": "ti",
      "key": "time.09:30"`), []byte(`"lang": "zz",
      "key": "time.09:30"`), 1)
			}
			return data, true
		})
		for _, b := range []struct {
			data []byte
			want string
		}{
			{[]byte("PK not really a zip"), "geen stempakket van Drempel"},
			{brokenPack, "opname 2 (ti, kiosk.idle.title)"},
			{badLang, "opname 3 (zz, time.09:30)"},
		} {
			r := c2.Upload("/admin/voice/pack", "pack", "pack.zip", b.data, "lang", "ti")
			if r.Status != 422 || !strings.Contains(r.Body, b.want) || !strings.Contains(r.Body, `id="p-kiosk.idle.title"`) {
				t.Errorf("broken pack: want 422 with %q, got %d", b.want, r.Status)
			}
		}
		if l, _ := f2.st.VoicePrompts(ctx, ""); len(l) != 0 {
			t.Fatalf("a broken pack left %d recordings", len(l))
		}
		if r := c2.Upload("/admin/voice/pack", "pack", "pack.zip", []byte(pack.Body), "lang", "ti"); r.Status != 303 {
			t.Fatalf("import pack: %d\n%s", r.Status, r.Body)
		}
		p2, err := f2.st.VoicePrompt(ctx, "ti", "kiosk.idle.title")
		if err != nil {
			t.Fatal(err)
		}
		u2 := f2.v.Audio("ti", "kiosk.idle.title", ti)
		if u2 != voice.RecURL("ti", "kiosk.idle.title", p2.Version()) {
			t.Fatalf("second server's Audio: %q", u2)
		}
		if got := webtest.NewClient(t, f2.app).Get(u2); got.Status != 200 || got.Body != string(rec) {
			t.Fatalf("second server plays other bytes: %d", got.Status)
		}

		// Delete: nothing to play any more (Tigrinya has no server speech).
		c.Get("/admin/voice?lang=ti")
		if r := c.Post("/admin/voice/delete", webtest.Form("lang", "ti", "key", "kiosk.idle.title")); r.Status != 303 {
			t.Fatalf("delete: %d", r.Status)
		}
		if u := f.v.Audio("ti", "kiosk.idle.title", ti); u != "" {
			t.Fatalf("after delete: %q", u)
		}
		if got := kiosk.Get(u); got.Status != 404 {
			t.Fatalf("a deleted recording still plays: %d", got.Status)
		}
		c.Get("/admin/voice?lang=ti")
		if r := c.Post("/admin/voice/delete", webtest.Form("lang", "ti", "key", "kiosk.idle.title")); r.Status != 404 {
			t.Fatalf("delete twice: %d", r.Status)
		}
	})
}

// rezip copies a zip, letting edit change or drop (false) each file.
func rezip(t *testing.T, src string, edit func(name string, data []byte) ([]byte, bool)) []byte {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if data, keep := edit(f.Name, data); keep {
			w, _ := zw.Create(f.Name)
			w.Write(data)
		}
	}
	zw.Close()
	return out.Bytes()
}
