// Package devices owns the physical things Drempel hands out and what it
// prints: member cards, lendable devices' QR labels, loan receipts and
// reminders, and partner dossiers. Loans themselves are kept by store;
// this package turns them into paper.
package devices

import (
	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// newPDF starts every document Drempel prints: millimetres, no automatic
// margins, and the Go fonts ("go", "go" bold, "gomono" bold), which write
// every Latin, Greek and Cyrillic name.
func newPDF(init *fpdf.InitType, title string) *fpdf.Fpdf {
	pdf := fpdf.NewCustom(init)
	pdf.SetCreator("Drempel", true)
	pdf.SetTitle(title, true)
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.AddUTF8FontFromBytes("gomono", "B", gomono.TTF)
	return pdf
}

// paper and size give page formats for newPDF.
func paper(name string) *fpdf.InitType {
	return &fpdf.InitType{UnitStr: "mm", SizeStr: name, OrientationStr: "P"}
}

func size(w, h float64) *fpdf.InitType {
	return &fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: w, Ht: h}, OrientationStr: "P"}
}
