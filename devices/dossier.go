package devices

import (
	"fmt"
	"io"
)

// DossierDoc is a partner dossier, already translated: headings, counted
// lines, solutions and approved quotes. It carries no visitor's own words
// but the quotes a facilitator approved.
type DossierDoc struct {
	Title, Subtitle string
	Sections        []DossierSection
}

// DossierSection is a heading with lines under it.
type DossierSection struct {
	Heading string
	Lines   []string
	Quotes  bool // set the lines in italics, as quotes
}

// WriteDossierPDF writes a partner dossier on A4.
func WriteDossierPDF(w io.Writer, d DossierDoc) error {
	pdf := newPDF(paper("A4"), d.Title)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddPage()
	text := func(s string) string {
		if printable(s) {
			return s
		}
		return "—"
	}
	pdf.SetFont("go", "B", 18)
	pdf.MultiCell(0, 9, text(d.Title), "", "L", false)
	pdf.SetFont("go", "", 10)
	pdf.MultiCell(0, 5, text(d.Subtitle), "", "L", false)
	for _, s := range d.Sections {
		pdf.Ln(4)
		pdf.SetFont("go", "B", 12)
		pdf.SetTextColor(11, 110, 79)
		pdf.MultiCell(0, 6, text(s.Heading), "", "L", false)
		pdf.SetTextColor(20, 20, 20)
		pdf.SetFont("go", "", 10)
		for _, l := range s.Lines {
			if s.Quotes {
				l = fmt.Sprintf("“%s”", l)
			}
			pdf.MultiCell(0, 5, text(l), "", "L", false)
		}
	}
	return pdf.Output(w)
}
