package printing

import (
	"fmt"
	"io"
	"sort"
)

// Record is "what we hold about you": everything Drempel holds about a
// member, on paper, to hand over (GDPR article 15). Like a receipt it
// comes already translated into the member's language, every date
// already written in the site's time zone: this file only lays it out.
type Record struct {
	Title  string
	Member string // the member's nickname, under the title
	Org    string // the organisation (and site) that hands it over
	Date   string // when it was printed, with a calendar pictogram
	// Intro says what this is and what the member may ask for; Ask says
	// whom to ask, above Phone, which gets a telephone pictogram.
	Intro, Ask, Phone string
	// Sections are the kinds of record the member has, in order.
	Sections []RecordSection
	// Lang and Dir are the document's language and direction, as on
	// Receipt: a right-to-left record mirrors its tables.
	Lang, Dir string
}

// RecordSection is one kind of record: a heading, with a pictogram, over
// a table.
type RecordSection struct {
	Heading   string
	Pictogram string
	Columns   []RecordColumn
	Rows      [][]RecordCell
}

// RecordColumn is one column of a section's table. Its heading repeats
// on every page the table runs onto; a table whose columns have no
// headings (a profile's field names and values) has no heading row.
type RecordColumn struct {
	Heading string
	// Code sets check codes and device tags as on a receipt: Go Mono,
	// left to right, never wrapped.
	Code bool
	// Label sets field names, grey.
	Label bool
}

// RecordCell is one cell: a text, which may hold line breaks, and a
// pictogram at its start (a smiley, a device's type, a life domain) for a
// member who reads pictures more easily than words.
type RecordCell struct {
	Text      string
	Pictogram string
}

// Record layout, in millimetres.
const (
	recordMargin = 15.0
	recordGap    = 5.0 // between columns
	recordPad    = 1.3 // above and below a row's text
	recordIcon   = 6.0 // a cell's pictogram
	sectionIcon  = 8.0 // by a section's heading
	dateIcon     = 6.0
	// firstRowKeep is how much of a section's first row must fit under
	// its heading, so that a heading never ends a page alone.
	firstRowKeep = 25.0
)

var (
	recordHead  = style{size: 8.5, bold: true, color: grey}
	recordText  = style{size: 10, color: black}
	recordCode  = style{size: 10, mono: true, color: black}
	recordLabel = style{size: 9.5, color: grey}
)

// WriteRecordPDF writes a member's record on A4 pages, as many as it
// takes. Every text is written as text, in its own script and direction:
// a nickname or a report's words come out as typed.
func WriteRecordPDF(w io.Writer, r Record) error {
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
	f := p.newFlow(a4W, a4H, recordMargin, dir)
	f.text(r.Title, style{size: 18, bold: true, color: black})
	f.space(1)
	f.text(r.Member, style{size: 13, bold: true, color: black})
	f.space(1)
	f.text(r.Org, style{size: 10, color: black})
	if r.Date != "" {
		f.space(1)
		keep(p.iconText(f, "day", dateIcon, r.Date, style{size: 10, color: black}, dir))
	}
	f.space(5)
	f.text(r.Intro, style{size: 10.5, color: black})
	if r.Ask != "" || r.Phone != "" {
		f.space(3)
		f.text(r.Ask, style{size: 10.5, bold: true, color: black})
	}
	if r.Phone != "" {
		f.space(1)
		// A phone number reads left to right in every language.
		keep(p.iconText(f, "call", phoneIcon, r.Phone, style{size: 12, bold: true, color: black}, dirLTR))
	}
	for _, s := range r.Sections {
		keep(p.recordSection(f, s))
	}
	p.pageNumbers(recordMargin)
	if err != nil {
		return err
	}
	return p.write(w)
}

// recordSection draws a section's heading and its table, keeping the
// heading on the page of the table's first row.
func (p *printout) recordSection(f *flow, s RecordSection) error {
	t := p.newRecordTable(f, s.Columns, s.Rows)
	f.space(7)
	heading := p.layout(s.Heading, style{size: 12, bold: true, color: green}, f.width()-sectionIcon-iconGap, f.dir)
	first := 0.0
	if len(t.rows) > 0 {
		first = min(rowHeight(t.rows[0]), firstRowKeep)
	}
	f.need(max(sectionIcon, heading.height) + 2 + t.headHeight() + first)
	if err := p.iconText(f, s.Pictogram, sectionIcon, s.Heading, style{size: 12, bold: true, color: green}, f.dir); err != nil {
		return err
	}
	f.space(2)
	return t.draw()
}

// recordTable is a section's table set for the page: each column's width,
// and each row's cells set in lines.
type recordTable struct {
	p      *printout
	f      *flow
	cols   []RecordColumn
	widths []float64
	offs   []float64 // each column's distance from the table's start side
	head   []recordCell
	rows   [][]recordCell
	// top is where rows start on a page the table began anew (under the
	// heading row): a row that does not fit there is cut, not moved on.
	top float64
}

