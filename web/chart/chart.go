// Package chart lays out the bar charts the admin pages draw on the
// server as SVG, with no script and nothing from outside: where each bar
// goes, how long it is, and how a figure that is not shown exactly is
// drawn. The page's template turns a Chart into markup; the numbers
// themselves stay in the page's tables.
//
// Figures come as store shows them (store.Masked and its kin): a count
// from 1 to 4 reads "< 5", a count hidden so that another cannot be
// worked out reads "≥ 5", a sum made from fewer than 5 reads "(< 5)". No
// such bar is drawn at a true length: "< 5" and "≥ 5" are hatched up to
// 5 (the bound they state), "(< 5)" is a short hatched stub, each with
// its text beside it.
package chart

import (
	"strconv"
	"strings"

	"github.com/drempel/drempel/store"
)

// Mark says how exactly a figure is known.
type Mark int

// Marks.
const (
	Exact   Mark = iota
	Below        // "< 5": from 1 to 4
	AtLeast      // "≥ 5": 5 or more, hidden
	Hidden       // "(< 5)": a sum or share made from fewer than 5
)

// Parse reads a figure as store shows it: a count, hours with a
// decimal, a share with " %", or one of the masks. What is not a number
// counts as hidden: it is never drawn at a length.
func Parse(s string) (float64, Mark) {
	switch s {
	case store.MaskedSmall:
		return 5, Below
	case store.MaskedLarge:
		return 5, AtLeast
	case store.HiddenValue:
		return 0, Hidden
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if err != nil || v < 0 {
		return 0, Hidden
	}
	return v, Exact
}

// Layout, in the SVG's user units. Width is about a phone's width in CSS
// pixels, so that the text keeps its size there; on a desktop the chart
// sits in a column of about the same width.
const (
	Width    = 360.0
	FontSize = 13.0
	labelH   = 17.0 // a group's label line
	barH     = 14.0
	barGap   = 3.0
	groupGap = 9.0
	iconSize = 14.0
	iconGap  = 4.0
	valueGap = 4.0
	valueW   = 46.0 // room after the longest bar for its text ("≥ 5", "1234.5")
	stubW    = 4.0  // the length of a "(< 5)"
	minW     = 1.0  // the least length of a count above 0
	maxLabel = 46   // runes of a group's label; the tables hold the whole name
)

// Series is one kind of bar: its name (in the legend), its colour (at
// least 3:1 against white, WCAG 1.4.11) and, for smileys, a pictogram.
type Series struct {
	Name, Color string
	Icon        string // a pictogram's name, drawn at the start of each bar
}

// Row is one group of bars: a label and one figure per series, as shown.
type Row struct {
	Label  string
	Values []string
}

// Chart is a laid-out horizontal bar chart: a group per row, a bar per
// series, one under the other, so that it reads on a phone as well as on
// a desktop.
type Chart struct {
	ID, Title string
	Series    []Series
	Groups    []Group
	Width     float64
	Height    float64
	// Hatched is set when a bar is hatched: the page explains it.
	Hatched bool
	// Empty is said in place of the chart when there is nothing to draw.
	Empty string
	// Icons is set when the bars carry pictograms; X0 is where the bars
	// start, after them.
	Icons bool
	X0    float64
}

// Group is a row's label and its bars.
type Group struct {
	Label  string
	LabelY float64 // the label's baseline
	// Top and Bottom bound the bars: the axis is drawn between them.
	Top, Bottom float64
	Bars        []Bar
}

// Bar is one bar, with its figure's text at its end.
type Bar struct {
	Series     int
	Color      string
	Icon       string
	Text       string
	Mark       Mark
	Hatched    bool
	X, Y, W, H float64
	// Frac is W as a share of the longest bar the chart can hold: a
	// printout draws the same bar at its own scale.
	Frac     float64
	TextX    float64
	TextY    float64 // the text's baseline
	IconSize float64
}

// New lays the rows out, every one (a month with nobody is a month of
// the period); a chart whose figures are all "0" is empty and says so.
func New(id, title, empty string, series []Series, rows []Row) *Chart {
	c := &Chart{ID: id, Title: title, Series: series, Width: Width, Empty: empty}
	for _, s := range series {
		c.Icons = c.Icons || s.Icon != ""
	}
	x0 := 0.0
	if c.Icons {
		x0 = iconSize + iconGap
	}
	c.X0 = x0
	// The scale: the largest exact figure, and at least 5 when a bar
	// stands for a bound of 5.
	top := 0.0
	zero := true
	for _, r := range rows {
		for _, v := range r.Values {
			n, m := Parse(v)
			if m == Exact && n == 0 {
				continue
			}
			zero = false
			if m != Hidden {
				top = max(top, n)
			}
		}
	}
	if zero {
		rows = nil
	}
	if top == 0 {
		top = 1
	}
	span := Width - x0 - valueW
	y := 0.0
	for _, r := range rows {
		g := Group{Label: short(r.Label), LabelY: round(y + FontSize)}
		y += labelH
		g.Top = round(y)
		for i, s := range series {
			v := "0"
			if i < len(r.Values) {
				v = r.Values[i]
			}
			n, m := Parse(v)
			b := Bar{Series: i, Color: s.Color, Icon: s.Icon, Text: v, Mark: m, X: x0, Y: round(y), H: barH, IconSize: iconSize}
			switch {
			case m == Hidden:
				b.W, b.Hatched = stubW, true
			case m == Exact && n > 0:
				b.W = max(n/top*span, minW)
			case m == Exact:
				b.W = 0
			default:
				b.W, b.Hatched = n/top*span, true
			}
			b.Frac = b.W / span
			b.W = round(b.W)
			c.Hatched = c.Hatched || b.Hatched
			b.TextX = round(x0 + b.W + valueGap)
			b.TextY = round(y + barH - 3)
			g.Bars = append(g.Bars, b)
			y += barH + barGap
		}
		g.Bottom = round(y - barGap)
		c.Groups = append(c.Groups, g)
		y += groupGap
	}
	c.Height = round(max(y-groupGap-barGap, 0) + 2)
	return c
}

func round(x float64) float64 {
	return float64(int64(x*10+0.5)) / 10
}

// short cuts a long label: the chart is narrow, the table holds it all.
func short(s string) string {
	r := []rune(s)
	if len(r) <= maxLabel {
		return s
	}
	return strings.TrimSpace(string(r[:maxLabel-1])) + "…"
}
