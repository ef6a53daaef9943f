package printing_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web/printing"
)

// pdfImage is one row of pdfimages -list: an image as drawn on a page.
type pdfImage struct {
	page, w, h int
	kind       string // image or smask
	object     int
	ppi        float64
}

func listImages(t *testing.T, pdf string) []pdfImage {
	t.Helper()
	out, err := exec.Command("pdfimages", "-list", pdf).Output()
	if err != nil {
		t.Fatalf("pdfimages -list: %v", err)
	}
	var imgs []pdfImage
	for _, line := range strings.Split(string(out), "\n")[2:] {
		f := strings.Fields(line)
		if len(f) < 14 {
			continue
		}
		n := func(i int) int { v, _ := strconv.Atoi(f[i]); return v }
		ppi, _ := strconv.ParseFloat(f[12], 64)
		imgs = append(imgs, pdfImage{page: n(0), kind: f[2], w: n(3), h: n(4), object: n(10), ppi: ppi})
	}
	return imgs
}

// A receipt draws each line's device type, a calendar by each due date,
// a phone by the phone number and a bell on a reminder, as crisp images
// with transparency, each pictogram stored once however often it is
// drawn; the device's pictogram sits over its own tag, on the start side;
// and the words still read back.
func TestReceiptDrawsAPictogramPerLine(t *testing.T) {
	needPoppler(t, "pdftotext", "pdfimages", "pdftohtml")
	for _, dir := range []string{"ltr", "rtl"} {
		t.Run(dir, func(t *testing.T) {
			r := printing.Receipt{Title: "Rappel", Org: "CPAS de Liège", Date: "20/07/2025", MemberLabel: "Prêté à", Member: "Amina",
				DueLabel: "À rendre le", Terms: "Merci de rapporter ces appareils.", Footer: "Une question ?",
				Phone: "+32 4 220 58 11", Reminder: true, Lang: "fr", Dir: dir}
			tags := map[string]bool{}
			for i, typ := range store.DeviceTypes {
				tag := strings.ToUpper(string(typ[:3])) + "-000" + strconv.Itoa(i+1)
				tags[tag] = true
				r.Lines = append(r.Lines, printing.ReceiptLine{Tag: tag, What: "Appareil " + string(typ), Due: "3" + strconv.Itoa(i) + "/07/2025", Type: typ})
			}
			// A line with no type, or one with no pictogram, gets none.
			r.Lines = append(r.Lines, printing.ReceiptLine{Tag: "XXX-0009", What: "Sans type", Due: "31/07/2025"},
				printing.ReceiptLine{Tag: "FAX-0010", What: "Fax", Due: "31/07/2025", Type: "fax"})
			var buf bytes.Buffer
			if err := printing.WriteReceiptPDF(&buf, r); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "receipt.pdf")
			if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}

			types := len(store.DeviceTypes)
			drawn, masks := 0, 0
			objects := map[int]bool{}
			for _, im := range listImages(t, file) {
				if im.ppi < 290 {
					t.Errorf("%s %d×%d at %.0f ppi: not crisp in print", im.kind, im.w, im.h, im.ppi)
				}
				switch im.kind {
				case "image":
					drawn++
					objects[im.object] = true
				case "smask":
					masks++
				}
			}
			// Each device type, a calendar per line, the phone and the bell.
			if want := types + len(r.Lines) + 2; drawn != want {
				t.Errorf("%d pictograms drawn, want %d", drawn, want)
			}
			if masks != drawn {
				t.Errorf("%d pictograms but %d alpha masks", drawn, masks)
			}
			// The types, one calendar, the phone (smaller than the phone
			// device's) and the bell.
			if want := types + 3; len(objects) != want {
				t.Errorf("%d images stored, want %d (one per pictogram and size)", len(objects), want)
			}

			pages := wordBoxes(t, file)
			images := imageBoxes(t, file)
			if len(images) != len(pages) {
				t.Fatalf("pdftohtml found %d pages, pdftotext %d", len(images), len(pages))
			}
			const margin = 12 * 72 / 25.4
			found := 0
			for n, pg := range pages {
				for _, w := range pg.words {
					if !tags[w.text] {
						continue
					}
					found++
					// The pictogram right above the tag, on the start side.
					var over *box
					for i, im := range images[n] {
						if im.y1 <= w.y0+imageEpsilon && im.y1 >= w.y0-10 && im.x1 > w.x0 && im.x0 < w.x1 {
							over = &images[n][i]
						}
					}
					if over == nil {
						t.Errorf("%s: no pictogram over it", w.text)
						continue
					}
					if side := over.x0; dir == "rtl" {
						if side = pg.w - over.x1; side > margin+2 {
							t.Errorf("%s: its pictogram ends %.0f pt from the right edge, want it on the start side", w.text, side)
						}
					} else if side > margin+2 {
						t.Errorf("%s: its pictogram starts %.0f pt from the left edge, want it on the start side", w.text, side)
					}
				}
			}
			if found != types {
				t.Errorf("%d of %d tags read back", found, types)
			}

			out, err := exec.Command("pdftotext", file, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			text := normalize(string(out))
			for _, want := range []string{"Rappel", "Amina", "XXX0009", "FAX0010", "30/07/2025", "34/07/2025", "+32 4 220 58 11", "Une question"} {
				if !strings.Contains(text, normalize(want)) {
					t.Errorf("%q not in the text:\n%s", want, out)
				}
			}
		})
	}
}