// recordCell is a cell set in lines: what is left of it to draw.
type recordCell struct {
	lines []textLine
	icon  string  // drawn with the cell's first lines
	dy    float64 // from the row's top to the first line's top
	// iconCol: the cell leaves room for a pictogram at its start, on
	// every page it runs onto.
	iconCol bool
}

func (c recordCell) height() float64 {
	h := c.dy
	for _, l := range c.lines {
		h += l.height()
	}
	if c.icon != "" {
		h = max(h, recordIcon)
	}
	return h
}

// alignRow puts the first lines of a row's cells on one baseline:
// Arabic's tall line box beside Latin's short one, a grey label beside
// its value, read as one line. Text beside a pictogram comes down to the
// pictogram's middle, and the rest of the row with it.
func alignRow(cells []recordCell) {
	base := 0.0
	for _, c := range cells {
		if len(c.lines) == 0 {
			continue
		}
		first := c.lines[0]
		b := first.ascent / ptPerMM
		if c.icon != "" {
			b += max(0, (recordIcon-first.height())/2)
		}
		base = max(base, b)
	}
	for i := range cells {
		if len(cells[i].lines) > 0 {
			cells[i].dy = base - cells[i].lines[0].ascent/ptPerMM
		}
	}
}

func rowHeight(cells []recordCell) float64 {
	h := 0.0
	for _, c := range cells {
		h = max(h, c.height())
	}
	return h + 2*recordPad
}

func (t *recordTable) style(i int, head bool) (style, textDir) {
	switch {
	case head:
		return recordHead, dirAuto
	case t.cols[i].Code:
		return recordCode, dirLTR
	case t.cols[i].Label:
		return recordLabel, dirAuto
	}
	// A cell's own first letter decides its direction (an Arabic
	// nickname in a Dutch record, a device's Latin name in an Arabic one),
	// and it sits on the table's start side all the same.
	return recordText, dirAuto
}

// newRecordTable sets a table's cells. Columns get the width their
// widest cell wants when all fit across the page; otherwise the narrow
// ones keep theirs and the wide ones share what is left, and wrap.
func (p *printout) newRecordTable(f *flow, cols []RecordColumn, rows [][]RecordCell) *recordTable {
	t := &recordTable{p: p, f: f, cols: cols, top: -1}
	n := len(cols)
	headed := false
	for _, c := range cols {
		headed = headed || c.Heading != ""
	}
	// Each column's widest cell, and its widest heading apart: a
	// heading has no pictogram beside it.
	natural, heads := make([]float64, n), make([]float64, n)
	iconCol := make([]bool, n)
	measure := func(i int, text string, head bool) float64 {
		st, dir := t.style(i, head)
		// A little over the text's width: the wrapper's arithmetic in
		// fixed point must not wrap a cell at its own width.
		return p.layout(text, st, 0, dir).width + 0.2
	}
	for _, row := range rows {
		for i := 0; i < n && i < len(row); i++ {
			natural[i] = max(natural[i], measure(i, row[i].Text, false))
			iconCol[i] = iconCol[i] || hasPictogram(row[i].Pictogram)
		}
	}
	for i, c := range cols {
		if iconCol[i] {
			natural[i] += recordIcon + iconGap
		}
		if headed {
			heads[i] = measure(i, c.Heading, true)
		}
		natural[i] = max(natural[i], heads[i])
	}
	t.widths = columnWidths(natural, cols, f.width()-recordGap*float64(max(n-1, 0)))
	t.offs = make([]float64, n)
	for i := 1; i < n; i++ {
		t.offs[i] = t.offs[i-1] + t.widths[i-1] + recordGap
	}
	set := func(i int, c RecordCell, head bool) recordCell {
		st, dir := t.style(i, head)
		w := t.widths[i]
		rc := recordCell{iconCol: iconCol[i] && !head}
		if rc.iconCol {
			w -= recordIcon + iconGap
			if hasPictogram(c.Pictogram) {
				rc.icon = c.Pictogram
			}
		}
		if t.cols[i].Code {
			w = 0 // a code is never cut in two: its column is as wide as the widest
		} else {
			w = max(w, 1) // 0 would mean "do not wrap"
		}
		rc.lines = p.layout(c.Text, st, w, dir).lines
		if c.Text == "" {
			rc.lines = nil
		}
		return rc
	}
	if headed {
		for i, c := range cols {
			t.head = append(t.head, set(i, RecordCell{Text: c.Heading}, true))
		}
		alignRow(t.head)
	}
	for _, row := range rows {
		cells := make([]recordCell, n)
		for i := 0; i < n; i++ {
			var c RecordCell
			if i < len(row) {
				c = row[i]
			}
			cells[i] = set(i, c, false)
		}
		alignRow(cells)
		t.rows = append(t.rows, cells)
	}
	return t
}

