package web

import (
	"html"
	"html/template"
	"strings"
	"testing"
	"time"
)

// The kiosk parts as they were templates, before they were written in
// Go for speed: what html/template made of them is what they must write,
// escaping included.
const partsAsTemplates = `
{{define "speak"}}<button type="button" class="speak" data-speak="{{.Text}}"{{with .AudioList}} data-audio="{{.}}"{{end}} aria-label="{{.Listen}}">{{icon "speaker"}}</button>{{end}}
{{define "tile"}}<div class="tile-wrap"><a class="tile{{with .Class}} {{.}}{{end}}" href="{{.Href}}">{{with .Logo}}<img src="{{.}}" alt="" class="logo">{{else}}{{with .Icon}}{{icon .}}{{end}}{{end}}{{with .Extra}}{{.}}{{end}}<span class="label">{{.Say.Text}}</span></a>{{template "speak" .Say}}</div>{{end}}
{{define "btn"}}<div class="say-wrap"><a class="btn {{or .Class "btn-secondary"}}" href="{{.Href}}">{{icon .Icon}}<span>{{.Say.Text}}</span></a>{{template "speak" .Say}}</div>{{end}}
{{define "langs"}}{{range .Languages}}<form method="post" action="/kiosk/lang"><input type="hidden" name="_csrf" value="{{$.CSRF}}"><button class="lang{{if eq .Code $.Current}} current{{end}}" name="lang" value="{{.Code}}" lang="{{.Code}}" dir="{{.Dir}}"{{if eq .Code $.Current}} aria-current="true"{{end}}>{{.Endonym}}</button></form>{{end}}{{end}}
{{define "course"}}<div class="tile-wrap"><a class="tile course{{if eq .Free 0}} full{{end}}" href="/kiosk/courses/{{.ID}}">{{icon .Pictogram}}<span class="name">{{.Name}}</span><span class="meta">{{icon "clock"}}{{.When}}</span><span class="meta">{{icon "seat"}}{{.FreeText}}</span></a>{{template "speak" .Say}}</div>{{end}}
{{define "day"}}<div class="tile-wrap"><a class="tile day" href="{{.Href}}">{{calendar .Day}}<span class="label">{{.Label}}</span></a>{{template "speak" .Say}}</div>{{end}}
{{define "slot"}}<div class="tile-wrap"><a class="tile slot" href="{{.Href}}">{{clock .Hour .Minute}}<span class="time">{{.Time}}</span><span class="free">{{icon "seat"}}<span aria-hidden="true">{{.Seats}}</span><span class="visually-hidden">{{.Free}}</span></span></a>{{template "speak" .Say}}</div>{{end}}
{{define "date"}}<div class="tile-wrap"><a class="tile slot" href="/kiosk/courses/{{.ID}}"><span class="time">{{.When}}</span><span class="free">{{icon "seat"}}{{.FreeText}}</span></a>{{template "speak" .Say}}</div>{{end}}
{{define "question"}}<div class="say-row"><h1 class="{{or .Class "big"}}"{{with .ID}} id="{{.}}"{{end}}>{{or .Text .Say.Text}}</h1>{{template "speak" .Say}}</div>{{end}}
`

