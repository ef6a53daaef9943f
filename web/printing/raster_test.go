package printing

import (
	"bytes"
	"compress/zlib"
	"io"
	"sync"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web/static/pictograms"
)

// inflate gives back a raster plane.
func inflate(t *testing.T, z []byte) []byte {
	t.Helper()
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ink is the share of a raster's pixels that are dark and opaque: the
// pictogram's outlines.
func ink(t *testing.T, r *raster) float64 {
	t.Helper()
	rgb, alpha := inflate(t, r.rgb), inflate(t, r.alpha)
	if len(rgb) != 3*r.w*r.h || len(alpha) != r.w*r.h {
		t.Fatalf("%s: %d colour and %d alpha bytes for %d×%d", r.key, len(rgb), len(alpha), r.w, r.h)
	}
	dark := 0
	for i, a := range alpha {
		if a > 128 && int(rgb[3*i])+int(rgb[3*i+1])+int(rgb[3*i+2]) < 3*80 {
			dark++
		}
	}
	return float64(dark) / float64(len(alpha))
}

// coverage is the share of a raster's pixels that are painted at all.
func coverage(t *testing.T, r *raster) float64 {
	t.Helper()
	painted := 0
	for _, a := range inflate(t, r.alpha) {
		if a > 128 {
			painted++
		}
	}
	return float64(painted) / float64(r.w*r.h)
}

// Every pictogram a receipt draws exists and rasterises, at 300 dpi.
func TestReceiptPictogramsRasterise(t *testing.T) {
	names := []string{"day", "call", "reminder"}
	for _, typ := range store.DeviceTypes {
		names = append(names, typePictogram(typ))
	}
	for _, name := range names {
		r, ok, err := pictogram(name, 10)
		if err != nil || !ok {
			t.Fatalf("%s: ok %v, %v", name, ok, err)
		}
		if r.w != 119 || r.h != 119 {
			t.Errorf("%s: %d×%d pixels for 10 mm, want 119×119 (300 dpi)", name, r.w, r.h)
		}
		if c := coverage(t, r); c < 0.1 {
			t.Errorf("%s: only %.0f%% painted", name, 100*c)
		}
	}
	if _, ok, err := pictogram("no-such-pictogram", 10); ok || err != nil {
		t.Errorf("an unknown pictogram: ok %v, %v", ok, err)
	}
}

// Outlines get thicker with the pictogram, as in a browser: oksvg alone
// strokes every size with the SVG's width in pixels.
func TestPictogramOutlinesScale(t *testing.T) {
	small, err := rasterise(mustSVG(t, "laptop"), 72)
	if err != nil {
		t.Fatal(err)
	}
	large, err := rasterise(mustSVG(t, "laptop"), 288)
	if err != nil {
		t.Fatal(err)
	}
	s, l := ink(t, small), ink(t, large)
	if s == 0 || l < 0.8*s || l > 1.25*s {
		t.Errorf("outlines cover %.1f%% at 72 px but %.1f%% at 288 px", 100*s, 100*l)
	}
}

// scale(s) with one factor scales both ways (oksvg alone flattens the
// group to a line): the refused card is a card with a cross.
func TestPictogramOneFactorScale(t *testing.T) {
	r, err := rasterise(mustSVG(t, "card-refused"), 144)
	if err != nil {
		t.Fatal(err)
	}
	if c := coverage(t, r); c < 0.2 {
		t.Errorf("card-refused: only %.0f%% painted", 100*c)
	}
}

// A pictogram is rasterised once per size, however many documents ask
// for it at once.
func TestPictogramsAreCached(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]*raster, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _, err := pictogram("tablet", 9.5)
			if err != nil {
				t.Error(err)
			}
			got[i] = r
		}()
	}
	wg.Wait()
	for _, r := range got[1:] {
		if r != got[0] {
			t.Fatal("the same pictogram at the same size rasterised twice")
		}
	}
	if other, _, _ := pictogram("tablet", 12); other == got[0] {
		t.Fatal("another size gave the same raster")
	}
}

func mustSVG(t *testing.T, name string) []byte {
	t.Helper()
	r, ok := pictograms.SVG(name)
	if !ok {
		t.Fatalf("no pictogram %s", name)
	}
	return r
}
