package admin

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// The voice studio: volunteers record every kiosk prompt in their
// language (the messages, the lab's slot times, the days of the month),
// so that a visitor who cannot read hears a human voice. The kiosk's
// voice (web/voice) plays a recording before anything else.

// Voice is what the studio needs of the kiosk's voice: to hear at once
// that the recordings changed, and whether a language without a
// recording still gets speech made on the server.
type Voice interface {
	Reload(ctx context.Context) error
	ServerSpeech(lang string) bool
}

// Limits of the studio.
const (
	// maxPromptSeconds bounds a recording; the page stops recording then.
	maxPromptSeconds = 30
	// maxPackBytes bounds an uploaded voice pack (the server's body limit
	// may be lower) and the sound it unpacks to.
	maxPackBytes = 64 << 20
	packFormat   = "drempel-voice-pack"
)

// prompt is one row of the studio.
type prompt struct {
	Key, Text string
	// Recorded, and whether the words changed since (re-record).
	Recorded, Changed bool
	Version           int64
	Size              int
}

// promptSource is what the prompts of every language are made from: the
// staff's corrections (language → message id → text) and the start
// times of the lab's slots. One read serves every language of a page.
type promptSource struct {
	fixed map[string]map[string]string
	times []string
}

func (a *Admin) promptSource(c *fiber.Ctx) (promptSource, error) {
	ctx := c.UserContext()
	var src promptSource
	var err error
	if src.fixed, err = a.st.KioskWordOverrides(ctx); err != nil {
		return src, err
	}
	src.times, err = a.slotTimes(ctx, web.SiteOf(c).ID)
	return src, err
}

// prompts lists every prompt of a language with its words now: the kiosk
// messages (corrections included), the start times of the lab's slots,
// and the days of the month.
func (a *Admin) prompts(src promptSource, lang string) []prompt {
	var out []prompt
	for _, id := range a.w.I18n.SpokenMessageIDs() {
		text, ok := src.fixed[lang][id]
		if !ok {
			if text, ok = a.w.I18n.MessageTemplate(lang, id); !ok {
				// No catalog text yet: the kiosk shows the default
				// language, and the volunteer says it in theirs.
				text, _ = a.w.I18n.MessageTemplate(a.w.Opts.DefaultLang, id)
			}
		}
		out = append(out, prompt{Key: id, Text: text})
	}
	for _, t := range src.times {
		out = append(out, prompt{Key: web.PromptTime(t), Text: t})
	}
	for d := 1; d <= 31; d++ {
		out = append(out, prompt{Key: web.PromptDayOfMonth(d), Text: strconv.Itoa(d)})
	}
	return out
}

