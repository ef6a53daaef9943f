package printing

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/drempel/drempel/web/chart"
)

// FiguresDoc is a period's figures for a funder report, already
// translated and masked (store's Mask): tables of rows, each value next
// to the previous period's, on landscape A4. It prints every value as it
// is given, "< 5" and the rest.
type FiguresDoc struct {
	Title, Subtitle string
	// Before heads each previous period's column.
	Before string
	Tables []FiguresTable
	// Charts, laid out by package chart, come before the tables;
	// ChartNote says under them what a hatched bar is.
	Charts    []*chart.Chart
	ChartNote string
	// Note closes the document in small print: how small counts show.
	Note      string
	Lang, Dir string
}

// FiguresTable is one block of figures: a row heading, the figures'
// columns, and rows.
type FiguresTable struct {
	Heading, RowHead string
	Cols             []string
	Rows             []FiguresRow
}

// FiguresRow is a label and, per column, the period's value and the
// previous period's.
type FiguresRow struct {
	Label string
	Cells [][2]string
}

// figuresCols is how many columns (each with its previous period) one
// table holds across the page; a wider block goes on in a second table
// of the same rows.
const figuresCols = 4

// WriteFiguresPDF writes the figures on landscape A4 pages; a table runs
// on over pages under its heading row.
func WriteFiguresPDF(w io.Writer, d FiguresDoc) error {
	p, f, err := newLandscapeReport(d.Title, d.Subtitle, d.Lang, d.Dir)
	if err != nil {
		return err
	}
	// The previous period's heading, on each column pair, takes two
	// lines: the rows' labels keep the width.
	before := strings.Replace(d.Before, " ", "\n", 1)
	for _, c := range d.Charts {
		if err := p.figuresChart(f, c); err != nil {
			return err
		}
	}
	if len(d.Charts) > 0 {
		f.space(2)
		f.text(d.ChartNote, style{size: 8.5, color: grey})
	}
	for _, t := range d.Tables {
		parts := max(1, (len(t.Cols)+figuresCols-1)/figuresCols)
		for part := 0; part < parts; part++ {
			from, to := part*figuresCols, min((part+1)*figuresCols, len(t.Cols))
			cols := []RecordColumn{{Heading: t.RowHead}}
			for _, c := range t.Cols[from:to] {
				// The previous period's column is grey, as on the page.
				cols = append(cols, RecordColumn{Heading: c}, RecordColumn{Heading: before, Label: true})
			}
			rows := make([][]RecordCell, 0, len(t.Rows))
			for _, r := range t.Rows {
				row := []RecordCell{{Text: r.Label}}
				for i := from; i < to; i++ {
					var c [2]string
					if i < len(r.Cells) {
						c = r.Cells[i]
					}
					row = append(row, RecordCell{Text: c[0]}, RecordCell{Text: c[1]})
				}
				rows = append(rows, row)
			}
			heading := t.Heading
			if parts > 1 {
				heading = fmt.Sprintf("%s (%d/%d)", t.Heading, part+1, parts)
			}
			// The attendance grid's table, with no cell shaded.
			if err := p.attendanceTable(f, heading, cols, rows, make([][]bool, len(rows))); err != nil {
				return err
			}
		}
	}
	if d.Note != "" {
		f.space(6)
		f.text(d.Note, style{size: 8.5, color: grey})
	}
	p.pageNumbers(recordMargin)
	return p.write(w)
}

// A chart on paper, in millimetres: a row per bar, the group's label in
// a column on the start side, the bar's text after its end.
const (
	chartLabelW = 70.0
	chartIcon   = 4.2
	chartRowH   = 5.0
	chartBarH   = 3.4
	chartValueW = 20.0
	chartGap    = 2.0
	chartSwatch = 3.0
	hatchStep   = 1.1
)

var chartText = style{size: 8.5, color: black}

