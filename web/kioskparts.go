package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"
)

// The kiosk's repeated parts (a speaker button, a choice tile, a link
// button, a screen's question, a course's, a date's, a day's and a time's
// tile, the language choices) are written here rather than as templates:
// a kiosk page has dozens of them, and as templates each was many escaped
// actions, most of the time a page took to render. Every value from the
// data is escaped; an address that is not the server's own path or a web
// address is left out, as html/template does.

// speak is a speaker button: it plays the recorded or server-made sounds
// in data-audio, one after the other; else the browser's voice for the
// page's language; else the page hides it.
func (w *Web) speak(s Speech) template.HTML {
	var b strings.Builder
	w.writeSpeak(&b, s)
	return template.HTML(b.String()) //nolint:gosec // every value escaped
}

func (w *Web) writeSpeak(b *strings.Builder, s Speech) {
	b.WriteString(`<button type="button" class="speak" data-speak="`)
	b.WriteString(template.HTMLEscapeString(s.Text))
	b.WriteString(`"`)
	if len(s.Audio) > 0 {
		b.WriteString(` data-audio="`)
		b.WriteString(template.HTMLEscapeString(s.AudioList()))
		b.WriteString(`"`)
	}
	b.WriteString(` aria-label="`)
	b.WriteString(template.HTMLEscapeString(s.Listen))
	b.WriteString(`">`)
	b.WriteString(string(w.icons["speaker"]))
	b.WriteString(`</button>`)
}

// Tile is a choice tile: where it leads, its picture (a pictogram, or a
// logo), and its words and how they are said.
type Tile struct {
	Key, Href, Icon, Logo, Class string
	Extra                        template.HTML
	Say                          Speech
}

// tile is a choice tile with its speaker in the corner: a Tile, or dict
// Href Icon Say [Class Logo Extra].
func (w *Web) tile(arg any) (template.HTML, error) {
	t, ok := arg.(Tile)
	if args, isMap := arg.(map[string]any); isMap {
		ok = true
		t.Href, t.Icon, t.Logo, t.Class = text(args["Href"]), text(args["Icon"]), text(args["Logo"]), text(args["Class"])
		t.Extra = template.HTML(template.HTMLEscapeString(text(args["Extra"]))) //nolint:gosec // escaped
		if h, isHTML := args["Extra"].(template.HTML); isHTML {
			t.Extra = h
		}
		t.Say, _ = args["Say"].(Speech)
	}
	if !ok {
		return "", fmt.Errorf("tile: %T is neither a Tile nor a dict", arg)
	}
	var b strings.Builder
	b.WriteString(`<div class="tile-wrap"><a class="tile`)
	if t.Class != "" {
		b.WriteString(" " + template.HTMLEscapeString(t.Class))
	}
	b.WriteString(`" href="` + safeURL(t.Href) + `">`)
	if t.Logo != "" {
		b.WriteString(`<img src="` + safeURL(t.Logo) + `" alt="" class="logo">`)
	} else if t.Icon != "" {
		svg, err := w.Icon(t.Icon)
		if err != nil {
			return "", err
		}
		b.WriteString(string(svg))
	}
	b.WriteString(string(t.Extra))
	b.WriteString(`<span class="label">` + template.HTMLEscapeString(t.Say.Text) + `</span></a>`)
	w.writeSpeak(&b, t.Say)
	b.WriteString(`</div>`)
	return template.HTML(b.String()), nil //nolint:gosec // every value escaped
}

// btn is a link button with its speaker beside it: dict Href Icon Say
// [Class].
func (w *Web) btn(args map[string]any) (template.HTML, error) {
	say, _ := args["Say"].(Speech)
	class := text(args["Class"])
	if class == "" {
		class = "btn-secondary"
	}
	svg, err := w.Icon(text(args["Icon"]))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(`<div class="say-wrap"><a class="btn ` + template.HTMLEscapeString(class) + `" href="` + safeURL(text(args["Href"])) + `">`)
	b.WriteString(string(svg))
	b.WriteString(`<span>` + template.HTMLEscapeString(say.Text) + `</span></a>`)
	w.writeSpeak(&b, say)
	b.WriteString(`</div>`)
	return template.HTML(b.String()), nil //nolint:gosec // every value escaped
}

// question is the screen's question, spoken when the screen opens: dict
// Say [Text Class ID].
func (w *Web) question(args map[string]any) template.HTML {
	say, _ := args["Say"].(Speech)
	class := text(args["Class"])
	if class == "" {
		class = "big"
	}
	var b strings.Builder
	b.WriteString(`<div class="say-row"><h1 class="` + template.HTMLEscapeString(class) + `"`)
	if id := text(args["ID"]); id != "" {
		b.WriteString(` id="` + template.HTMLEscapeString(id) + `"`)
	}
	b.WriteString(`>`)
	if t, ok := args["Text"]; ok && text(t) != "" {
		writeHTML(&b, t)
	} else {
		b.WriteString(template.HTMLEscapeString(say.Text))
	}
	b.WriteString(`</h1>`)
	w.writeSpeak(&b, say)
	b.WriteString(`</div>`)
	return template.HTML(b.String()) //nolint:gosec // every value escaped
}

