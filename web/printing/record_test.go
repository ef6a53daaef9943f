package printing_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

// recordCase is a member whose record prints in their language: their
// name and their own words in their script.
type recordCase struct {
	lang, name, course, words, note string
}

var recordCases = []recordCase{
	{"nl", latinName, "Mails sturen en bijlagen openen", "Itsme lukt niet zonder Belgisch nummer",
		// Longer than a page: the row is cut between lines, and nothing
		// runs into the bottom margin.
		"Vraagt naar Mo" + strings.Repeat("\nKomt op dinsdag met de bus", 70)},
	{"ar", arabicName, "إرسال البريد الإلكتروني", "لا أستطيع حجز موعد عبر الإنترنت", "يفضّل الحديث بالعربية"},
	{"ti", geezName, "ኢመይል ምልኣኽ", "ብኢንተርነት ቆጸራ ክሕዝ ኣይከኣልኩን", "ብትግርኛ ይዛረብ"},
	{"uk", cyrillicName, "Електронна пошта для початківців", "Не можу записатися до лікаря онлайн", "Розмовляє українською"},
}

const (
	recordCode = "K4N 6HR"
	recordTag  = "LAP-0042"
	// recordTagRoom is how far from its margin a table's first cell may
	// start: a pictogram and its gap (6 + 2 mm) may come first.
	recordTagRoom = 9 * 72 / 25.4
)

// stripMarks drops combining marks (Arabic's vowel signs), which
// pdftotext puts before their letter.
func stripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}

