package printing_test

import (
	"bytes"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/multi/qrcode"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web/printing"
)

// render prints the PDF the way a printer driver would see it (pdftoppm)
// and returns the page images.
func render(t *testing.T, pdf []byte) []image.Image {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftoppm is missing (Debian package poppler-utils); .ci/test installs it")
		}
		t.Skip("pdftoppm not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "cards.pdf")
	os.WriteFile(in, pdf, 0o600)
	if out, err := exec.Command("pdftoppm", "-r", "200", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	var imgs []image.Image
	for _, p := range pages {
		f, _ := os.Open(p)
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	return imgs
}

func decodeAll(t *testing.T, img image.Image) []string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	results, err := qrcode.NewQRCodeMultiReader().DecodeMultiple(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	var out []string
	for _, r := range results {
		out = append(out, r.GetText())
	}
	return out
}

func faces(n int) []printing.CardFace {
	var fs []printing.CardFace
	for i := 0; i < n; i++ {
		fs = append(fs, printing.CardFace{Token: store.NewToken(), CheckCode: "ABC234", Nickname: "Олена <b>", OrgName: "OCMW Antwerpen"})
	}
	return fs
}

func TestSingleCardDecodesToItsToken(t *testing.T) {
	f := faces(1)
	var buf bytes.Buffer
	if err := printing.WriteCardsPDF(&buf, f, printing.Single); err != nil {
		t.Fatal(err)
	}
	imgs := render(t, buf.Bytes())
	if len(imgs) != 1 {
		t.Fatalf("want one page, got %d", len(imgs))
	}
	b := imgs[0].Bounds()
	if b.Dx() <= b.Dy() {
		t.Fatalf("a card is landscape, got %dx%d", b.Dx(), b.Dy())
	}
	if got := decodeAll(t, imgs[0]); len(got) != 1 || got[0] != f[0].Token {
		t.Fatalf("QR decodes to %v, want %s", got, f[0].Token)
	}
}

func TestA4SheetHoldsTenCardsPerPage(t *testing.T) {
	f := faces(12)
	var buf bytes.Buffer
	if err := printing.WriteCardsPDF(&buf, f, printing.SheetA4); err != nil {
		t.Fatal(err)
	}
	imgs := render(t, buf.Bytes())
	if len(imgs) != 2 {
		t.Fatalf("12 cards: want 2 pages, got %d", len(imgs))
	}
	want := map[string]bool{}
	for _, x := range f {
		want[x.Token] = true
	}
	seen := 0
	for _, img := range imgs {
		for _, tok := range decodeAll(t, img) {
			if !want[tok] {
				t.Fatalf("unexpected QR content %q", tok)
			}
			delete(want, tok)
			seen++
		}
	}
	if seen != 12 || len(want) != 0 {
		t.Fatalf("decoded %d of 12 cards; missing %d", seen, len(want))
	}
}

func TestTextIsPrintedAsTyped(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	var buf bytes.Buffer
	f := []printing.CardFace{{Token: store.NewToken(), CheckCode: "ABC234", Nickname: `<script>x</script>`, OrgName: "CPAS"}}
	if err := printing.WriteCardsPDF(&buf, f, printing.Single); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<script>x</script>", "ABC 234", "CPAS"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("card text lacks %q:\n%s", want, out)
		}
	}
	// An Arabic name prints in its own letters, and reads back as typed.
	buf.Reset()
	f = []printing.CardFace{{Token: store.NewToken(), CheckCode: "ABC234", Nickname: "أمينة", OrgName: "CPAS"}}
	if err := printing.WriteCardsPDF(&buf, f, printing.Single); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command("pdftotext", "-", "-")
	cmd.Stdin = &buf
	if out, _ := cmd.Output(); !strings.Contains(string(out), "أمينة") || !strings.Contains(string(out), "ABC 234") {
		t.Errorf("arabic card text:\n%s", out)
	}
	if err := printing.WriteCardsPDF(&buf, nil, printing.Single); err == nil {
		t.Error("an empty card list should be refused")
	}
}
