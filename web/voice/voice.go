// Package voice owns where the kiosk's sound comes from. A speaker button
// plays, first found wins:
//
//  1. a prompt a volunteer recorded in the voice studio for that language
//     and prompt key, served from the database;
//  2. speech made on this server by espeak-ng, when it is installed and
//     speaks the language, made once per text and kept in a cache
//     directory;
//  3. nothing: the page then uses the browser's own voices, or hides the
//     button.
//
// Audio runs for every speaker button of every kiosk page, so it answers
// from memory: an index of the recordings (reloaded after every change
// in the studio, and now and then for the other servers of a network)
// and the signed URLs it already made.
package voice

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// espeakVoices maps a kiosk language to the espeak-ng voice that speaks
// it. Dari (prs) is close enough to Persian for a prompt to be
// understood, so it borrows the fa voice. espeak-ng has no Tigrinya (ti)
// and no Somali (so) voice: those get a recording or the browser.
var espeakVoices = map[string]string{
	"nl": "nl", "fr": "fr-be", "en": "en-gb", "ar": "ar", "fa": "fa", "prs": "fa",
	"uk": "uk", "ro": "ro", "tr": "tr",
}

// Limits of server speech.
const (
	// MaxSpeechRunes bounds a text espeak-ng is asked to say: prompts are
	// short; a longer text is left to the browser.
	MaxSpeechRunes = 300
	// DefaultCacheBytes caps the speech cache on disk.
	DefaultCacheBytes = 64 << 20
	// synthesisers is how many espeak-ng run at once.
	synthesisers = 2
	// memoPerLang bounds the signed URLs kept per language.
	memoPerLang = 4096
)

// Options configure the voice.
type Options struct {
	// CacheDir holds the speech espeak-ng made; "" turns server speech off.
	CacheDir string
	// CacheBytes caps the cache (default DefaultCacheBytes).
	CacheBytes int64
	// Espeak is the espeak-ng program; "" looks it up on PATH.
	Espeak string
	// Private lists prompt keys whose words may hold a person's data (a
	// greeting with the visitor's name): those are never made into speech
	// on the server, so no name lands in a URL or a file.
	Private func(key string) bool
	Log     *slog.Logger
}

// Voice implements web.Voice.
type Voice struct {
	st   *store.Store
	opts Options
	// rec is language → prompt key → URL of the recording.
	rec     atomic.Pointer[map[string]map[string]string]
	version atomic.Uint64

	espeak string // "" when there is no server speech
	secret []byte

	memoMu sync.RWMutex
	memo   map[string]map[string]string // language → text → signed URL

	sem      chan struct{}
	flightMu sync.Mutex
	flight   map[string]*call
	cacheMu  sync.Mutex
	cached   int64 // bytes in CacheDir, roughly
}

type call struct {
	done chan struct{}
	err  error
}

var _ web.Voice = (*Voice)(nil)

