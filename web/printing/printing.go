// Package printing owns every printout Drempel makes: member cards,
// lendable devices' QR labels, loan receipts and reminders, partner
// dossiers, what Drempel holds about a member, the attendance review of a
// team meeting, and a period's figures with their charts. What is lent, to whom and until when is decided elsewhere
// (store keeps the loans, devices holds the lending rules); this package
// turns it into paper.
//
// Printouts are PDF, drawn by pdf.go and set by text.go in the fonts of
// package web/fonts, shaping every kiosk script: every kiosk language
// prints, Arabic, Persian and Dari right to left and joined, Tigrinya in
// Ge'ez, and a reader copying or extracting the text gets back the letters
// as typed. Receipts and reminders carry the kiosk's pictograms (package
// web/static/pictograms), for a member who cannot read.
//
// It imports store, web/fonts, web/static/pictograms and web/chart, and
// nothing of admin, kiosk or devices.
package printing

import (
	"io"
	"strings"
)

// Paper sizes in millimetres.
const (
	a4W, a4H = 210.0, 297.0
	a5W, a5H = 148.0, 210.0
)

// printout is one document being drawn: its PDF and its typesetter.
type printout struct {
	*typesetter
	doc *pdfDoc
}

// newPrintout starts a document. lang is the BCP 47 code of its text
// ("" when mixed or unknown), used for shaping and for the PDF's /Lang.
func newPrintout(title, lang string) (*printout, error) {
	doc := newPDFDoc(title)
	doc.lang = lang
	ts, err := newTypesetter(doc, lang)
	if err != nil {
		return nil, err
	}
	return &printout{typesetter: ts, doc: doc}, nil
}

func (p *printout) write(w io.Writer) error { return p.doc.write(w) }

// flow puts blocks one under the other on pages of one size, starting a
// new page when the next line would cross the bottom margin.
type flow struct {
	p      *printout
	w, h   float64 // page
	margin float64
	page   *pdfPage
	y      float64
	dir    textDir // the document's direction
}

// newLandscapeReport starts a report for a team or a funder on landscape
// A4 pages (the attendance review, a period's figures): its title and
// subtitle head the first page.
func newLandscapeReport(title, subtitle, lang, dir string) (*printout, *flow, error) {
	p, err := newPrintout(title, lang)
	if err != nil {
		return nil, nil, err
	}
	f := p.newFlow(a4H, a4W, recordMargin, parseDir(dir))
	f.text(title, style{size: 16, bold: true, color: black})
	f.space(1)
	f.text(subtitle, style{size: 10, color: black})
	return p, f, nil
}

func (p *printout) newFlow(w, h, margin float64, dir textDir) *flow {
	f := &flow{p: p, w: w, h: h, margin: margin, dir: dir}
	f.newPage()
	return f
}

func (f *flow) newPage() {
	f.page = f.p.doc.addPage(f.w, f.h)
	f.y = f.margin
}

// x0 and width are the text column.
func (f *flow) x0() float64    { return f.margin }
func (f *flow) width() float64 { return f.w - 2*f.margin }

// need starts a new page unless h more millimetres fit on this one.
func (f *flow) need(h float64) {
	if f.y+h > f.h-f.margin && f.y > f.margin {
		f.newPage()
	}
}

// text sets s across the column and draws it line by line; an empty s
// takes no room.
func (f *flow) text(s string, st style) {
	if strings.TrimSpace(s) == "" {
		return
	}
	b := f.p.layout(s, st, f.width(), f.dir)
	for _, l := range b.lines {
		f.need(l.height())
		f.p.drawLine(f.page, l, f.x0(), f.y, f.width(), alignStart)
		f.y += l.height()
	}
}

// space leaves room, unless at the top of a page.
func (f *flow) space(mm float64) {
	if f.y > f.margin {
		f.y += mm
	}
}
