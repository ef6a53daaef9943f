package printing

import (
	"fmt"
	"io"
)

// DossierDoc is a partner dossier, already translated: headings, counted
// lines, solutions and approved quotes. It carries no visitor's own words
// but the quotes a facilitator approved, and its counts come masked
// (store.MaskCounts): it prints them as they are given.
type DossierDoc struct {
	Title, Subtitle string
	Sections        []DossierSection
	// Note closes the dossier in small print: how small counts are shown.
	Note string
	// Lang and Dir are the document's language and direction, as on
	// Receipt; empty lets each paragraph's first letter decide, so a
	// quote in Arabic sits right to left in a Dutch dossier.
	Lang, Dir string
}

// DossierSection is a heading with lines under it.
type DossierSection struct {
	Heading string
	Lines   []string
	Quotes  bool // set the lines as quotes
}

// WriteDossierPDF writes a partner dossier on A4 pages.
func WriteDossierPDF(w io.Writer, d DossierDoc) error {
	p, err := newPrintout(d.Title, d.Lang)
	if err != nil {
		return err
	}
	f := p.newFlow(a4W, a4H, 18, parseDir(d.Dir))
	f.text(d.Title, style{size: 18, bold: true, color: black})
	f.text(d.Subtitle, style{size: 10, color: black})
	for _, s := range d.Sections {
		f.space(4)
		// A heading stays with its first line.
		f.need((12 + 10) * 1.4 / ptPerMM)
		f.text(s.Heading, style{size: 12, bold: true, color: green})
		for _, l := range s.Lines {
			if s.Quotes {
				l = fmt.Sprintf("“%s”", l)
				f.space(1)
			}
			f.text(l, style{size: 10, color: black})
		}
	}
	if d.Note != "" {
		f.space(6)
		f.text(d.Note, style{size: 8.5, color: grey})
	}
	return p.write(w)
}
