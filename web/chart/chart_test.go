package chart_test

import (
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web/chart"
)

// A masked figure is never drawn at a true length: "< 5" and "≥ 5" are
// hatched bars as long as an exact 5 would be, "(< 5)" a short hatched
// stub; exact figures are solid and in proportion.
func TestMaskedBarsAreHatchedAtTheirBound(t *testing.T) {
	c := chart.New("t", "Title", "Nothing", []chart.Series{{Name: "a", Color: "#000"}, {Name: "b", Color: "#111"}}, []chart.Row{
		{Label: "one", Values: []string{"10", store.MaskedSmall}},
		{Label: "two", Values: []string{"5", store.MaskedLarge}},
		{Label: "three", Values: []string{store.HiddenValue, "2.5"}},
		{Label: "none", Values: []string{"0", "0"}},
	})
	if len(c.Groups) != 4 {
		t.Fatalf("%d groups, want 4 (a row of zeros is one too)", len(c.Groups))
	}
	if none := c.Groups[3].Bars; none[0].W != 0 || none[1].W != 0 || none[0].Text != "0" {
		t.Errorf("a row of zeros: %+v", none)
	}
	ten, below := c.Groups[0].Bars[0], c.Groups[0].Bars[1]
	five, atLeast := c.Groups[1].Bars[0], c.Groups[1].Bars[1]
	hidden, quarter := c.Groups[2].Bars[0], c.Groups[2].Bars[1]
	if ten.Hatched || five.Hatched || quarter.Hatched {
		t.Error("an exact figure is hatched")
	}
	if !below.Hatched || !atLeast.Hatched || !hidden.Hatched {
		t.Error("a masked figure is drawn solid")
	}
	if below.W != five.W || atLeast.W != five.W {
		t.Errorf("< 5 is %.1f long, ≥ 5 %.1f, an exact 5 %.1f: want all alike", below.W, atLeast.W, five.W)
	}
	if d := ten.W - 2*five.W; d > 0.2 || d < -0.2 {
		t.Errorf("10 is %.1f long, 5 is %.1f", ten.W, five.W)
	}
	if hidden.W >= quarter.W || hidden.W <= 0 {
		t.Errorf("(< 5) is %.1f long, 2.5 is %.1f: want a short stub", hidden.W, quarter.W)
	}
	if below.Text != store.MaskedSmall || hidden.Text != store.HiddenValue {
		t.Errorf("texts %q %q", below.Text, hidden.Text)
	}
	if !c.Hatched {
		t.Error("the chart does not say it has hatched bars")
	}
	// Every bar and its text fit in the chart's width and height.
	for _, g := range c.Groups {
		for _, b := range g.Bars {
			if b.X+b.W > chart.Width || b.TextX > chart.Width-20 || b.Y+b.H > c.Height {
				t.Errorf("%s: a bar at %.1f+%.1f, text at %.1f, bottom %.1f of %.1f × %.1f", g.Label, b.X, b.W, b.TextX, b.Y+b.H, chart.Width, c.Height)
			}
		}
	}
	if e := chart.New("e", "T", "Nothing", []chart.Series{{Name: "a"}}, []chart.Row{{Label: "x", Values: []string{"0"}}}); len(e.Groups) != 0 || e.Empty != "Nothing" {
		t.Errorf("an empty chart: %+v", e)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]chart.Mark{"12": chart.Exact, "3.5": chart.Exact, "40 %": chart.Exact,
		store.MaskedSmall: chart.Below, store.MaskedLarge: chart.AtLeast, store.HiddenValue: chart.Hidden, "": chart.Hidden, "x": chart.Hidden} {
		if _, got := chart.Parse(in); got != want {
			t.Errorf("Parse(%q) = %v, want %v", in, got, want)
		}
	}
}
