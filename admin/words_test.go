package admin_test

import (
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/voice"
	"github.com/drempel/drempel/web/webtest"
)

// voiceFixture is a whole server as cmd/drempel wires it: the kiosk's
// voice, the kiosk and the admin panel, so that a correction or a
// recording made at the desk can be seen and heard at the kiosk.
type voiceFixture struct {
	fixture
	w *web.Web
	v *voice.Voice
}

func newVoiceFixture(t *testing.T, st *store.Store) *voiceFixture {
	t.Helper()
	seedStaff(t, st)
	f := &voiceFixture{}
	f.st = st
	f.app = webtest.NewApp(t, func(app *fiber.App, w *web.Web) {
		// No espeak-ng here: what the kiosk plays is a recording or nothing.
		v, err := voice.New(ctx, st, voice.Options{Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.KioskWordOverrides(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.I18n.SetOverrides(m)
		w.I18n.SetVoice(v)
		v.Mount(app)
		kiosk.Mount(app, st, w, kiosk.Options{Idle: time.Minute, Log: quiet})
		admin.Mount(app, st, w, admin.Options{LoginPerMinute: 100, Log: quiet, Voice: v})
		f.w, f.v = w, v
	})
	return f
}

// kioskIdle is the kiosk's idle screen in a language, as a visitor who
// tapped it sees it.
func (f *voiceFixture) kioskIdle(t *testing.T, lang string) string {
	t.Helper()
	k := webtest.NewClient(t, f.app)
	k.Get("/kiosk")
	if lang != "nl" {
		if r := k.Post("/kiosk/lang", webtest.Form("lang", lang)); r.Status != 303 {
			t.Fatalf("kiosk language %s: %d", lang, r.Status)
		}
	}
	r := k.Get("/kiosk")
	if r.Status != 200 {
		t.Fatalf("kiosk: %d", r.Status)
	}
	return html.UnescapeString(r.Body)
}

func TestKioskWordsPage(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newVoiceFixture(t, st)
		idle, _ := f.w.I18n.MessageTemplate("nl", "kiosk.idle.title")
		if !strings.Contains(f.kioskIdle(t, "nl"), idle) {
			t.Fatal("the kiosk shows the catalog's words before any correction")
		}
		if r := f.signIn(t, store.RoleFacilitator).Get("/admin/words"); r.Status != 403 {
			t.Fatalf("facilitator: %d", r.Status)
		}
		c := f.signIn(t, store.RoleStaff)
		page := c.Get("/admin/words?lang=ti")
		ids := f.w.I18n.KioskMessageIDs()
		if page.Status != 200 || !strings.Contains(page.Body, `id="w-kiosk.idle.title"`) ||
			!strings.Contains(page.Body, "ትግርኛ</span>: 0 van "+itoa(len(ids))+" nagekeken") {
			t.Fatalf("words page: %d", page.Status)
		}
		if !strings.Contains(c.Get("/admin").Body, `href="/admin/words"`) {
			t.Fatal("no menu link to the kiosk words")
		}

		// A correction, reviewed: the kiosk shows it at once.
		c.Get("/admin/words?lang=nl")
		r := c.Post("/admin/words", webtest.Form("lang", "nl", "id", "kiosk.idle.title", "text", "Scan hier je lidkaart", "reviewed", "1"))
		if r.Status != 303 || r.Location != "/admin/words?lang=nl#w-kiosk.idle.title" {
			t.Fatalf("save: %d %q", r.Status, r.Location)
		}
		if !strings.Contains(f.kioskIdle(t, "nl"), "Scan hier je lidkaart") {
			t.Fatal("the kiosk does not show the correction")
		}
		page = c.Get("/admin/words?lang=nl")
		if !strings.Contains(page.Body, "Nederlands</span>: 1 van ") || !strings.Contains(page.Body, "Opgeslagen") {
			t.Fatal("progress and confirmation after saving")
		}
		// Reviewed without a change: a mark, not a correction.
		ar, _ := f.w.I18n.MessageTemplate("ar", "kiosk.back")
		c.Get("/admin/words?lang=ar")
		if r := c.Post("/admin/words", webtest.Form("lang", "ar", "id", "kiosk.back", "text", ar, "reviewed", "1")); r.Status != 303 {
			t.Fatalf("review: %d", r.Status)
		}
		if ws, _ := st.KioskWords(ctx, "ar"); len(ws) != 1 || ws[0].Text != "" || !ws[0].Reviewed {
			t.Fatalf("a review mark: %+v", ws)
		}

		// Placeholders must match Dutch: the form again, with what was typed.
		c.Get("/admin/words?lang=fr")
		r = c.Post("/admin/words", webtest.Form("lang", "fr", "id", "kiosk.home.greeting", "text", "Bonjour {{.Nom}} !"))
		if r.Status != 422 || !strings.Contains(r.Body, "Neem precies deze invulvelden over") ||
			!strings.Contains(html.UnescapeString(r.Body), "Bonjour {{.Nom}} !</textarea>") {
			t.Fatalf("placeholder mismatch: %d\n%s", r.Status, r.Body)
		}
		for _, bad := range []string{"Bonjour !", "Bonjour {{.Name}} {{.Name}", "Bonjour {{.Name}} {{range .}}"} {
			if r := c.Post("/admin/words", webtest.Form("lang", "fr", "id", "kiosk.home.greeting", "text", bad)); r.Status != 422 {
				t.Errorf("%q: want 422, got %d", bad, r.Status)
			}
		}
		if ws, _ := st.KioskWords(ctx, "fr"); len(ws) != 0 {
			t.Fatalf("a refused text was stored: %+v", ws)
		}
		if r := c.Post("/admin/words", webtest.Form("lang", "fr", "id", "kiosk.home.greeting", "text", "Bonjour, {{.Name}} !")); r.Status != 303 {
			t.Fatalf("good placeholders: %d", r.Status)
		}
		if r := c.Post("/admin/words", webtest.Form("lang", "fr", "id", "admin.save", "text", "x")); r.Status != 404 {
			t.Fatalf("an admin message is not a kiosk word: %d", r.Status)
		}

		// Export, then a broken import changes nothing and names the entry.
		c.Get("/admin/words")
		exp := c.Get("/admin/words/export.json")
		if exp.Status != 200 || !strings.Contains(exp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d", exp.Status)
		}
		var file struct {
			Format string
			Words  []map[string]any
		}
		if err := json.Unmarshal([]byte(exp.Body), &file); err != nil || file.Format != "drempel-kiosk-words" || len(file.Words) != 3 {
			t.Fatalf("export file: %v %+v", err, file)
		}
		broken := `{"format":"drempel-kiosk-words","version":1,"words":[
			{"lang":"ar","id":"kiosk.idle.title","text":"امسح بطاقتك هنا","reviewed":true},
			{"lang":"ar","id":"kiosk.home.greeting","text":"أهلا","reviewed":false}]}`
		page = c.Get("/admin/words?lang=ar")
		r = c.Upload("/admin/words/import", "file", "words.json", []byte(broken), "lang", "ar")
		if r.Status != 422 || !strings.Contains(r.Body, "Er is niets geïmporteerd: tekst 2 (ar, kiosk.home.greeting)") {
			t.Fatalf("broken import: %d", r.Status)
		}
		for _, junk := range []string{"", "not json at all", `{"format":"something else","version":1,"words":[]}`, `{"format":"drempel-kiosk-words","version":1,"words":[]}`,
			`{"format":"drempel-kiosk-words","version":1,"words":[{"lang":"xx","id":"kiosk.back","text":"x"}]}`} {
			r := c.Upload("/admin/words/import", "file", "words.json", []byte(junk), "lang", "ar")
			if r.Status != 422 || !strings.Contains(r.Body, `class="error"`) {
				t.Errorf("import %q: want a friendly 422, got %d", junk, r.Status)
			}
		}
		if r := c.Upload("/admin/words/import", "", "", nil, "lang", "ar"); r.Status != 422 {
			t.Errorf("import without a file: %d", r.Status)
		}
		if all, _ := st.AllKioskWords(ctx); len(all) != 3 {
			t.Fatalf("a refused import changed the words: %+v", all)
		}
		if strings.Contains(f.kioskIdle(t, "ar"), "امسح بطاقتك هنا") {
			t.Fatal("a refused import reached the kiosk")
		}
		good := strings.Replace(broken, `"text":"أهلا"`, `"text":"أهلا {{.Name}}"`, 1)
		if r := c.Upload("/admin/words/import", "file", "words.json", []byte(good), "lang", "ar"); r.Status != 303 {
			t.Fatalf("import: %d\n%s", r.Status, r.Body)
		}
		if !strings.Contains(f.kioskIdle(t, "ar"), "امسح بطاقتك هنا") {
			t.Fatal("the imported correction is not on the kiosk")
		}

		// Reset: the catalog speaks again.
		c.Get("/admin/words?lang=nl")
		if r := c.Post("/admin/words/reset", webtest.Form("lang", "nl", "id", "kiosk.idle.title")); r.Status != 303 {
			t.Fatalf("reset: %d", r.Status)
		}
		if body := f.kioskIdle(t, "nl"); strings.Contains(body, "Scan hier je lidkaart") || !strings.Contains(body, idle) {
			t.Fatal("the kiosk still shows the correction after a reset")
		}
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