// slotTimes are the start times of the lab's slots on any weekday, as
// the kiosk shows them on its tiles (see store's schedule).
func (a *Admin) slotTimes(ctx context.Context, siteID int64) ([]string, error) {
	lab, err := a.st.Lab(ctx, siteID)
	if err != nil {
		return nil, err
	}
	hours, err := a.st.LabHoursOf(ctx, siteID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	step := lab.SlotMinutes
	if step <= 0 {
		return nil, nil
	}
	for _, h := range hours {
		for t := h.Opens; t+step <= h.Closes; t += step {
			s := fmt.Sprintf("%02d:%02d", t/60, t%60)
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

var (
	timeKeyRe = regexp.MustCompile(`^time\.([01][0-9]|2[0-3]):[0-5][0-9]$`)
	dayKeyRe  = regexp.MustCompile(`^daynum\.([1-9]|[12][0-9]|3[01])$`)
)

// studioKey reports whether key is a prompt the studio records: a kiosk
// message, a time of day or a day of the month. A time need not be a slot
// today: opening hours change, and a pack may come from another site.
func (a *Admin) studioKey(key string) bool {
	if timeKeyRe.MatchString(key) || dayKeyRe.MatchString(key) {
		return true
	}
	_, ok := a.w.I18n.MessageTemplate("nl", key)
	return ok && web.IsKioskMessage(key)
}

func (a *Admin) voicePage(c *fiber.Ctx) error {
	return a.renderVoice(c, fiber.StatusOK, a.wordLang(c.Query("lang")), "")
}

func (a *Admin) renderVoice(c *fiber.Ctx, status int, lang web.Language, pageErr string) error {
	ctx := c.UserContext()
	recs, err := a.st.VoicePrompts(ctx, "")
	if err != nil {
		return err
	}
	byLang := map[string]map[string]store.VoicePrompt{}
	for _, p := range recs {
		if byLang[p.Lang] == nil {
			byLang[p.Lang] = map[string]store.VoicePrompt{}
		}
		byLang[p.Lang][p.PromptKey] = p
	}
	src, err := a.promptSource(c)
	if err != nil {
		return err
	}
	var tabs []langTab
	var rows []prompt
	for _, l := range web.Languages {
		list := a.prompts(src, l.Code)
		done := 0
		for i, p := range list {
			if r, ok := byLang[l.Code][p.Key]; ok {
				done++
				list[i].Recorded, list[i].Changed, list[i].Version, list[i].Size = true, r.Text != p.Text, r.Version(), r.Size
			}
		}
		tabs = append(tabs, langTab{Code: l.Code, Endonym: l.Endonym, Dir: l.Dir(), Done: done, Of: len(list), Current: l.Code == lang.Code})
		if l.Code == lang.Code {
			rows = list
		}
	}
	v := a.view(c, nil)
	v.Error = pageErr
	v.Data = map[string]any{"Lang": lang, "Tabs": tabs, "Rows": rows, "MaxSeconds": maxPromptSeconds,
		"ServerSpeech": a.voice != nil && a.voice.ServerSpeech(lang.Code)}
	return a.w.Render(c, status, "admin/voice", v)
}

// sniffAudio is the kind of sound data holds, by its first bytes, or "".
// The browser's word for it is not trusted.
func sniffAudio(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return "audio/wav"
	case len(b) >= 4 && bytes.Equal(b[:4], []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return "audio/webm"
	case len(b) >= 4 && string(b[:4]) == "OggS":
		return "audio/ogg"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return "audio/mp4"
	case len(b) >= 3 && string(b[:3]) == "ID3", len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0:
		return "audio/mpeg"
	}
	return ""
}

// wavTooLong reports a WAV recording longer than the studio allows; other
// kinds are bounded by their size and by the page's own stop.
func wavTooLong(b []byte) bool {
	if len(b) < 44 || string(b[:4]) != "RIFF" {
		return false
	}
	rate := binary.LittleEndian.Uint32(b[28:32]) // bytes per second
	return rate > 0 && (len(b)-44)/int(rate) > maxPromptSeconds
}

// readAudio checks an uploaded or unpacked recording and returns its kind.
func readAudio(r io.Reader) ([]byte, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, store.MaxPromptAudio+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) == 0 || len(data) > store.MaxPromptAudio {
		return nil, "", errBadAudio
	}
	kind := sniffAudio(data)
	if kind == "" || wavTooLong(data) {
		return nil, "", errBadAudio
	}
	return data, kind, nil
}

var errBadAudio = errors.New("not a sound the kiosk can play")

// voiceSave takes one recording (multipart: lang, key, audio).
func (a *Admin) voiceSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	lang, ok := web.LookupLanguage(c.FormValue("lang"))
	key := c.FormValue("key")
	if !ok || !a.studioKey(key) {
		return fiber.ErrNotFound
	}
	fh, err := c.FormFile("audio")
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.voice.err.no_audio")
	}
	mt, _, _ := mime.ParseMediaType(fh.Header.Get(fiber.HeaderContentType))
	if fh.Size > store.MaxPromptAudio {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.voice.err.audio")
	}
	if !strings.HasPrefix(mt, "audio/") {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.voice.err.audio")
	}
	f, err := fh.Open()
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.voice.err.no_audio")
	}
	defer f.Close()
	data, kind, err := readAudio(f)
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.voice.err.audio")
	}
	src, err := a.promptSource(c)
	if err != nil {
		return err
	}
	text := ""
	for _, p := range a.prompts(src, lang.Code) {
		if p.Key == key {
			text = p.Text
		}
	}
	if text == "" && strings.HasPrefix(key, "time.") {
		text = strings.TrimPrefix(key, "time.")
	}
	if _, err := a.st.SaveVoicePrompt(ctx, store.VoicePromptInput{Lang: lang.Code, Key: key, Text: text, Mime: kind, Audio: data}, currentUser(c).ID); err != nil {
		if _, ok := store.AsFieldError(err); ok {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.voice.err.audio")
		}
		return err
	}
	if err := a.reloadVoice(ctx); err != nil {
		return err
	}
	a.flash(c, "admin.voice.saved")
	return c.Redirect("/admin/voice?lang="+lang.Code+"#p-"+key, fiber.StatusSeeOther)
}

