package devices

import (
	"fmt"
	"io"
)

// Receipt is what a member takes home with a loan, already translated.
type Receipt struct {
	Title, Org, Site, Date string
	MemberLabel, Member    string
	DueLabel               string
	Lines                  []ReceiptLine
	Terms, Footer          string
}

// ReceiptLine is one device on the receipt.
type ReceiptLine struct{ Tag, What, Due string }

// WriteReceiptPDF writes a loan receipt on an A5 page. Every text is
// written as text: a nickname like "=HYPERLINK(…)" prints as typed.
func WriteReceiptPDF(w io.Writer, r Receipt) error {
	pdf := newPDF(paper("A5"), r.Title)
	pdf.SetMargins(12, 12, 12)
	pdf.AddPage()
	text := func(s string) string {
		if printable(s) {
			return s
		}
		return "—"
	}
	pdf.SetFont("go", "B", 16)
	pdf.CellFormat(0, 9, text(r.Title), "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	pdf.CellFormat(0, 5, text(r.Org+" · "+r.Site), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 5, r.Date, "", 1, "L", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont("go", "B", 11)
	pdf.CellFormat(0, 6, text(r.MemberLabel+": "+r.Member), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	for _, l := range r.Lines {
		pdf.SetFont("gomono", "B", 11)
		pdf.CellFormat(30, 7, l.Tag, "B", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 10)
		pdf.CellFormat(60, 7, text(l.What), "B", 0, "L", false, 0, "")
		pdf.SetFont("go", "B", 10)
		pdf.CellFormat(0, 7, fmt.Sprintf("%s %s", text(r.DueLabel), l.Due), "B", 1, "R", false, 0, "")
	}
	pdf.Ln(5)
	pdf.SetFont("go", "", 9)
	pdf.MultiCell(0, 4.5, text(r.Terms), "", "L", false)
	pdf.Ln(3)
	pdf.MultiCell(0, 4.5, text(r.Footer), "", "L", false)
	return pdf.Output(w)
}