// CourseTile is a course's tile on the courses screen: its pictogram,
// name, when its next session is, and how many seats are free (full
// marks it).
func (w *Web) CourseTile(id int64, pictogram, name, when, seats string, full bool, say Speech) (template.HTML, error) {
	picto, err := w.Icon(pictogram)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(`<div class="tile-wrap"><a class="tile course`)
	if full {
		b.WriteString(` full`)
	}
	b.WriteString(`" href="/kiosk/courses/` + strconv.FormatInt(id, 10) + `">` + string(picto))
	b.WriteString(`<span class="name">` + template.HTMLEscapeString(name) + `</span>`)
	b.WriteString(`<span class="meta">` + string(w.icons["clock"]) + template.HTMLEscapeString(when) + `</span>`)
	b.WriteString(`<span class="meta">` + string(w.icons["seat"]) + template.HTMLEscapeString(seats) + `</span></a>`)
	w.writeSpeak(&b, say)
	b.WriteString(`</div>`)
	return template.HTML(b.String()), nil //nolint:gosec // every value escaped
}

// DayTile is a day's tile on the "which day?" screen: a calendar page
// with the day of the month, and the day's name.
func (w *Web) DayTile(href string, day int, label string, say Speech) string {
	var b strings.Builder
	b.WriteString(`<div class="tile-wrap"><a class="tile day" href="` + safeURL(href) + `">` + string(calendarPage(day)))
	b.WriteString(`<span class="label">` + template.HTMLEscapeString(label) + `</span></a>`)
	w.writeSpeak(&b, say)
	b.WriteString(`</div>`)
	return b.String()
}

// SlotTile is a time's tile on a day's screen: a clock showing the time,
// the time, and the free seats as a number by a chair (free says it in
// words for a screen reader).
func (w *Web) SlotTile(href string, hour, minute int, hhmm string, seats int, free string, say Speech) string {
	var b strings.Builder
	b.WriteString(`<div class="tile-wrap"><a class="tile slot" href="` + safeURL(href) + `">` + string(clockFace(hour, minute)))
	b.WriteString(`<span class="time">` + template.HTMLEscapeString(hhmm) + `</span><span class="free">` + string(w.icons["seat"]))
	b.WriteString(`<span aria-hidden="true">` + strconv.Itoa(seats) + `</span><span class="visually-hidden">` + template.HTMLEscapeString(free) + `</span></span></a>`)
	w.writeSpeak(&b, say)
	b.WriteString(`</div>`)
	return b.String()
}

// DateTile is another date of a course on its screen: when, and the
// free seats in words.
func (w *Web) DateTile(href, when, free string, say Speech) string {
	var b strings.Builder
	b.WriteString(`<div class="tile-wrap"><a class="tile slot" href="` + safeURL(href) + `"><span class="time">` + template.HTMLEscapeString(when) + `</span>`)
	b.WriteString(`<span class="free">` + string(w.icons["seat"]) + template.HTMLEscapeString(free) + `</span></a>`)
	w.writeSpeak(&b, say)
	b.WriteString(`</div>`)
	return b.String()
}

// langButtons are the idle screen's language choices, each a form that
// posts its language, the current one marked.
func (w *Web) langButtons(langs []Language, current, csrf string) template.HTML {
	var b strings.Builder
	for _, l := range langs {
		code := template.HTMLEscapeString(l.Code)
		b.WriteString(`<form method="post" action="/kiosk/lang"><input type="hidden" name="_csrf" value="` + template.HTMLEscapeString(csrf) + `">`)
		b.WriteString(`<button class="lang`)
		if l.Code == current {
			b.WriteString(` current`)
		}
		b.WriteString(`" name="lang" value="` + code + `" lang="` + code + `" dir="` + l.Dir() + `"`)
		if l.Code == current {
			b.WriteString(` aria-current="true"`)
		}
		b.WriteString(`>` + template.HTMLEscapeString(l.Endonym) + `</button></form>`)
	}
	return template.HTML(b.String()) //nolint:gosec // every value escaped
}

// text is a value as the template would print it; nil is "".
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case template.HTML:
		return string(v)
	default:
		return fmt.Sprint(v)
	}
}

// writeHTML writes markup as it is and any other value escaped.
func writeHTML(b *strings.Builder, v any) {
	if h, ok := v.(template.HTML); ok {
		b.WriteString(string(h))
		return
	}
	b.WriteString(template.HTMLEscapeString(text(v)))
}

// safeURL is an address for an attribute: the server's own paths and web
// addresses, escaped; anything else is replaced as html/template replaces
// an unsafe URL.
func safeURL(u string) string {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return template.HTMLEscapeString(u)
	}
	return "#ZgotmplZ"
}

// once writes the kiosk's partial name for a language, as .L, once for
// each of the Loc's versions (its words and sounds): the bar at the top
// of every screen and the "are you still there?" box are the same on every
// screen, and were a tenth of each one's time.
func (w *Web) once(name string, l *Loc) (template.HTML, error) {
	return w.chrome.Get(chromeKey{name, l, l.Version()}, func() (template.HTML, error) {
		t, err := w.parts.template()
		if err != nil {
			return "", err
		}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, name, map[string]any{"L": l}); err != nil {
			return "", err
		}
		return template.HTML(b.String()), nil //nolint:gosec // html/template wrote it
	})
}

type chromeKey struct {
	name    string
	l       *Loc
	version uint64
}

// Written keeps markup as it was written, by a key that holds everything
// it was made of, up to Max pieces (past it, it starts again empty).
type Written[K comparable] struct {
	Max int
	mu  sync.Mutex
	m   map[K]template.HTML
}

// Get is the markup kept under key, or what write makes, then kept.
func (wr *Written[K]) Get(key K, write func() (template.HTML, error)) (template.HTML, error) {
	wr.mu.Lock()
	h, ok := wr.m[key]
	wr.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := write()
	if err != nil {
		return "", err
	}
	wr.mu.Lock()
	if wr.m == nil || len(wr.m) >= wr.Max {
		wr.m = map[K]template.HTML{}
	}
	wr.m[key] = h
	wr.mu.Unlock()
	return h, nil
}