func (a *Admin) reloadVoice(ctx context.Context) error {
	if a.voice == nil {
		return nil
	}
	return a.voice.Reload(ctx)
}

func (a *Admin) voiceDelete(c *fiber.Ctx) error {
	lang, ok := web.LookupLanguage(c.FormValue("lang"))
	key := c.FormValue("key")
	if !ok {
		return fiber.ErrNotFound
	}
	err := a.st.DeleteVoicePrompt(c.UserContext(), lang.Code, key)
	if err != nil {
		return err
	}
	if err := a.reloadVoice(c.UserContext()); err != nil {
		return err
	}
	a.flash(c, "admin.voice.deleted")
	return c.Redirect("/admin/voice?lang="+lang.Code+"#p-"+key, fiber.StatusSeeOther)
}

// voiceAudio plays a recording back in the studio.
func (a *Admin) voiceAudio(c *fiber.Ctx) error {
	p, err := a.st.VoicePrompt(c.UserContext(), c.Query("lang"), c.Query("key"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, p.Mime)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(p.Audio)
}

// packManifest describes a voice pack: a zip of manifest.json and one
// sound file per recording.
type packManifest struct {
	Format  string      `json:"format"`
	Version int         `json:"version"`
	Lang    string      `json:"lang,omitempty"` // "" for every language
	Made    time.Time   `json:"exported_at"`
	Prompts []packEntry `json:"prompts"`
}

type packEntry struct {
	Lang   string `json:"lang"`
	Key    string `json:"key"`
	Text   string `json:"text"`
	Mime   string `json:"mime"`
	File   string `json:"file"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

var extOf = map[string]string{"audio/webm": ".webm", "audio/ogg": ".ogg", "audio/mp4": ".m4a", "audio/mpeg": ".mp3", "audio/wav": ".wav"}

// voicePack exports the recordings of one language (lang=ti) or of all
// (lang=all) as a voice pack, written as it is read.
func (a *Admin) voicePack(c *fiber.Ctx) error {
	lang := c.Query("lang")
	if lang == "all" {
		lang = ""
	} else if _, ok := web.LookupLanguage(lang); !ok {
		return fiber.ErrNotFound
	}
	name := "drempel-voice-" + lang + ".zip"
	if lang == "" {
		name = "drempel-voice-all.zip"
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	st, now, log := a.st, a.st.Now(), a.log
	// The handler's context ends when it returns; the stream outlives it.
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := writePack(ctx, st, lang, now, bw); err != nil {
			log.Error("voice pack export", "err", err)
		}
	})
	return nil
}

func writePack(ctx context.Context, st *store.Store, lang string, now time.Time, w io.Writer) error {
	zw := zip.NewWriter(w)
	man := packManifest{Format: packFormat, Version: 1, Lang: lang, Made: now, Prompts: []packEntry{}}
	err := st.ExportVoicePrompts(ctx, lang, func(p store.VoicePrompt) error {
		file := p.Lang + "/" + p.PromptKey + extOf[p.Mime]
		sum := sha256.Sum256(p.Audio)
		// Sound is compressed already: stored as it is.
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: file, Method: zip.Store, Modified: p.UpdatedAt})
		if err != nil {
			return err
		}
		if _, err := fw.Write(p.Audio); err != nil {
			return err
		}
		man.Prompts = append(man.Prompts, packEntry{Lang: p.Lang, Key: p.PromptKey, Text: p.Text, Mime: p.Mime,
			File: file, Size: len(p.Audio), SHA256: hex.EncodeToString(sum[:])})
		return nil
	})
	if err != nil {
		return err
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "manifest.json", Method: zip.Deflate, Modified: now})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(fw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(man); err != nil {
		return err
	}
	return zw.Close()
}

// packError is a refused voice pack: the message key and, for one wrong
// entry, which.
type packError struct {
	why   string
	row   int
	entry packEntry
}

func (e *packError) Error() string { return e.why }

// readPack unpacks and checks a voice pack, entirely, before anything is
// saved.
func (a *Admin) readPack(r io.ReaderAt, size int64) ([]store.VoicePromptInput, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &packError{why: "admin.voice.err.pack"}
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	mf := files["manifest.json"]
	if mf == nil || mf.UncompressedSize64 > 4<<20 {
		return nil, &packError{why: "admin.voice.err.pack"}
	}
	rc, err := mf.Open()
	if err != nil {
		return nil, &packError{why: "admin.voice.err.pack"}
	}
	var man packManifest
	err = json.NewDecoder(io.LimitReader(rc, 4<<20)).Decode(&man)
	rc.Close()
	if err != nil || man.Format != packFormat || man.Version != 1 {
		return nil, &packError{why: "admin.voice.err.pack"}
	}
	if len(man.Prompts) == 0 || len(man.Prompts) > store.MaxImportEntries {
		return nil, &packError{why: "admin.voice.err.pack_empty"}
	}
	var total int64
	ins := make([]store.VoicePromptInput, 0, len(man.Prompts))
	for i, e := range man.Prompts {
		bad := func(why string) error { return &packError{why: why, row: i + 1, entry: e} }
		if _, ok := web.LookupLanguage(e.Lang); !ok {
			return nil, bad("admin.voice.why.lang")
		}
		if !a.studioKey(e.Key) {
			return nil, bad("admin.voice.why.key")
		}
		f := files[path.Clean(e.File)]
		if f == nil || e.File == "manifest.json" {
			return nil, bad("admin.voice.why.file")
		}
		if f.UncompressedSize64 > store.MaxPromptAudio {
			return nil, bad("admin.voice.why.audio")
		}
		if total += int64(f.UncompressedSize64); total > maxPackBytes {
			return nil, &packError{why: "admin.voice.err.pack_size"}
		}
		rc, err := f.Open()
		if err != nil {
			return nil, bad("admin.voice.why.file")
		}
		data, kind, err := readAudio(rc)
		rc.Close()
		if err != nil {
			if errors.Is(err, errBadAudio) {
				return nil, bad("admin.voice.why.audio")
			}
			return nil, bad("admin.voice.why.file")
		}
		if sum := sha256.Sum256(data); e.SHA256 != "" && !strings.EqualFold(e.SHA256, hex.EncodeToString(sum[:])) {
			return nil, bad("admin.voice.why.file")
		}
		ins = append(ins, store.VoicePromptInput{Lang: e.Lang, Key: e.Key, Text: e.Text, Mime: kind, Audio: data})
	}
	return ins, nil
}

// voiceImport takes a voice pack, all or nothing.
func (a *Admin) voiceImport(c *fiber.Ctx) error {
	lang := a.wordLang(c.FormValue("lang"))
	l := a.w.I18n.Loc(langOf(c), a.w.Opts.DefaultLang)
	refuse := func(msg string) error { return a.renderVoice(c, fiber.StatusUnprocessableEntity, lang, msg) }
	fh, err := c.FormFile("pack")
	if err != nil {
		return refuse(l.T("admin.voice.err.no_pack"))
	}
	if fh.Size > maxPackBytes {
		return refuse(l.T("admin.voice.err.pack_size"))
	}
	f, err := fh.Open()
	if err != nil {
		return refuse(l.T("admin.voice.err.no_pack"))
	}
	defer f.Close()
	ins, err := a.readPack(f, fh.Size)
	var pe *packError
	if errors.As(err, &pe) {
		if pe.row == 0 {
			return refuse(l.T(pe.why))
		}
		return refuse(l.T("admin.voice.err.entry", "Row", pe.row, "Lang", pe.entry.Lang, "Key", pe.entry.Key, "Why", l.T(pe.why)))
	}
	if err != nil {
		return err
	}
	n, err := a.st.ImportVoicePrompts(c.UserContext(), ins, currentUser(c).ID)
	var ie *store.ImportError
	if errors.As(err, &ie) {
		why := "admin.voice.why.text"
		if fe, ok := store.AsFieldError(ie.Err); ok && fe.Code == "taken" {
			why = "admin.voice.why.twice"
		}
		if ie.Row < 1 || ie.Row > len(ins) {
			return refuse(l.T("admin.voice.err.pack_empty"))
		}
		e := ins[ie.Row-1]
		return refuse(l.T("admin.voice.err.entry", "Row", ie.Row, "Lang", e.Lang, "Key", e.Key, "Why", l.T(why)))
	}
	if err != nil {
		return err
	}
	if err := a.reloadVoice(c.UserContext()); err != nil {
		return err
	}
	a.log.Info("voice pack imported", "count", n, "by", currentUser(c).ID)
	a.flash(c, "admin.voice.imported")
	return c.Redirect("/admin/voice?lang="+lang.Code, fiber.StatusSeeOther)
}