// recordFor is a record with every kind of record in it, set as the desk
// sets it: labels and statuses from the language's catalog, dates in
// Brussels time, many visits so that it runs over several pages.
func recordFor(t *testing.T, l *web.Loc, c recordCase) printing.Record {
	t.Helper()
	T := func(id string, args ...any) string {
		s := l.T(id, args...)
		if s == id {
			t.Fatalf("%s lacks %s", c.lang, id)
		}
		return s
	}
	cell := func(s string) printing.RecordCell { return printing.RecordCell{Text: s} }
	head := func(ids ...string) []printing.RecordColumn {
		var cols []printing.RecordColumn
		for _, id := range ids {
			cols = append(cols, printing.RecordColumn{Heading: T(id)})
		}
		return cols
	}
	at := time.Date(2026, 3, 10, 13, 5, 0, 0, time.UTC)
	date, hour := l.Date(at), l.Time(at)
	r := printing.Record{Title: T("receipt.record.title"), Member: c.name,
		Org: "OCMW Antwerpen – Sociale kruidenier De Vlinder · Borgerhout", Date: T("receipt.record.printed", "Date", date),
		Intro: T("receipt.record.intro"), Ask: T("receipt.record.ask_call"), Phone: "+32 3 123 45 67",
		Lang: l.Lang.Code, Dir: l.Lang.Dir()}
	label := func(id string) printing.RecordCell { return cell(T(id)) }
	r.Sections = append(r.Sections, printing.RecordSection{Heading: T("receipt.record.profile"), Pictogram: "hello",
		Columns: []printing.RecordColumn{{Label: true}, {}}, Rows: [][]printing.RecordCell{
			{label("receipt.record.nickname"), cell(c.name)},
			{label("receipt.record.language"), cell(l.Lang.Endonym)},
			{label("receipt.record.phone"), cell("0470 11 22 33")},
			{label("receipt.record.email"), cell("amina.vandenbroucke-hashemi@example.be")},
			{label("receipt.record.note"), cell(c.note)},
			{label("receipt.record.age_band"), cell(T("receipt.record.age_band.30_54"))},
			{label("receipt.record.gender"), cell(T("receipt.record.gender.undisclosed"))},
			{label("receipt.record.registered"), cell(date)},
		}})
	r.Sections = append(r.Sections, printing.RecordSection{Heading: T("receipt.record.cards"), Pictogram: "card",
		Columns: []printing.RecordColumn{{Heading: T("receipt.record.code"), Code: true}, {Heading: T("receipt.record.issued")}, {Heading: T("receipt.record.status")}},
		Rows: [][]printing.RecordCell{
			{cell("ABC 234"), cell(date), cell(T("receipt.record.card_stopped", "Date", date))},
			{cell(recordCode), cell(date), cell(T("receipt.record.card_works"))},
		}})
	var visits [][]printing.RecordCell
	for i := 0; i < 90; i++ {
		v := at.AddDate(0, 0, -i)
		visits = append(visits, []printing.RecordCell{cell(l.Date(v)), cell(l.Time(v)), cell("Borgerhout")})
	}
	r.Sections = append(r.Sections, printing.RecordSection{Heading: T("receipt.record.visits"), Pictogram: "building",
		Columns: head("receipt.record.date", "receipt.record.time", "receipt.record.place"), Rows: visits})
	var bookings, enrolments [][]printing.RecordCell
	for _, s := range []string{"booked", "attended", "cancelled", "no_show"} {
		bookings = append(bookings, []printing.RecordCell{cell(date), cell(hour), cell("Borgerhout"), cell(T("receipt.record.status." + s))})
	}
	for _, s := range []string{"enrolled", "waiting", "cancelled", "attended", "session_gone"} {
		enrolments = append(enrolments, []printing.RecordCell{cell(date), cell(hour), cell(c.course), cell("Borgerhout"), cell(T("receipt.record.status." + s))})
	}
	r.Sections = append(r.Sections,
		printing.RecordSection{Heading: T("receipt.record.bookings"), Pictogram: "seat",
			Columns: head("receipt.record.date", "receipt.record.time", "receipt.record.place", "receipt.record.status"), Rows: bookings},
		printing.RecordSection{Heading: T("receipt.record.enrolments"), Pictogram: "course",
			Columns: head("receipt.record.date", "receipt.record.time", "receipt.record.course", "receipt.record.place", "receipt.record.status"), Rows: enrolments})
	var ratings [][]printing.RecordCell
	for score := 1; score <= 4; score++ {
		ratings = append(ratings, []printing.RecordCell{cell(date), cell(c.course),
			{Text: T(fmt.Sprintf("kiosk.rate.%d", score)), Pictogram: fmt.Sprintf("smiley-%d", score)}})
	}
	r.Sections = append(r.Sections, printing.RecordSection{Heading: T("receipt.record.ratings"), Pictogram: "star",
		Columns: head("receipt.record.date", "receipt.record.course", "receipt.record.answer"), Rows: ratings})
	r.Sections = append(r.Sections, printing.RecordSection{Heading: T("receipt.record.loans"), Pictogram: "laptop",
		Columns: []printing.RecordColumn{{Heading: T("receipt.record.device"), Code: true}, {}, {Heading: T("receipt.record.lent")}, {Heading: T("receipt.due")}, {Heading: T("receipt.record.status")}},
		Rows: [][]printing.RecordCell{
			{{Text: recordTag, Pictogram: "laptop"}, cell(T("kiosk.loans.type.laptop")), cell(date), cell(date), cell(T("receipt.record.loan.open"))},
			{{Text: "NET-0007", Pictogram: "dongle"}, cell(T("kiosk.loans.type.dongle")), cell(date), cell(date), cell(T("receipt.record.loan.returned", "Date", date))},
			{{Text: "ACC-0003", Pictogram: "accessory"}, cell(T("kiosk.loans.type.accessory")), cell(date), cell(date), cell(T("receipt.record.loan.lost"))},
		}})
	var events [][]printing.RecordCell
	for _, k := range []string{"lent", "returned", "missing", "damaged", "extended", "lost", "stolen", "reopened"} {
		note := ""
		if k == "damaged" {
			note = c.words + ": " + strings.Repeat("scherm gebarsten, toetsenbord plakt ", 4)
		}
		// Another time than the visits': the test finds the visits'
		// pages by their time.
		events = append(events, []printing.RecordCell{cell(recordTag), cell(l.DateTime(at.Add(2 * time.Hour))), cell(T("receipt.record.event." + k)), cell(note)})
	}
	r.Sections = append(r.Sections, printing.RecordSection{Heading: T("receipt.record.events"), Pictogram: "document",
		Columns: []printing.RecordColumn{{Heading: T("receipt.record.device"), Code: true}, {Heading: T("receipt.record.date")}, {Heading: T("receipt.record.what")}, {Heading: T("receipt.record.remark")}},
		Rows:    events})
	r.Sections = append(r.Sections, printing.RecordSection{Heading: T("receipt.record.thresholds"), Pictogram: "threshold",
		Columns: head("receipt.record.date", "receipt.record.domain", "receipt.record.problem", "receipt.record.words"),
		Rows: [][]printing.RecordCell{
			{cell(date), {Text: T("kiosk.report.domain.health"), Pictogram: "d-health"}, {Text: T("kiosk.report.problem.login"), Pictogram: "p-login"},
				cell(c.words + "\n" + T("receipt.record.voice_note"))},
			{cell(date), {Text: T("kiosk.report.domain.bank"), Pictogram: "d-bank"}, {Text: T("kiosk.report.problem.online_only"), Pictogram: "p-online_only"}, cell(mixedName)},
		}})
	return r
}

