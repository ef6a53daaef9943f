package devices

import (
	"bytes"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
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
	lw, lh := 70.0, 37.0
	init := paper("A4")
	if format == LabelsRoll62 {
		lw, lh = 62, 29
		init = size(lw, lh)
	}
	pdf := newPDF(init, "Drempel device labels")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	const cols, rows = 3, 8
	top := (297 - rows*lh) / 2
	for i, l := range labels {
		var x, y float64
		if format == LabelsRoll62 {
			pdf.AddPage()
		} else {
			slot := i % (cols * rows)
			if slot == 0 {
				pdf.AddPage()
			}
			x, y = float64(slot%cols)*lw, top+float64(slot/cols)*lh
		}
		png, err := qrcode.Encode(l.URL, qrcode.Medium, 400)
		if err != nil {
			return fmt.Errorf("qr code: %w", err)
		}
		name := fmt.Sprintf("qr%d", i)
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		q := lh - 4
		pdf.ImageOptions(name, x+2, y+2, q, q, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		tx, tw := x+q+4, lw-q-6
		pdf.SetTextColor(20, 20, 20)
		pdf.SetFont("gomono", "B", 13)
		pdf.SetXY(tx, y+lh/2-7)
		pdf.CellFormat(tw, 7, l.Tag, "", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 7)
		pdf.SetXY(tx, y+lh/2+1)
		caption := l.Caption
		if !printable(caption) {
			caption = ""
		}
		pdf.MultiCell(tw, 3.2, caption, "", "L", false)
		pdf.SetFont("go", "B", 6)
		pdf.SetTextColor(11, 110, 79)
		pdf.SetXY(tx, y+lh-6)
		pdf.CellFormat(tw, 3, "Drempel", "", 0, "L", false, 0, "")
		if err := pdf.Error(); err != nil {
			return err
		}
	}
	return pdf.Output(w)
}