// New makes the voice and loads the index of recordings.
func New(ctx context.Context, st *store.Store, o Options) (*Voice, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = DefaultCacheBytes
	}
	if o.Private == nil {
		o.Private = func(string) bool { return false }
	}
	v := &Voice{st: st, opts: o, memo: map[string]map[string]string{}, sem: make(chan struct{}, synthesisers),
		flight: map[string]*call{}, secret: make([]byte, 32)}
	if _, err := rand.Read(v.secret); err != nil {
		return nil, err
	}
	empty := map[string]map[string]string{}
	v.rec.Store(&empty)
	if o.CacheDir != "" {
		bin := o.Espeak
		if bin == "" {
			bin = "espeak-ng"
		}
		if p, err := exec.LookPath(bin); err == nil {
			if err := os.MkdirAll(o.CacheDir, 0o750); err != nil {
				return nil, err
			}
			v.espeak = p
			// Half-made files of a server that stopped mid-synthesis.
			if old, _ := filepath.Glob(filepath.Join(o.CacheDir, "tts-*.tmp")); len(old) > 0 {
				for _, f := range old {
					os.Remove(f)
				}
			}
			v.cached = dirSize(o.CacheDir)
		} else {
			o.Log.Info("espeak-ng not found: the kiosk speaks recordings and the browser's voices only")
		}
	}
	if err := v.Reload(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// TemplatedMessages is an Options.Private for the catalogs: a kiosk
// message whose Dutch words take values ({{.Name}}) may be said with a
// visitor's name, so the server never makes speech of it.
func TemplatedMessages(x *web.I18n) func(key string) bool {
	set := map[string]bool{}
	for _, id := range x.KioskMessageIDs() {
		if s, ok := x.MessageTemplate("nl", id); ok && strings.Contains(s, "{{") {
			set[id] = true
		}
	}
	return func(key string) bool { return set[key] }
}

// ServerSpeech reports whether this server makes speech for lang.
func (v *Voice) ServerSpeech(lang string) bool {
	return v.espeak != "" && espeakVoices[lang] != ""
}

// Reload reads which recordings exist. The voice studio calls it after
// every change; Run calls it now and then for changes another server of
// the network made.
func (v *Voice) Reload(ctx context.Context) error {
	list, err := v.st.VoicePrompts(ctx, "")
	if err != nil {
		return err
	}
	idx := map[string]map[string]string{}
	for _, p := range list {
		if idx[p.Lang] == nil {
			idx[p.Lang] = map[string]string{}
		}
		idx[p.Lang][p.PromptKey] = RecURL(p.Lang, p.PromptKey, p.Version())
	}
	if old := v.rec.Swap(&idx); !maps.EqualFunc(*old, idx, maps.Equal) {
		v.version.Add(1)
	}
	return nil
}

// Version implements web.Versioned: it changes when Reload finds other
// recordings than before.
func (v *Voice) Version() uint64 { return v.version.Load() }

// Run reloads the index every interval until ctx ends.
func (v *Voice) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := v.Reload(ctx); err != nil && ctx.Err() == nil {
				v.opts.Log.Error("reload voice recordings", "err", err)
			}
		}
	}
}

// RecURL is the address of a recording; version makes a new recording a
// new URL, so the old one may be cached for good.
func RecURL(lang, key string, version int64) string {
	return "/kiosk/audio/rec/" + lang + "/" + key + "?v=" + strconv.FormatInt(version, 10)
}

// Audio implements web.Voice: the recording, else server speech, else "".
func (v *Voice) Audio(lang, key, text string) string {
	if u, ok := (*v.rec.Load())[lang][key]; ok {
		return u
	}
	if v.espeak == "" || key == "" || text == "" || espeakVoices[lang] == "" || v.opts.Private(key) {
		return ""
	}
	v.memoMu.RLock()
	u, ok := v.memo[lang][text]
	v.memoMu.RUnlock()
	if ok {
		return u
	}
	if len(text) > 4*MaxSpeechRunes || utf8.RuneCountInString(text) > MaxSpeechRunes || !utf8.ValidString(text) {
		return ""
	}
	u = "/kiosk/audio/tts/" + lang + "/" + v.token(lang, text)
	v.memoMu.Lock()
	m := v.memo[lang]
	if m == nil || len(m) >= memoPerLang {
		m = map[string]string{}
		v.memo[lang] = m
	}
	m[text] = u
	v.memoMu.Unlock()
	return u
}

// token carries the text, signed with this process's secret, so the
// server speaks only what it offered itself.
func (v *Voice) token(lang, text string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(text)) + "." + base64.RawURLEncoding.EncodeToString(v.sign(lang, text))
}

func (v *Voice) sign(lang, text string) []byte {
	m := hmac.New(sha256.New, v.secret)
	m.Write([]byte(lang))
	m.Write([]byte{0})
	m.Write([]byte(text))
	return m.Sum(nil)[:18]
}

// textOf checks a token and returns its text.
func (v *Voice) textOf(lang, tok string) (string, bool) {
	if len(tok) > 8*MaxSpeechRunes {
		return "", false
	}
	a, b, ok := strings.Cut(tok, ".")
	if !ok {
		return "", false
	}
	raw, err1 := base64.RawURLEncoding.DecodeString(a)
	sig, err2 := base64.RawURLEncoding.DecodeString(b)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, v.sign(lang, string(raw))) {
		return "", false
	}
	return string(raw), true
}

// Mount adds the routes that answer the kiosk's sounds. Mount it before
// the kiosk, so that these plain GETs skip the kiosk's middleware.
func (v *Voice) Mount(app *fiber.App) {
	app.Get("/kiosk/audio/rec/:lang/:key", v.serveRec)
	app.Get("/kiosk/audio/tts/:lang/:token", v.serveTTS)
}

