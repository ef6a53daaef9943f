package admin

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

// memberDataPDF is "what we hold about you" on paper, to hand over (GDPR
// article 15): the record of the page and the JSON file, in the member's
// own language, so that they can read it without staff reading it for
// them.
func (a *Admin) memberDataPDF(c *fiber.Ctx) error {
	m, rec, err := a.memberAndRecord(c)
	if err != nil {
		return err
	}
	// The language, direction, organisation and phone number of what a
	// member takes home, chosen once for receipts and this alike.
	base, l, err := a.takeHome(c, m, "receipt.record.title", "receipt.record.intro")
	if err != nil {
		return err
	}
	doc := recordDoc(l, web.SiteOf(c).Location(), a.st.Now(), base, rec)
	// Rendered whole before anything is sent: a failure is an error page,
	// not half a PDF.
	var buf bytes.Buffer
	if err := printing.WriteRecordPDF(&buf, doc); err != nil {
		return err
	}
	if err := a.audit(c, store.AuditExport, m.ID); err != nil {
		return err
	}
	return sendPDF(c, fmt.Sprintf("drempel-member-%d.pdf", m.ID), func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// recordDoc puts a member's record into words of their language: base
// carries the title, the introduction (as Terms), the organisation and
// the phone number, l the language and tz the site's time zone, in
// which every date is written.
func recordDoc(l *web.Loc, tz *time.Location, now time.Time, base printing.Receipt, rec *store.MemberRecord) printing.Record {
	org := base.Org
	if base.Site != "" && base.Site != org {
		if org != "" {
			org += " · "
		}
		org += base.Site
	}
	doc := printing.Record{Title: base.Title, Member: rec.Profile.Nickname, Org: org,
		Date: l.T("receipt.record.printed", "Date", l.Date(now)), Intro: base.Terms,
		Ask: l.T("receipt.record.ask"), Phone: base.Phone, Lang: base.Lang, Dir: base.Dir}
	if doc.Phone != "" {
		doc.Ask = l.T("receipt.record.ask_call")
	}
	text := func(s string) printing.RecordCell { return printing.RecordCell{Text: s} }
	head := func(id string) printing.RecordColumn { return printing.RecordColumn{Heading: l.T(id)} }
	code := func(id string) printing.RecordColumn { return printing.RecordColumn{Heading: l.T(id), Code: true} }
	// word is a catalog's word for a value, or the value itself when the
	// catalog has none (a status a newer Drempel wrote).
	word := func(id, raw string) string {
		if l.Has(id) {
			return l.T(id)
		}
		return raw
	}
	// day writes a day kept as 2006-01-02 in the site's zone.
	day := func(s string) string {
		if t, err := time.ParseInLocation(time.DateOnly, s, tz); err == nil {
			return l.Date(t)
		}
		return s
	}
	add := func(heading, pictogram string, cols []printing.RecordColumn, rows [][]printing.RecordCell) {
		if len(rows) > 0 {
			doc.Sections = append(doc.Sections, printing.RecordSection{Heading: l.T(heading), Pictogram: pictogram, Columns: cols, Rows: rows})
		}
	}

	p := rec.Profile
	label := func(id string) printing.RecordCell { return text(l.T(id)) }
	lang := p.Language
	if lg, ok := web.LookupLanguage(lang); ok {
		lang = lg.Endonym
	}
	profile := [][]printing.RecordCell{{label("receipt.record.nickname"), text(p.Nickname)}, {label("receipt.record.language"), text(lang)}}
	// Only what is held: an empty field is nothing kept about them.
	for _, f := range []struct{ id, value string }{
		{"receipt.record.phone", p.Phone}, {"receipt.record.email", p.Email}, {"receipt.record.note", p.Note},
	} {
		if f.value != "" {
			profile = append(profile, []printing.RecordCell{label(f.id), text(f.value)})
		}
	}
	// The optional profile, as they answered ("prefer not to say" is an
	// answer, and is printed); a question never answered is not there.
	for _, f := range []struct{ id, value string }{{"receipt.record.age_band", p.AgeBand}, {"receipt.record.gender", p.Gender}} {
		if f.value != "" {
			profile = append(profile, []printing.RecordCell{label(f.id), text(word(f.id+"."+f.value, f.value))})
		}
	}
	where := p.Organisation
	if p.RegisteredAt != "" && p.RegisteredAt != where {
		where += " (" + p.RegisteredAt + ")"
	}
	if where != "" {
		profile = append(profile, []printing.RecordCell{label("receipt.record.organisation"), text(where)})
	}
	profile = append(profile, []printing.RecordCell{label("receipt.record.registered"), text(l.Date(p.Registered))})
	add("receipt.record.profile", "hello", []printing.RecordColumn{{Label: true}, {}}, profile)

	var rows [][]printing.RecordCell
	for _, c := range rec.Cards {
		status := l.T("receipt.record.card_works")
		if c.Revoked != nil {
			status = l.T("receipt.record.card_stopped", "Date", l.Date(*c.Revoked))
		}
		rows = append(rows, []printing.RecordCell{text(store.FormatCheckCode(c.CheckCode)), text(l.Date(c.Issued)), text(status)})
	}
	add("receipt.record.cards", "card", []printing.RecordColumn{code("receipt.record.code"), head("receipt.record.issued"), head("receipt.record.status")}, rows)

	rows = nil
	for _, v := range rec.Visits {
		rows = append(rows, []printing.RecordCell{text(l.Date(v.At)), text(l.Time(v.At)), text(v.Site)})
	}
	add("receipt.record.visits", "building", []printing.RecordColumn{head("receipt.record.date"), head("receipt.record.time"), head("receipt.record.place")}, rows)

	rows = nil
	for _, b := range rec.Bookings {
		status := b.Status
		if b.Attended != nil {
			status = string(store.BookingAttended)
		}
		rows = append(rows, []printing.RecordCell{text(l.Date(b.Start)), text(l.Time(b.Start)), text(b.Site), text(word("receipt.record.status."+status, status))})
	}
	add("receipt.record.bookings", "seat", []printing.RecordColumn{head("receipt.record.date"), head("receipt.record.time"), head("receipt.record.place"), head("receipt.record.status")}, rows)

	rows = nil
	for _, e := range rec.Enrolments {
		status := e.Status
		if e.Attended != nil {
			status = "attended" // a roll call's tick: they came, as to a booking
		}
		rows = append(rows, []printing.RecordCell{text(l.Date(e.Start)), text(l.Time(e.Start)), text(e.Course), text(e.Site), text(word("receipt.record.status."+status, status))})
	}
	add("receipt.record.enrolments", "course", []printing.RecordColumn{head("receipt.record.date"), head("receipt.record.time"), head("receipt.record.course"), head("receipt.record.place"), head("receipt.record.status")}, rows)

	rows = nil
	for _, r := range rec.Ratings {
		answer := printing.RecordCell{Text: strconv.Itoa(r.Score) + " / 4"}
		if r.Score >= 1 && r.Score <= 4 {
			answer = printing.RecordCell{Text: l.T(fmt.Sprintf("kiosk.rate.%d", r.Score)), Pictogram: fmt.Sprintf("smiley-%d", r.Score)}
		}
		rows = append(rows, []printing.RecordCell{text(l.Date(r.Start)), text(r.Course), answer})
	}
	add("receipt.record.ratings", "star", []printing.RecordColumn{head("receipt.record.date"), head("receipt.record.course"), head("receipt.record.answer")}, rows)

	rows = nil
	for _, o := range rec.Loans {
		device := printing.RecordCell{Text: o.Device}
		what := o.Type
		if t := store.DeviceType(o.Type); t.Valid() {
			device.Pictogram, what = string(t), l.T("kiosk.loans.type."+o.Type)
		}
		status := word("receipt.record.loan."+o.Status, o.Status)
		if o.Status == string(store.LoanReturned) && o.Returned != nil {
			status = l.T("receipt.record.loan.returned", "Date", l.Date(*o.Returned))
		}
		rows = append(rows, []printing.RecordCell{device, text(what), text(l.Date(o.Lent)), text(l.Date(o.Due)), text(status)})
	}
	add("receipt.record.loans", "laptop", []printing.RecordColumn{code("receipt.record.device"), {}, head("receipt.record.lent"), head("receipt.due"), head("receipt.record.status")}, rows)

	rows = nil
	for _, e := range rec.Events {
		note := e.Note
		if e.Kind == "extended" {
			note = day(note) // the new date to bring it back by
		}
		rows = append(rows, []printing.RecordCell{text(e.Device), text(l.DateTime(e.At)), text(word("receipt.record.event."+e.Kind, e.Kind)), text(note)})
	}
	add("receipt.record.events", "document", []printing.RecordColumn{code("receipt.record.device"), head("receipt.record.date"), head("receipt.record.what"), head("receipt.record.remark")}, rows)

	rows = nil
	for _, t := range rec.Thresholds {
		words := t.Words
		if t.VoiceNote {
			if words != "" {
				words += "\n"
			}
			words += l.T("receipt.record.voice_note")
		}
		rows = append(rows, []printing.RecordCell{text(day(t.Day)),
			{Text: word("kiosk.report.domain."+t.Domain, t.Domain), Pictogram: "d-" + t.Domain},
			{Text: word("kiosk.report.problem."+t.Problem, t.Problem), Pictogram: "p-" + t.Problem},
			text(words)})
	}
	add("receipt.record.thresholds", "threshold", []printing.RecordColumn{head("receipt.record.date"), head("receipt.record.domain"), head("receipt.record.problem"), head("receipt.record.words")}, rows)

	rows = nil
	for _, h := range rec.Help {
		rows = append(rows, []printing.RecordCell{text(day(h.Day)), text(strconv.Itoa(h.Number)),
			{Text: word("kiosk.help.subject."+h.Subject, h.Subject), Pictogram: store.HelpPictograms[h.Subject]},
			text(h.Site), text(word("receipt.record.help."+h.Status, h.Status))})
	}
	add("receipt.record.help", "help", []printing.RecordColumn{head("receipt.record.date"), head("receipt.record.number"), head("receipt.record.subject"), head("receipt.record.place"), head("receipt.record.status")}, rows)

	// goals writes goals (or a meeting's topics) one a line.
	goals := func(list []string) string {
		words := make([]string, len(list))
		for i, g := range list {
			words[i] = word("receipt.record.goal."+g, g)
		}
		return strings.Join(words, "\n")
	}
	for _, t := range rec.Tandems {
		// The tandem itself, as the profile is laid out; then its meetings.
		about := [][]printing.RecordCell{
			{label("receipt.record.place"), text(t.Site)},
			{label("receipt.record.period"), text(l.T("receipt.record.period_value", "From", day(t.StartsOn), "To", day(t.EndsOn)))},
			{label("receipt.record.goals"), text(goals(t.Goals))},
		}
		if len(t.Outcomes) > 0 {
			var done []string
			for _, o := range t.Outcomes {
				done = append(done, l.T("receipt.record.outcome_on", "Outcome", word("receipt.record.outcome."+o.Kind, o.Kind), "Date", day(o.Day)))
			}
			about = append(about, []printing.RecordCell{label("receipt.record.outcomes"), text(strings.Join(done, "\n"))})
		}
		doc.Sections = append(doc.Sections, printing.RecordSection{Heading: l.T("receipt.record.tandem", "Mentor", t.Mentor), Pictogram: "people",
			Columns: []printing.RecordColumn{{Label: true}, {}}, Rows: about})
		rows = nil
		for _, m := range t.Meetings {
			rows = append(rows, []printing.RecordCell{text(day(m.Day)), text(l.T("receipt.record.minutes", "N", m.Minutes)), text(goals(m.Topics)), text(m.Note)})
		}
		if len(rows) > 0 {
			doc.Sections = append(doc.Sections, printing.RecordSection{Heading: l.T("receipt.record.meetings", "Mentor", t.Mentor), Pictogram: "calendar",
				Columns: []printing.RecordColumn{head("receipt.record.date"), head("receipt.record.duration"), head("receipt.record.topics"), head("receipt.record.mentor_note")}, Rows: rows})
		}
	}
	return doc
}