// checkLayout fails on any two words or pictograms of a page that
// overlap, and on anything that runs off its page, as the other
// printouts are checked; it returns the pages' words.
func checkLayout(t *testing.T, file string) []bboxPage {
	t.Helper()
	pages := wordBoxes(t, file)
	images := imageBoxes(t, file)
	if len(pages) == 0 || len(images) != len(pages) {
		t.Fatalf("pdftotext found %d pages, pdftohtml %d", len(pages), len(images))
	}
	for n, pg := range pages {
		for i, a := range pg.words {
			if a.x0 < -overlapEpsilon || a.y0 < -overlapEpsilon || a.x1 > pg.w+overlapEpsilon || a.y1 > pg.h+overlapEpsilon {
				t.Errorf("page %d: %q runs off the page", n+1, a.text)
			}
			for _, b := range pg.words[i+1:] {
				if overlap(a, b) {
					t.Errorf("page %d: %q (%.2f,%.2f–%.2f,%.2f) overlaps %q (%.2f,%.2f–%.2f,%.2f)", n+1, a.text, a.x0, a.y0, a.x1, a.y1, b.text, b.x0, b.y0, b.x1, b.y1)
				}
			}
		}
		for i, a := range images[n] {
			if a.x0 < -imageEpsilon || a.y0 < -imageEpsilon || a.x1 > pg.w+imageEpsilon || a.y1 > pg.h+imageEpsilon {
				t.Errorf("page %d: a pictogram at %.0f,%.0f runs off the page", n+1, a.x0, a.y0)
			}
			for _, b := range images[n][i+1:] {
				if overlapBy(a, b, imageEpsilon) {
					t.Errorf("page %d: pictograms at %.0f,%.0f and %.0f,%.0f overlap", n+1, a.x0, a.y0, b.x0, b.y0)
				}
			}
			for _, w := range pg.words {
				if overlapBy(a, w, imageEpsilon) {
					t.Errorf("page %d: the pictogram at %.0f,%.0f–%.0f,%.0f overlaps %q (%.2f,%.2f–%.2f,%.2f)", n+1, a.x0, a.y0, a.x1, a.y1, w.text, w.x0, w.y0, w.x1, w.y1)
				}
			}
		}
	}
	return pages
}

// find is the first word on a page that is s.
func find(pg bboxPage, s string) (box, bool) {
	for _, w := range pg.words {
		if w.text == s {
			return w, true
		}
	}
	return box{}, false
}

