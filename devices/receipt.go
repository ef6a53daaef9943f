package devices

import (
	"io"
)

// Receipt is what a member takes home with a loan, already translated
// into the member's language. A reminder is a receipt with its own title
// and text in Terms.
type Receipt struct {
	Title, Org, Site, Date string
	MemberLabel, Member    string
	DueLabel               string
	Lines                  []ReceiptLine
	Terms, Footer          string
	// Phone is the number to call with a question, printed under the
	// footer when set. The store keeps no site phone number yet, so the
	// admin panel leaves it empty.
	Phone string
	// Lang is the BCP 47 code of the texts (for shaping and for the
	// PDF's language); Dir is "rtl" for Arabic, Persian and Dari, "ltr"
	// or empty otherwise (empty: each paragraph's own first letter
	// decides).
	Lang, Dir string
}

// ReceiptLine is one device on the receipt.
type ReceiptLine struct{ Tag, What, Due string }

// Receipt columns in millimetres: the tag, what the device is, and when
// it is due, each in its own column with a gutter between; a right-to-left
// receipt mirrors them.
const (
	receiptMargin = 12.0
	colTag        = 22.0
	colDue        = 42.0
	colGap        = 3.0
)

// WriteReceiptPDF writes a loan receipt on A5 pages. Every text is
// written as text: a nickname like "=HYPERLINK(…)" prints as typed.
// Long device names, labels and dates wrap within their own column.
func WriteReceiptPDF(w io.Writer, r Receipt) error {
	p, err := newPrintout(r.Title, r.Lang)
	if err != nil {
		return err
	}
	dir := parseDir(r.Dir)
	f := p.newFlow(a5W, a5H, receiptMargin, dir)
	f.text(r.Title, style{size: 16, bold: true, color: black})
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
	rtl := dir == dirRTL
	// col gives a column's left edge, mirrored for right-to-left.
	col := func(offset, width float64) float64 {
		if rtl {
			return f.x0() + f.width() - offset - width
		}
		return f.x0() + offset
	}
	for _, l := range r.Lines {
		tag := p.layout(l.Tag, style{size: 11, mono: true, color: black}, colTag, dirLTR)
		what := p.layout(l.What, style{size: 10, color: black}, colWhat, dir)
		label := p.layout(r.DueLabel, style{size: 8.5, color: grey}, colDue, dir)
		due := p.layout(l.Due, style{size: 10, bold: true, color: black}, colDue, dir)
		const pad = 1.5
		h := max(tag.height, what.height, label.height+due.height) + 2*pad
		f.need(h)
		y := f.y + pad
		// The tag reads left to right but sits on the receipt's start side.
		tagAlign := alignStart
		if rtl {
			tagAlign = alignEnd
		}
		p.draw(f.page, tag, col(0, colTag), y, colTag, tagAlign)
		p.draw(f.page, what, col(colTag+colGap, colWhat), y, colWhat, alignStart)
		p.draw(f.page, label, col(colTag+colWhat+2*colGap, colDue), y, colDue, alignEnd)
		p.draw(f.page, due, col(colTag+colWhat+2*colGap, colDue), y+label.height, colDue, alignEnd)
		f.y += h
		f.page.line(f.x0(), f.y, f.x0()+f.width(), f.y, 0.2, rule)
	}
	f.space(5)
	f.text(r.Terms, style{size: 9, color: black})
	f.space(3)
	f.text(r.Footer, style{size: 9, color: black})
	if r.Phone != "" {
		f.space(1)
		f.text(r.Phone, style{size: 10, bold: true, color: black})
	}
	return p.write(w)
}
