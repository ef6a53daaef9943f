package printing

import (
	"fmt"
	"io"

	"github.com/skip2/go-qrcode"

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
// never as markup, so a nickname like "<b>x</b>" prints as typed, and a
// nickname in any kiosk script (Arabic, Ge'ez, Cyrillic…) prints in its
// own letters.
func WriteCardsPDF(w io.Writer, faces []CardFace, layout Layout) error {
	if len(faces) == 0 {
		return fmt.Errorf("no cards to print")
	}
	p, err := newPrintout("Drempel member cards", "")
	if err != nil {
		return err
	}
	const cols, rows = 2, 5
	const gapX, gapY = 6.0, 2.0
	marginX := (a4W - cols*CardW - (cols-1)*gapX) / 2
	marginY := (a4H - rows*CardH - (rows-1)*gapY) / 2
	var page *pdfPage
	for i, f := range faces {
		var x, y float64
		if layout == Single {
			page = p.doc.addPage(CardW, CardH)
		} else {
			slot := i % (cols * rows)
			if slot == 0 {
				page = p.doc.addPage(a4W, a4H)
			}
			x = marginX + float64(slot%cols)*(CardW+gapX)
			y = marginY + float64(slot/cols)*(CardH+gapY)
			page.roundedRect(x, y, CardW, CardH, 3, 0.2, rule)
		}
		if err := p.drawCard(page, x, y, f); err != nil {
			return err
		}
	}
	return p.write(w)
}

func (p *printout) drawCard(page *pdfPage, x, y float64, f CardFace) error {
	qr, err := qrcode.New(f.Token, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	const side = 40.0
	page.modules(qr.Bitmap(), x+3, y+3, side)
	// The check code under the QR, for a lookup by hand at the desk.
	code := p.fit(store.FormatCheckCode(f.CheckCode), style{size: 12, mono: true, color: black}, side, 0, 1, 8, dirLTR)
	p.draw(page, code, x+3, y+side+3.5, side, alignCenter)

	// The text column right of the QR: the organisation at the top, the
	// nickname under it, "Drempel" at the bottom; each in its own space.
	tx, tw := x+side+6, CardW-side-9
	page.fillRect(tx, y+5, tw, 1.2, green)
	org := p.fit(f.OrgName, style{size: 7.5, color: mid}, tw, 0, 3, 6, dirAuto)
	p.draw(page, org, tx, y+8, tw, alignStart)

	brand := p.layout("Drempel", style{size: 7, color: grey}, tw, dirLTR)
	brandTop := y + CardH - 9
	p.draw(page, brand, tx, brandTop, tw, alignStart)

	// The nickname on one line if it fits at 9 pt or more, else on two
	// lines, smaller if need be, down to 5 pt (a 60-letter name); cut with an ellipsis only
	// if even that cannot hold it.
	top := max(y+20, y+8+org.height+1.5)
	nick := p.fitShort(f.Nickname, style{size: 14, bold: true, color: black}, tw, brandTop-1-top, 9, 2, 5, dirAuto)
	p.draw(page, nick, tx, top, tw, alignStart)
	return nil
}
