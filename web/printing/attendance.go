package printing

import (
	"fmt"
	"io"
)

// AttendanceDoc is the attendance review of a team meeting, already
// translated: one grid of participants × sessions per course, on
// landscape A4. A grid wider than the page goes on in further tables of
// the same participants, the next sessions; the totals and the note come
// with the last.
type AttendanceDoc struct {
	Title, Subtitle string
	// Legend says what the short marks mean.
	Legend string
	// Participant, Totals and Note head those columns; Empty is said when
	// there is no grid.
	Participant, Totals, Note, Empty string
	Grids                            []AttendanceGrid
	Lang, Dir                        string
}

// AttendanceGrid is one course's grid.
type AttendanceGrid struct {
	Heading  string
	Sessions []string // each session's heading (its day)
	Rows     []AttendanceRow
}

// AttendanceRow is one participant: a short mark per session, which cells
// are absences in a row (shaded), their totals and the staff's note.
type AttendanceRow struct {
	Name   string
	Cells  []string
	InRun  []bool
	Totals string
	Note   string
}

// attendanceCols is how many sessions one table holds across the page.
const attendanceCols = 14

var runShade = rgb{250, 214, 205}

// WriteAttendancePDF writes the review on landscape A4 pages.
func WriteAttendancePDF(w io.Writer, d AttendanceDoc) error {
	p, f, err := newLandscapeReport(d.Title, d.Subtitle, d.Lang, d.Dir)
	if err != nil {
		return err
	}
	f.space(1)
	f.text(d.Legend, style{size: 8.5, color: grey})
	if len(d.Grids) == 0 {
		f.space(6)
		f.text(d.Empty, style{size: 10.5, color: black})
	}
	for _, g := range d.Grids {
		parts := max(1, (len(g.Sessions)+attendanceCols-1)/attendanceCols)
		for part := 0; part < parts; part++ {
			from, to := part*attendanceCols, min((part+1)*attendanceCols, len(g.Sessions))
			last := part == parts-1
			cols := []RecordColumn{{Heading: d.Participant}}
			for _, s := range g.Sessions[from:to] {
				cols = append(cols, RecordColumn{Heading: s})
			}
			if last {
				cols = append(cols, RecordColumn{Heading: d.Totals}, RecordColumn{Heading: d.Note})
			}
			var rows [][]RecordCell
			var runs [][]bool
			for _, r := range g.Rows {
				row := []RecordCell{{Text: r.Name}}
				run := []bool{false}
				for i := from; i < to; i++ {
					cell, in := "", false
					if i < len(r.Cells) {
						cell = r.Cells[i]
					}
					if i < len(r.InRun) {
						in = r.InRun[i]
					}
					row = append(row, RecordCell{Text: cell})
					run = append(run, in)
				}
				if last {
					row = append(row, RecordCell{Text: r.Totals}, RecordCell{Text: r.Note})
				}
				rows = append(rows, row)
				runs = append(runs, run)
			}
			heading := g.Heading
			if parts > 1 {
				heading = fmt.Sprintf("%s (%d/%d)", g.Heading, part+1, parts)
			}
			if err := p.attendanceTable(f, heading, cols, rows, runs); err != nil {
				return err
			}
		}
	}
	p.pageNumbers(recordMargin)
	return p.write(w)
}

// attendanceTable draws a heading and a grid, shading the cells of
// absences in a row behind their mark.
func (p *printout) attendanceTable(f *flow, heading string, cols []RecordColumn, rows [][]RecordCell, runs [][]bool) error {
	t := p.newRecordTable(f, cols, rows)
	f.space(6)
	first := 0.0
	if len(t.rows) > 0 {
		first = min(rowHeight(t.rows[0]), firstRowKeep)
	}
	st := style{size: 12, bold: true, color: green}
	h := p.layout(heading, st, f.width(), f.dir)
	f.need(h.height + 2 + t.headHeight() + first)
	f.text(heading, st)
	f.space(2)
	if t.head != nil {
		t.drawHead()
	}
	bottom := f.h - f.margin
	for ri, cells := range t.rows {
		rh := rowHeight(cells)
		if f.y+rh > bottom && f.y > t.top && rh <= bottom-f.margin-t.headHeight() {
			t.newPage()
		}
		for ci, in := range runs[ri] {
			if !in {
				continue
			}
			x, w := f.x0()+t.offs[ci], t.widths[ci]
			if f.dir == dirRTL {
				x = f.x0() + f.width() - t.offs[ci] - w
			}
			f.page.fillRect(x-recordGap/2, f.y, w+recordGap, min(rh, bottom-f.y), runShade)
		}
		if err := t.row(cells); err != nil {
			return err
		}
	}
	return nil
}