// TestKioskPartsWriteWhatTheTemplatesWrote renders each part both ways,
// with words that need escaping, and compares what a browser reads.
func TestKioskPartsWriteWhatTheTemplatesWrote(t *testing.T) {
	w, err := New(Options{TimeZone: time.UTC, DefaultLang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	old := template.Must(template.New("").Funcs(template.FuncMap{"icon": w.Icon, "calendar": calendarPage, "clock": clockFace}).Parse(partsAsTemplates))
	tricky := Speech{Text: `Wat <b>"nu"</b> & 'straks' +1`, Audio: []string{"/voice/a.ogg", "/voice/b&c.ogg"}, Listen: "Luister <nu>"}
	plain := Speech{Text: "Cursussen", Listen: "Luister"}
	dicts := []map[string]any{
		{"Href": "/kiosk/report/bank", "Icon": "d-bank", "Say": tricky},
		{"Href": "/kiosk/lab?day=1&x=2", "Icon": "laptop", "Say": plain, "Class": "slot full"},
		{"Href": "/kiosk/report/a/b/7", "Logo": "/kiosk/org-logo/7", "Icon": "building", "Say": tricky},
		{"Href": "javascript:alert(1)", "Icon": "laptop", "Say": plain, "Extra": template.HTML(`<span class="meta">3</span>`)},
		{"Href": "//evil.example/x", "Icon": "laptop", "Say": plain, "Extra": "<i>not markup</i>"},
		{"Href": "/kiosk", "Icon": "check", "Say": tricky, "Text": "Hallo <Zoë>", "ID": "greeting", "Class": "huge"},
		{"Href": "/kiosk", "Icon": "check", "Say": tricky, "Text": template.HTML("Hallo <b>Zoë</b>")},
	}
	read := func(s string) string { return html.UnescapeString(s) }
	for _, d := range dicts {
		for _, part := range []string{"tile", "btn", "question"} {
			var want strings.Builder
			if err := old.ExecuteTemplate(&want, part, d); err != nil {
				t.Fatal(err)
			}
			var got template.HTML
			switch part {
			case "tile":
				got, err = w.tile(d)
			case "btn":
				got, err = w.btn(d)
			case "question":
				got = w.question(d)
			}
			if err != nil {
				t.Fatal(err)
			}
			wanted := want.String()
			if href := d["Href"].(string); strings.HasPrefix(href, "//") && part != "question" {
				// Stricter than html/template, by choice: the kiosk links
				// only to its own server.
				if !strings.Contains(string(got), `href="#ZgotmplZ"`) {
					t.Errorf("%s links to another server: %s", part, got)
				}
				wanted = strings.Replace(wanted, `href="`+href+`"`, `href="#ZgotmplZ"`, 1)
			}
			want.Reset()
			want.WriteString(wanted)
			if read(string(got)) != read(want.String()) {
				t.Errorf("%s of %v:\n got %s\nwant %s", part, d, got, want.String())
			}
			if strings.Contains(string(got), "<b>\"nu\"") || strings.Contains(string(got), "<i>not") || strings.Contains(string(got), "javascript:") {
				t.Errorf("%s of %v writes data as markup: %s", part, d, got)
			}
		}
	}
	// A Tile writes what the same dict writes.
	d := dicts[2]
	byDict, _ := w.tile(d)
	byTile, err := w.tile(Tile{Href: d["Href"].(string), Logo: d["Logo"].(string), Icon: d["Icon"].(string), Say: tricky})
	if err != nil || byTile != byDict {
		t.Errorf("a Tile and its dict differ:\n%s\n%s (%v)", byTile, byDict, err)
	}
	// A course's tile, with seats and full.
	for _, free := range []int{0, 3} {
		c := map[string]any{"ID": int64(42), "Pictogram": "course", "Name": `Digitaal <basis> & "meer"`, "When": "morgen 10:00", "FreeText": "3 plaatsen vrij", "Free": free, "Say": tricky}
		var want strings.Builder
		if err := old.ExecuteTemplate(&want, "course", c); err != nil {
			t.Fatal(err)
		}
		got, err := w.CourseTile(42, "course", c["Name"].(string), "morgen 10:00", "3 plaatsen vrij", free == 0, tricky)
		if err != nil || read(string(got)) != read(want.String()) {
			t.Errorf("course tile, %d free:\n got %s\nwant %s (%v)", free, got, want.String(), err)
		}
	}
	// A day's and a time's tile.
	for _, href := range []string{"/kiosk/lab/2026-03-27", "/kiosk/lab/2026-03-27?x=1&y=2", "javascript:alert(1)"} {
		d := map[string]any{"Href": href, "Day": 27, "Label": `morgen <vr> & "za"`, "Say": tricky}
		var want strings.Builder
		if err := old.ExecuteTemplate(&want, "day", d); err != nil {
			t.Fatal(err)
		}
		if got := w.DayTile(href, 27, d["Label"].(string), tricky); read(got) != read(want.String()) {
			t.Errorf("day tile:\n got %s\nwant %s", got, want.String())
		}
		sl := map[string]any{"Href": href, "Hour": 9, "Minute": 30, "Time": "09:30", "Seats": 3, "Free": `3 <vrij> & "meer"`, "Say": tricky}
		want.Reset()
		if err := old.ExecuteTemplate(&want, "slot", sl); err != nil {
			t.Fatal(err)
		}
		if got := w.SlotTile(href, 9, 30, "09:30", 3, sl["Free"].(string), tricky); read(got) != read(want.String()) {
			t.Errorf("time tile:\n got %s\nwant %s", got, want.String())
		}
	}
	// Another date of a course.
	date := map[string]any{"ID": int64(7), "When": `vr <27/3> & "10:00"`, "FreeText": "3 plaatsen <vrij>", "Say": tricky}
	var wantDate strings.Builder
	if err := old.ExecuteTemplate(&wantDate, "date", date); err != nil {
		t.Fatal(err)
	}
	if got := w.DateTile("/kiosk/courses/7", date["When"].(string), date["FreeText"].(string), tricky); read(got) != read(wantDate.String()) {
		t.Errorf("date tile:\n got %s\nwant %s", got, wantDate.String())
	}
	// The language choices, the current one marked, right to left where
	// it applies.
	for _, current := range []string{"nl", "ar"} {
		var want strings.Builder
		data := map[string]any{"Languages": KioskLanguages(), "Current": current, "CSRF": `tok"en<`}
		if err := old.ExecuteTemplate(&want, "langs", data); err != nil {
			t.Fatal(err)
		}
		got := w.langButtons(KioskLanguages(), current, `tok"en<`)
		if read(string(got)) != read(want.String()) {
			t.Errorf("languages, %s current:\n got %s\nwant %s", current, got, want.String())
		}
		if !strings.Contains(string(got), `value="`+current+`" lang="`+current+`"`) || strings.Count(string(got), "aria-current") != 1 {
			t.Errorf("languages, %s current: %s", current, got)
		}
	}
	if _, err := w.tile("a string"); err == nil {
		t.Error("a tile of a string")
	}
}
