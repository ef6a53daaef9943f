package devices

import (
	"bytes"
	"fmt"
	"io"
	"unicode"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/sfnt"

	"github.com/drempel/drempel/store"
)

// CardFace is what one printed card shows.
type CardFace struct {
	Token     string // the QR code's content, nothing else
	CheckCode string
	Nickname  string
	OrgName   string
}

// Card sizes in millimetres: ISO/IEC 7810 ID-1, the size of a bank card.
const (
	CardW = 85.6
	CardH = 53.98
)

// Layout is how cards are put on paper.
type Layout int

const (
	// Single prints one card per page of exactly card size.
	Single Layout = iota
	// SheetA4 prints ten cards per A4 page, with cutting lines.
	SheetA4
)

// WriteCardsPDF writes the cards as a PDF. Text goes into the PDF as text,
// never as markup, so a nickname like "<b>x</b>" prints as typed.
func WriteCardsPDF(w io.Writer, faces []CardFace, layout Layout) error {
	if len(faces) == 0 {
		return fmt.Errorf("no cards to print")
	}
	init := paper("A4")
	if layout == Single {
		init = size(CardW, CardH)
	}
	pdf := newPDF(init, "Drempel member cards")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)

	const cols, rows = 2, 5
	const gapX, gapY = 6.0, 2.0
	marginX := (210 - cols*CardW - (cols-1)*gapX) / 2
	marginY := (297 - rows*CardH - (rows-1)*gapY) / 2
	for i, f := range faces {
		var x, y float64
		if layout == Single {
			pdf.AddPage()
		} else {
			slot := i % (cols * rows)
			if slot == 0 {
				pdf.AddPage()
			}
			x = marginX + float64(slot%cols)*(CardW+gapX)
			y = marginY + float64(slot/cols)*(CardH+gapY)
			pdf.SetDrawColor(170, 170, 170)
			pdf.SetLineWidth(0.2)
			pdf.RoundedRect(x, y, CardW, CardH, 3, "1234", "D")
		}
		if err := drawCard(pdf, fmt.Sprintf("qr%d", i), x, y, f); err != nil {
			return err
		}
	}
	return pdf.Output(w)
}

func drawCard(pdf *fpdf.Fpdf, name string, x, y float64, f CardFace) error {
	png, err := qrcode.Encode(f.Token, qrcode.Medium, 600)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	const qr = 40.0
	pdf.ImageOptions(name, x+3, y+3, qr, qr, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	// The check code under the QR, for a lookup by hand at the desk.
	pdf.SetTextColor(20, 20, 20)
	pdf.SetFont("gomono", "B", 12)
	pdf.SetXY(x+3, y+qr+3.5)
	pdf.CellFormat(qr, 5, store.FormatCheckCode(f.CheckCode), "", 0, "C", false, 0, "")

	tx, tw := x+qr+6, CardW-qr-9
	pdf.SetFillColor(11, 110, 79)
	pdf.Rect(tx, y+5, tw, 1.2, "F")
	pdf.SetFont("go", "", 7.5)
	pdf.SetTextColor(70, 70, 70)
	pdf.SetXY(tx, y+8)
	pdf.MultiCell(tw, 3.4, f.OrgName, "", "L", false)
	// A name the font cannot draw (Arabic, Ge'ez…) is left off rather than
	// printed as empty boxes: the QR and the check code do the work.
	nick := f.Nickname
	if !printable(nick) {
		nick = ""
	}
	// The nickname on one line if it fits at 9 pt or more, else wrapped.
	size := 14.0
	pdf.SetFont("go", "B", size)
	for size > 9 && pdf.GetStringWidth(nick) > tw-2*pdf.GetCellMargin() {
		size -= 0.5
		pdf.SetFontSize(size)
	}
	pdf.SetTextColor(20, 20, 20)
	pdf.SetXY(tx, y+20)
	pdf.MultiCell(tw, size*0.45, nick, "", "L", false)
	pdf.SetFont("go", "", 7)
	pdf.SetTextColor(90, 90, 90)
	pdf.SetXY(tx, y+CardH-9)
	pdf.CellFormat(tw, 4, "Drempel", "", 0, "L", false, 0, "")
	return pdf.Error()
}

// boldFace is the font the nickname is printed in, parsed once to ask it
// which characters it has.
var boldFace, _ = sfnt.Parse(gobold.TTF)

// printable reports whether the card font has a glyph for every letter.
func printable(s string) bool {
	if boldFace == nil {
		return false
	}
	var buf sfnt.Buffer
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		if g, err := boldFace.GlyphIndex(&buf, r); err != nil || g == 0 {
			return false
		}
	}
	return true
}