// A member's record prints in their language, on as many pages as it
// takes: nothing overlaps or runs off a page, every heading, status and
// name comes back from pdftotext in its script, the column headings
// repeat on every page a table runs onto, and an Arabic record is the
// mirror of a Dutch one.
func TestRecordPrintsInTheMembersLanguage(t *testing.T) {
	needPoppler(t, "pdftotext", "pdftohtml")
	x, err := web.NewI18n(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if keep := os.Getenv("DREMPEL_PRINT_DIR"); keep != "" {
		dir = keep
		os.MkdirAll(dir, 0o755)
	}
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range recordCases {
		t.Run(c.lang, func(t *testing.T) {
			l := x.LocIn(c.lang, "nl", brussels)
			r := recordFor(t, l, c)
			var buf bytes.Buffer
			if err := printing.WriteRecordPDF(&buf, r); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "record-"+c.lang+".pdf")
			if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			pages := checkLayout(t, file)
			if len(pages) < 3 {
				t.Fatalf("%d pages: ninety visits and more fit on fewer than three A4 pages?", len(pages))
			}
			out, err := exec.Command("pdftotext", file, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			text := string(out)
			want := []string{c.name, c.course, c.words, mixedName, l.Lang.Endonym, "+32 3 123 45 67", recordCode, recordTag}
			for _, id := range []string{"receipt.record.title", "receipt.record.profile", "receipt.record.cards",
				"receipt.record.visits", "receipt.record.bookings", "receipt.record.enrolments", "receipt.record.ratings",
				"receipt.record.loans", "receipt.record.events", "receipt.record.thresholds", "receipt.record.voice_note",
				"receipt.record.status.no_show", "receipt.record.status.waiting", "receipt.record.loan.open", "receipt.record.event.damaged", "kiosk.rate.4",
				"receipt.record.age_band", "receipt.record.gender", "receipt.record.gender.undisclosed"} {
				want = append(want, l.T(id))
			}
			for _, s := range want {
				// pdftotext gives an Arabic vowel mark (a shadda, a
				// tanween) before the letter it sits on: the letters
				// must all come back, in order.
				if !readsBack(stripMarks(text), stripMarks(s)) {
					t.Errorf("%q not in the text", s)
				}
			}
			// An age band mixes numbers into right-to-left words, and
			// pdftotext drops the space where the direction changes (it
			// prints as typed): each word comes back.
			for _, w := range strings.Fields(stripMarks(l.T("receipt.record.age_band.30_54"))) {
				if !strings.Contains(normalize(stripMarks(text)), normalize(w)) {
					t.Errorf("%q of the age band not in the text", w)
				}
			}
			// The explanation mixes directions ("Drempel" in Arabic): each
			// of its words comes back, the punctuation where pdftotext
			// puts it.
			for _, w := range strings.Fields(stripMarks(l.T("receipt.record.intro"))) {
				if w = strings.TrimFunc(w, unicode.IsPunct); !strings.Contains(normalize(stripMarks(text)), normalize(w)) {
					t.Errorf("%q of the explanation not in the text", w)
				}
			}
			if last := fmt.Sprintf("%d/%d", len(pages), len(pages)); !strings.Contains(strings.ReplaceAll(text, " ", ""), last) {
				t.Errorf("no page number %s", last)
			}
			if strings.Contains(text, "receipt.record.") {
				t.Error("a message id instead of its words: the catalog lacks it")
			}
			// Every page with visits on it has the column headings: the
			// table runs on under them. (Words in Arabic script come
			// back from -bbox in the order drawn, so the check is on a
			// heading in another script.)
			if !l.Lang.RTL {
				timeHead := strings.Fields(l.T("receipt.record.time"))[0]
				visitPages := 0
				for n, pg := range pages {
					if _, ok := find(pg, l.Time(time.Date(2026, 3, 10, 13, 5, 0, 0, time.UTC))); ok {
						visitPages++
						if _, ok := find(pg, timeHead); !ok {
							t.Errorf("page %d: visits without the column heading %q", n+1, timeHead)
						}
					}
				}
				if visitPages < 2 {
					t.Errorf("the visits fill %d page(s); want them to run on", visitPages)
				}
			}

			// A table starts on the reading side: the check code and the
			// device's tag, first columns, sit at the right margin of a
			// right-to-left record and at the left margin of the others.
			margin := 15 * 72 / 25.4
			for _, s := range []string{strings.Fields(recordCode)[0], recordTag} {
				var b box
				var pg bboxPage
				for _, p := range pages {
					if w, ok := find(p, s); ok {
						b, pg = w, p
						break
					}
				}
				if b.text == "" {
					t.Fatalf("no %s", s)
				}
				if start := b.x0 - margin; l.Lang.RTL {
					if b.x0 < pg.w/2 || pg.w-margin-b.x1 > recordTagRoom {
						t.Errorf("right to left: %s at %.0f–%.0f, want it at the right margin (%.0f)", s, b.x0, b.x1, pg.w-margin)
					}
				} else if start < -1 || start > recordTagRoom {
					t.Errorf("left to right: %s at %.0f–%.0f, want it at the left margin (%.0f)", s, b.x0, b.x1, margin)
				}
			}
		})
	}
}

// An empty record (a member just registered) is one page with the
// explanation and the profile, and no table for what they never did.
func TestRecordOfANewMemberIsOnePage(t *testing.T) {
	needPoppler(t, "pdftotext", "pdftohtml")
	var buf bytes.Buffer
	r := printing.Record{Title: "What we hold about you", Member: shortGeez, Intro: "This is everything.", Lang: "ti", Dir: "ltr",
		Sections: []printing.RecordSection{{Heading: "About you", Columns: []printing.RecordColumn{{Label: true}, {}},
			Rows: [][]printing.RecordCell{{{Text: "Name"}, {Text: shortGeez}}}}}}
	if err := printing.WriteRecordPDF(&buf, r); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "record.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	pages := checkLayout(t, file)
	if len(pages) != 1 {
		t.Fatalf("%d pages", len(pages))
	}
	if _, ok := find(pages[0], "1"); ok {
		t.Error("a page number on a single page")
	}
}