func (v *Voice) serveRec(c *fiber.Ctx) error {
	p, err := v.st.VoicePrompt(c.UserContext(), c.Params("lang"), c.Params("key"))
	if errors.Is(err, store.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, p.Mime)
	if c.Query("v") == strconv.FormatInt(p.Version(), 10) {
		// Public words, and a new recording gets a new URL.
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	return c.Send(p.Audio)
}

func (v *Voice) serveTTS(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if !v.ServerSpeech(lang) {
		return fiber.ErrNotFound
	}
	text, ok := v.textOf(lang, c.Params("token"))
	if !ok || utf8.RuneCountInString(text) > MaxSpeechRunes {
		return fiber.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 20*time.Second)
	defer cancel()
	data, err := v.Speech(ctx, lang, text)
	if err != nil {
		v.opts.Log.Error("server speech", "lang", lang, "err", err) // never the text
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, "audio/wav")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(data)
}

// cacheFile names the speech for (lang, text) in the cache directory.
func (v *Voice) cacheFile(lang, text string) string {
	sum := sha256.Sum256([]byte(espeakVoices[lang] + "\x00" + text))
	return filepath.Join(v.opts.CacheDir, hex.EncodeToString(sum[:16])+".wav")
}

// Speech returns espeak-ng's WAV saying text in lang, made once and then
// read from the cache.
func (v *Voice) Speech(ctx context.Context, lang, text string) ([]byte, error) {
	if !v.ServerSpeech(lang) {
		return nil, errors.New("no server speech for " + lang)
	}
	file := v.cacheFile(lang, text)
	if data, err := os.ReadFile(file); err == nil {
		now := time.Now()
		_ = os.Chtimes(file, now, now) // recently used: evicted last
		return data, nil
	}
	// One synthesis per file, however many kiosks ask at once.
	v.flightMu.Lock()
	cl, busy := v.flight[file]
	if !busy {
		cl = &call{done: make(chan struct{})}
		v.flight[file] = cl
	}
	v.flightMu.Unlock()
	if !busy {
		cl.err = v.synthesise(ctx, lang, text, file)
		v.flightMu.Lock()
		delete(v.flight, file)
		v.flightMu.Unlock()
		close(cl.done)
	} else {
		select {
		case <-cl.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if cl.err != nil {
		return nil, cl.err
	}
	return os.ReadFile(file)
}

func (v *Voice) synthesise(ctx context.Context, lang, text, file string) error {
	select {
	case v.sem <- struct{}{}:
		defer func() { <-v.sem }()
	case <-ctx.Done():
		return ctx.Err()
	}
	tmp, err := os.CreateTemp(v.opts.CacheDir, "tts-*.tmp")
	if err != nil {
		return err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	// Arguments, never a shell; the text goes in on stdin, so it can never
	// be taken for an option.
	cmd := exec.CommandContext(ctx, v.espeak, "-v", espeakVoices[lang], "-b", "1", "-w", tmp.Name(), "--stdin")
	cmd.Stdin = strings.NewReader(text)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil {
		return errors.New("espeak-ng: " + err.Error() + ": " + firstLine(out))
	}
	st, err := os.Stat(tmp.Name())
	if err != nil {
		return err
	}
	if st.Size() < 44 {
		return errors.New("espeak-ng made no sound")
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	v.added(st.Size())
	return nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// added counts a new file and, past the cap, removes the least recently
// used speech until the cache is at three quarters of it.
func (v *Voice) added(n int64) {
	v.cacheMu.Lock()
	defer v.cacheMu.Unlock()
	v.cached += n
	if v.cached <= v.opts.CacheBytes {
		return
	}
	entries, err := os.ReadDir(v.opts.CacheDir)
	if err != nil {
		return
	}
	type file struct {
		path string
		size int64
		at   time.Time
	}
	var files []file
	var total int64
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".wav") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		files = append(files, file{filepath.Join(v.opts.CacheDir, e.Name()), info.Size(), info.ModTime()})
		total += info.Size()
	}
	sort.Slice(files, func(i, j int) bool { return files[i].at.Before(files[j].at) })
	for _, f := range files {
		if total <= v.opts.CacheBytes*3/4 {
			break
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
	v.cached = total
}

func dirSize(dir string) int64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			n += info.Size()
		}
	}
	return n
}