// figuresChart draws a chart as the page does: solid bars for figures
// as they are, hatched ones for "< 5", "≥ 5" and "(< 5)".
func (p *printout) figuresChart(f *flow, c *chart.Chart) error {
	head := style{size: 12, bold: true, color: green}
	f.space(6)
	first := chartRowH
	if len(c.Groups) > 0 {
		first = chartRowH * float64(len(c.Groups[0].Bars))
	}
	f.need(p.layout(c.Title, head, f.width(), f.dir).height + 2 + chartRowH + first)
	f.text(c.Title, head)
	f.space(2)
	if len(c.Groups) == 0 {
		f.text(c.Empty, style{size: 10, color: grey})
		return nil
	}
	if err := p.chartLegend(f, c); err != nil {
		return err
	}
	x0 := f.x0() + chartLabelW + chartGap
	if c.Icons {
		x0 += chartIcon + chartGap
	}
	span := f.width() - (x0 - f.x0()) - chartValueW
	for _, g := range c.Groups {
		label := p.layout(g.Label, chartText, chartLabelW, f.dir)
		h := max(label.height, chartRowH*float64(len(g.Bars))) + chartGap
		f.need(h)
		if len(label.lines) > 0 {
			p.drawFlush(f.page, label, f.x0(), f.y+(chartRowH-label.lines[0].height())/2, chartLabelW, false)
		}
		f.page.line(x0, f.y, x0, f.y+chartRowH*float64(len(g.Bars)), 0.25, grey)
		for i, b := range g.Bars {
			y := f.y + float64(i)*chartRowH
			color := hexColor(b.Color)
			if b.Icon != "" {
				if err := p.icon(f.page, b.Icon, x0-chartGap-chartIcon, y+(chartRowH-chartIcon)/2, chartIcon); err != nil {
					return err
				}
			}
			w := b.Frac * span
			by := y + (chartRowH-chartBarH)/2
			switch {
			case b.Hatched:
				hatch(f.page, x0, by, w, chartBarH, color)
			case w > 0:
				f.page.fillRect(x0, by, w, chartBarH, color)
			}
			if v := p.layout(b.Text, chartText, 0, dirLTR); len(v.lines) > 0 {
				p.drawLine(f.page, v.lines[0], x0+w+chartGap, y+(chartRowH-v.lines[0].height())/2, v.width+1, alignStart)
			}
		}
		f.y += h
	}
	return nil
}

// chartLegend names the series, each after a square of its colour (and
// its pictogram), as many on a line as fit.
func (p *printout) chartLegend(f *flow, c *chart.Chart) error {
	if len(c.Series) < 2 && !c.Icons {
		return nil
	}
	x, lineH := f.x0(), chartRowH
	f.need(lineH)
	for _, s := range c.Series {
		name := p.layout(s.Name, chartText, 0, dirAuto)
		w := chartSwatch + chartGap + name.width + 2*chartGap
		if s.Icon != "" {
			w += chartIcon + chartGap
		}
		if x > f.x0() && x+w > f.x0()+f.width() {
			x = f.x0()
			f.y += lineH
			f.need(lineH)
		}
		f.page.fillRect(x, f.y+(lineH-chartSwatch)/2, chartSwatch, chartSwatch, hexColor(s.Color))
		x += chartSwatch + chartGap
		if s.Icon != "" {
			if err := p.icon(f.page, s.Icon, x, f.y+(lineH-chartIcon)/2, chartIcon); err != nil {
				return err
			}
			x += chartIcon + chartGap
		}
		if len(name.lines) > 0 {
			p.drawLine(f.page, name.lines[0], x, f.y+(lineH-name.lines[0].height())/2, name.width+1, alignStart)
		}
		x += name.width + 2*chartGap
	}
	f.y += lineH + 1
	return nil
}

// hatch draws a bar that does not stand for its true length: its
// outline, and lines at 45° inside it.
func hatch(pg *pdfPage, x, y, w, h float64, c rgb) {
	for k := x - h; k < x+w; k += hatchStep {
		// The line (k+t, y+h-t), t from 0 to h, cut to the bar.
		t0, t1 := max(0, x-k), min(h, x+w-k)
		if t0 < t1 {
			pg.line(k+t0, y+h-t0, k+t1, y+h-t1, 0.3, c)
		}
	}
	pg.line(x, y, x+w, y, 0.3, c)
	pg.line(x+w, y, x+w, y+h, 0.3, c)
	pg.line(x+w, y+h, x, y+h, 0.3, c)
	pg.line(x, y+h, x, y, 0.3, c)
}

// hexColor reads a colour as CSS writes it, #rrggbb; anything else is
// black.
func hexColor(s string) rgb {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 {
		return black
	}
	return rgb{uint8(v >> 16), uint8(v >> 8), uint8(v)}
}
