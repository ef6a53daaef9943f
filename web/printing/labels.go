package printing

import (
	"fmt"
	"io"

	"github.com/skip2/go-qrcode"
)

// DeviceLabel is what one asset label shows.
type DeviceLabel struct {
	Tag     string // printed large, and what the desk scanner reads
	Caption string // make and model, small
	URL     string // the QR code: the device's page in the admin panel
}

// LabelFormat is the paper the labels go on.
type LabelFormat int

const (
	// LabelsA4 is an A4 sheet of 3 × 8 labels of 70 × 37 mm.
	LabelsA4 LabelFormat = iota
	// LabelsRoll62 is a 62 mm wide roll, one 62 × 29 mm label per page,
	// as Brother QL and similar printers take it.
	LabelsRoll62
)

// WriteLabelsPDF writes asset labels as a PDF.
func WriteLabelsPDF(w io.Writer, labels []DeviceLabel, format LabelFormat) error {
	if len(labels) == 0 {
		return fmt.Errorf("no labels to print")
	}
	p, err := newPrintout("Drempel device labels", "")
	if err != nil {
		return err
	}
	lw, lh := 70.0, 37.0
	if format == LabelsRoll62 {
		lw, lh = 62, 29
	}
	const cols, rows = 3, 8
	top := (a4H - rows*lh) / 2
	var page *pdfPage
	for i, l := range labels {
		var x, y float64
		if format == LabelsRoll62 {
			page = p.doc.addPage(lw, lh)
		} else {
			slot := i % (cols * rows)
			if slot == 0 {
				page = p.doc.addPage(a4W, a4H)
			}
			x, y = float64(slot%cols)*lw, top+float64(slot/cols)*lh
		}
		qr, err := qrcode.New(l.URL, qrcode.Medium)
		if err != nil {
			return fmt.Errorf("qr code: %w", err)
		}
		q := lh - 4
		page.modules(qr.Bitmap(), x+2, y+2, q)

		// The text column: the tag, the caption under it, "Drempel" at
		// the bottom, each in its own space.
		tx, tw := x+q+4, lw-q-6
		brand := p.layout("Drempel", style{size: 6, bold: true, color: green}, tw, dirLTR)
		brandTop := y + lh - 6
		p.draw(page, brand, tx, brandTop, tw, alignStart)

		tagTop := y + lh/2 - 7
		tag := p.fitShort(l.Tag, style{size: 13, mono: true, color: black}, tw, brandTop-1-tagTop, 8, 2, 6, dirLTR)
		p.draw(page, tag, tx, tagTop, tw, alignStart)

		capTop := max(y+lh/2+1, tagTop+tag.height+0.5)
		if room := brandTop - 0.5 - capTop; room > 0 {
			caption := p.fit(l.Caption, style{size: 7, color: black}, tw, room, 4, 5.5, dirAuto)
			if caption.height <= room+1e-6 {
				p.draw(page, caption, tx, capTop, tw, alignStart)
			}
		}
	}
	return p.write(w)
}
