package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"math"
	"strings"
	"sync"

	"github.com/drempel/drempel/web/fonts"
)

// loadFonts serves the embedded fonts under content-hashed URLs and writes
// fonts.css, which names them: a kiosk PC without an Ethiopic or Arabic
// font still shows every script. unicode-range lets the browser fetch
// only the files a page needs.
func (w *Web) loadFonts() error {
	ranges := map[string]string{
		"Noto Sans":          "",
		"Noto Sans Arabic":   "unicode-range: U+0600-06FF, U+0750-077F, U+08A0-08FF, U+FB50-FDFF, U+FE70-FEFF, U+200C-200F;",
		"Noto Sans Ethiopic": "unicode-range: U+1200-139F, U+2D80-2DDF, U+AB00-AB2F, U+1E7E0-1E7FF;",
	}
	var css strings.Builder
	css.WriteString("/* Noto fonts, SIL Open Font License 1.1: see /static/…/fonts/OFL-*.txt */\n")
	for _, f := range fonts.Faces {
		name, file := "fonts/"+f.File, f.File
		sum, ok := fonts.Sum(file)
		if !ok {
			return fmt.Errorf("font %s has no checksum in web/fonts/SOURCES", file)
		}
		w.assets[name] = asset{hash: sum[:12], mime: "font/ttf", load: func() ([]byte, error) { return fonts.FS.ReadFile(file) }}
		weight := 400
		if f.Bold {
			weight = 700
		}
		// Every family is also "Drempel Sans", so one font-family list in
		// the style sheets picks the right script's file per character.
		fmt.Fprintf(&css, "@font-face { font-family: \"Drempel Sans\"; src: url(\"/static/%s/%s\") format(\"truetype\"); font-weight: %d; font-display: swap; %s }\n",
			w.assets[name].hash, name, weight, ranges[f.Family])
	}
	for _, lic := range []string{"OFL-NotoSans.txt", "OFL-NotoSansArabic.txt", "OFL-NotoSansEthiopic.txt"} {
		b, err := fonts.FS.ReadFile(lic)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		w.assets["fonts/"+lic] = asset{hash: hex.EncodeToString(sum[:6]), body: b, mime: "text/plain; charset=utf-8"}
	}
	b := []byte(css.String())
	sum := sha256.Sum256(b)
	w.assets["fonts.css"] = asset{hash: hex.EncodeToString(sum[:6]), body: b, mime: "text/css; charset=utf-8"}
	return nil
}

// dict builds a map for a sub-template: dict "Href" "/x" "Icon" "laptop".
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// calendarPage draws a calendar leaf with the day of the month on it, so
// that each day tile shows its own date, not the same calendar.
func calendarPage(day int) template.HTML {
	if day >= 1 && day <= 31 {
		return calendarPages[day]
	}
	return drawCalendarPage(day)
}

// calendarPages are the pages of every day of a month, drawn once.
var calendarPages = func() (pages [32]template.HTML) {
	for d := 1; d <= 31; d++ {
		pages[d] = drawCalendarPage(d)
	}
	return pages
}()

func drawCalendarPage(day int) template.HTML {
	return template.HTML(fmt.Sprintf(`<svg aria-hidden="true" focusable="false" class="picto cal" viewBox="0 0 64 64">`+
		`<rect x="6" y="10" width="52" height="48" rx="7" fill="#fff" stroke="#1b2330" stroke-width="3"/>`+
		`<path d="M6 17a7 7 0 0 1 7-7h38a7 7 0 0 1 7 7v7H6z" fill="#b3261e"/>`+
		`<path d="M20 5v10M44 5v10" stroke="#1b2330" stroke-width="4" stroke-linecap="round"/>`+
		`<text x="32" y="51" text-anchor="middle" font-size="26" font-weight="700" fill="#1b2330" font-family="Drempel Sans, sans-serif">%d</text></svg>`, day))
}

// clockFace draws a clock whose hands show the time, so that each time
// tile shows its own hour, not the same clock.
func clockFace(hour, minute int) template.HTML {
	key := (hour%24)*60 + minute%60
	if f, ok := clockFaces.Load(key); ok {
		return f.(template.HTML)
	}
	f := drawClockFace(hour, minute)
	clockFaces.Store(key, f)
	return f
}

// clockFaces are the faces drawn so far, by minute of the day: a day's
// slots show a dozen, each a few hundred formatted numbers to draw.
var clockFaces sync.Map

func drawClockFace(hour, minute int) template.HTML {
	ha := (float64(hour%12) + float64(minute)/60) * 30 * math.Pi / 180
	ma := float64(minute) * 6 * math.Pi / 180
	hx, hy := 32+15*math.Sin(ha), 32-15*math.Cos(ha)
	mx, my := 32+22*math.Sin(ma), 32-22*math.Cos(ma)
	var ticks strings.Builder
	for i := 0; i < 12; i++ {
		a := float64(i) * 30 * math.Pi / 180
		r := 24.0
		if i%3 == 0 {
			r = 21
		}
		fmt.Fprintf(&ticks, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, 32+27*math.Sin(a), 32-27*math.Cos(a), 32+r*math.Sin(a), 32-r*math.Cos(a))
	}
	return template.HTML(fmt.Sprintf(`<svg aria-hidden="true" focusable="false" class="picto clockface" viewBox="0 0 64 64">`+
		`<circle cx="32" cy="32" r="29" fill="#fff" stroke="#1b2330" stroke-width="3"/>`+
		`<g stroke="#1b2330" stroke-width="2" stroke-linecap="round">%s</g>`+
		`<line x1="32" y1="32" x2="%.1f" y2="%.1f" stroke="#1b2330" stroke-width="5" stroke-linecap="round"/>`+
		`<line x1="32" y1="32" x2="%.1f" y2="%.1f" stroke="#0b6e4f" stroke-width="3" stroke-linecap="round"/>`+
		`<circle cx="32" cy="32" r="3" fill="#1b2330"/></svg>`, ticks.String(), hx, hy, mx, my))
}