// columnWidths shares width among columns that want natural: all they
// want when it fits; otherwise codes keep theirs, and the other columns,
// narrowest first, each keep theirs while it is no more than an equal
// share of what is left, and the rest split the remainder evenly.
func columnWidths(natural []float64, cols []RecordColumn, width float64) []float64 {
	w := append([]float64(nil), natural...)
	total := 0.0
	for _, x := range w {
		total += x
	}
	if total <= width {
		return w
	}
	left := width
	var flexible []int
	for i, c := range cols {
		if c.Code {
			left -= w[i]
		} else {
			flexible = append(flexible, i)
		}
	}
	sort.SliceStable(flexible, func(a, b int) bool { return natural[flexible[a]] < natural[flexible[b]] })
	for k, i := range flexible {
		share := max(left, 0) / float64(len(flexible)-k)
		w[i] = min(natural[i], share)
		left -= w[i]
	}
	return w
}

func (t *recordTable) headHeight() float64 {
	if t.head == nil {
		return 0
	}
	return rowHeight(t.head)
}

// draw draws the heading row and every row, each under a thin rule.
func (t *recordTable) draw() error {
	if t.head != nil {
		t.drawHead()
	}
	for _, row := range t.rows {
		if err := t.row(row); err != nil {
			return err
		}
	}
	return nil
}

func (t *recordTable) drawHead() {
	head := append([]recordCell(nil), t.head...)
	t.slice(head, t.f.h)
	t.f.page.line(t.f.x0(), t.f.y, t.f.x0()+t.f.width(), t.f.y, 0.4, grey)
}

// newPage carries the table on to a new page, under its heading row.
func (t *recordTable) newPage() {
	t.f.newPage()
	if t.head != nil {
		t.drawHead()
	}
	t.top = t.f.y
}

// row draws one row. A row that fits on a page is never cut: it moves on
// to the next page when it does not fit on this one. A row taller than a
// page (a long note) is cut between lines, from where it starts.
func (t *recordTable) row(cells []recordCell) error {
	f := t.f
	bottom := f.h - f.margin
	h := rowHeight(cells)
	if f.y+h > bottom && f.y > t.top && h <= bottom-f.margin-t.headHeight() {
		t.newPage()
	}
	for {
		room := bottom - f.y - 2*recordPad
		// Each cell's pictogram and first line must fit, or nothing of
		// the row goes on this page.
		need := 0.0
		for _, c := range cells {
			if len(c.lines) > 0 {
				need = max(need, c.dy+c.lines[0].height())
			}
			if c.icon != "" {
				need = max(need, recordIcon)
			}
		}
		if need > room && f.y > t.top {
			t.newPage()
			continue
		}
		more, err := t.slice(cells, room)
		if err != nil {
			return err
		}
		if !more {
			f.page.line(f.x0(), f.y, f.x0()+f.width(), f.y, 0.2, rule)
			return nil
		}
		t.newPage()
	}
}

// slice draws as much of each cell as fits in room millimetres (a line
// at least), leaves in cells what is still to draw, and moves the flow
// under what it drew; more reports whether anything is left.
func (t *recordTable) slice(cells []recordCell, room float64) (more bool, err error) {
	f, p := t.f, t.p
	rtl := f.dir == dirRTL
	y := f.y + recordPad
	h := 0.0
	for i := range cells {
		c := &cells[i]
		x, w := f.x0()+t.offs[i], t.widths[i]
		if rtl {
			x = f.x0() + f.width() - t.offs[i] - w
		}
		textX, textW := x, w
		if c.iconCol {
			textW = w - recordIcon - iconGap
			iconX := x
			if rtl {
				iconX = x + w - recordIcon
			} else {
				textX = x + recordIcon + iconGap
			}
			if c.icon != "" {
				if err = p.icon(f.page, c.icon, iconX, y, recordIcon); err != nil {
					return false, err
				}
				h = max(h, recordIcon)
			}
		}
		n, textH := 0, c.dy
		for n < len(c.lines) && (n == 0 || textH+c.lines[n].height() <= room) {
			textH += c.lines[n].height()
			n++
		}
		p.drawFlush(f.page, &textBlock{lines: c.lines[:n]}, textX, y+c.dy, textW, rtl)
		h = max(h, textH)
		c.lines, c.icon, c.dy = c.lines[n:], "", 0
		more = more || len(c.lines) > 0
	}
	f.y += h + 2*recordPad
	return more, nil
}

// pageNumbers writes "2 / 3" at the foot of every page of a document of
// more than one page, in the bottom margin: pages that come apart find
// their order again.
func (p *printout) pageNumbers(margin float64) {
	n := len(p.doc.pages)
	if n < 2 {
		return
	}
	for i, pg := range p.doc.pages {
		b := p.layout(fmt.Sprintf("%d / %d", i+1, n), style{size: 8, color: grey}, 0, dirLTR)
		p.draw(pg, b, margin, pg.h-margin+(margin-b.height)/2, pg.w-2*margin, alignCenter)
	}
}
