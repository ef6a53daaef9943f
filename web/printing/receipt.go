package printing

import (
	"io"

	"github.com/drempel/drempel/store"
)

// Receipt is what a member takes home with a loan, already translated
// into the member's language. A reminder is a receipt with its own title
// and text in Terms.
//
// Pictograms, the kiosk's own (package web/static/pictograms), tell a
// member who cannot read what they borrowed, when to bring it back and
// whom to call: each line's device type at the line's start, a calendar
// by each date to bring it back by, a phone by the phone number, and on
// a reminder a bell by the title.
type Receipt struct {
	Title, Org, Site, Date string
	MemberLabel, Member    string
	DueLabel               string
	Lines                  []ReceiptLine
	Terms, Footer          string
	// Phone is the number to call with a question, printed with a
	// phone pictogram under the footer when set.
	Phone string
	// Reminder puts a bell by the title.
	Reminder bool
	// Lang is the BCP 47 code of the texts (for shaping and for the
	// PDF's language); Dir is "rtl" for Arabic, Persian and Dari, "ltr"
	// or empty otherwise (empty: each paragraph's own first letter
	// decides).
	Lang, Dir string
}

// ReceiptLine is one device on the receipt. Type, the device's type,
// draws its pictogram (none when empty).
type ReceiptLine struct {
	Tag, What, Due string
	Type           store.DeviceType
}

// typePictogram names the kiosk's pictogram of a device type: each has
// the type's own name.
func typePictogram(t store.DeviceType) string {
	if !t.Valid() {
		return ""
	}
	return string(t)
}

// Receipt columns in millimetres: the device's pictogram over its tag,
// what the device is, and a calendar beside when it is due, each in its
// own column with a gutter between; a right-to-left receipt mirrors them.
const (
	receiptMargin = 12.0
	colTag        = 22.0
	colDue        = 51.0
	colGap        = 3.0

	lineIcon  = 10.0 // a device's type, over its tag
	dueIcon   = 8.0  // the calendar by the due date
	phoneIcon = 8.0
	titleIcon = 10.0
	iconGap   = 2.0 // between a pictogram and its text
)

// WriteReceiptPDF writes a loan receipt on A5 pages. Every text is
// written as text: a nickname like "=HYPERLINK(…)" prints as typed.
// Long device names, labels and dates wrap within their own column.
func WriteReceiptPDF(w io.Writer, r Receipt) error {
	p, err := newPrintout(r.Title, r.Lang)
	if err != nil {
		return err
	}
	keep := func(e error) {
		if err == nil {
			err = e
		}
	}
	dir := parseDir(r.Dir)
	rtl := dir == dirRTL
	f := p.newFlow(a5W, a5H, receiptMargin, dir)
	if r.Reminder {
		keep(p.iconText(f, "reminder", titleIcon, r.Title, style{size: 16, bold: true, color: black}, dir))
	} else {
		f.text(r.Title, style{size: 16, bold: true, color: black})
	}
	org := r.Org
	if r.Site != "" {
		if org != "" {
			org += " · "
		}
		org += r.Site
	}
	f.text(org, style{size: 10, color: black})
	f.text(r.Date, style{size: 10, color: black})
	f.space(4)
	member := r.Member
	if r.MemberLabel != "" {
		member = r.MemberLabel + ": " + r.Member
	}
	f.text(member, style{size: 11, bold: true, color: black})
	f.space(2)

	colWhat := f.width() - colTag - colDue - 2*colGap
	dueX := colTag + colWhat + 2*colGap // the due column's offset
	dueText := colDue - dueIcon - iconGap
	// col gives a column's left edge, mirrored for right-to-left.
	col := func(offset, width float64) float64 {
		if rtl {
			return f.x0() + f.width() - offset - width
		}
		return f.x0() + offset
	}
	// Every line's tag sits under a pictogram if any line has one.
	tagTop := 0.0
	for _, l := range r.Lines {
		if hasPictogram(typePictogram(l.Type)) {
			tagTop = lineIcon + 1
		}
	}
	for _, l := range r.Lines {
		tag := p.layout(l.Tag, style{size: 11, mono: true, color: black}, colTag, dirLTR)
		what := p.layout(l.What, style{size: 10, color: black}, colWhat, dir)
		label := p.layout(r.DueLabel, style{size: 8.5, color: grey}, dueText, dir)
		due := p.layout(l.Due, style{size: 10, bold: true, color: black}, dueText, dir)
		const pad = 1.5
		h := max(tagTop+tag.height, what.height, label.height+due.height, dueIcon) + 2*pad
		f.need(h)
		y := f.y + pad
		keep(p.icon(f.page, typePictogram(l.Type), col(0, lineIcon), y, lineIcon))
		// The tag reads left to right but sits on the receipt's start side.
		p.drawFlush(f.page, tag, col(0, colTag), y+tagTop, colTag, rtl)
		p.draw(f.page, what, col(colTag+colGap, colWhat), y, colWhat, alignStart)
		keep(p.icon(f.page, "day", col(dueX, dueIcon), y, dueIcon))
		p.drawFlush(f.page, label, col(dueX+dueIcon+iconGap, dueText), y, dueText, rtl)
		p.drawFlush(f.page, due, col(dueX+dueIcon+iconGap, dueText), y+label.height, dueText, rtl)
		f.y += h
		f.page.line(f.x0(), f.y, f.x0()+f.width(), f.y, 0.2, rule)
	}
	f.space(5)
	f.text(r.Terms, style{size: 9, color: black})
	f.space(3)
	f.text(r.Footer, style{size: 9, color: black})
	if r.Phone != "" {
		f.space(2)
		// A phone number reads left to right in every language.
		keep(p.iconText(f, "call", phoneIcon, r.Phone, style{size: 12, bold: true, color: black}, dirLTR))
	}
	if err != nil {
		return err
	}
	return p.write(w)
}

// iconText draws a pictogram size millimetres square on the flow's start
// side and s beside it, in the rest of the column, as close to the
// pictogram as it goes and centred on it when shorter.
func (p *printout) iconText(f *flow, name string, size float64, s string, st style, dir textDir) error {
	rtl := f.dir == dirRTL
	width := f.width() - size - iconGap
	b := p.layout(s, st, width, dir)
	h := max(size, b.height)
	f.need(h)
	iconX, textX := f.x0(), f.x0()+size+iconGap
	if rtl {
		iconX, textX = f.x0()+f.width()-size, f.x0()
	}
	if err := p.icon(f.page, name, iconX, f.y, size); err != nil {
		return err
	}
	p.drawFlush(f.page, b, textX, f.y+max(0, (size-b.height)/2), width, rtl)
	f.y += h
	return nil
}

// drawFlush draws a block with every line flush right or flush left,
// whatever its own direction: towards a pictogram or the start side of
// a receipt.
func (p *printout) drawFlush(pg *pdfPage, b *textBlock, x, y, width float64, right bool) {
	for _, l := range b.lines {
		a := alignStart
		if right != (l.dir == dirRTL) {
			a = alignEnd
		}
		p.drawLine(pg, l, x, y, width, a)
		y += l.height()
	}
}
