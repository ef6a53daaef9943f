package printing

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"math"
	"regexp"
	"sync"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"

	"github.com/drempel/drempel/web/static/pictograms"
)

// This file puts the kiosk's pictograms (OpenMoji colour SVGs, package
// web/static/pictograms) on paper, so that a member who cannot read sees
// what they borrowed, when to bring it back and whom to call. Each is
// rasterised at pictoDPI by oksvg and rasterx and embedded as an RGB
// image with an alpha mask; a sheet of receipts rasterises each
// pictogram at each size once.

// pictoDPI is the resolution pictograms are drawn at: as fine as a
// laser printer's halftone shows, a few kilobytes per pictogram.
const pictoDPI = 300

// raster is a pictogram ready for the PDF: its colours and its alpha,
// each zlib-compressed, 8 bits per component, rows top to bottom.
type raster struct {
	key        string
	w, h       int // pixels
	rgb, alpha []byte
}

type rasterEntry struct {
	once sync.Once
	r    *raster
	err  error
}

// rasters caches rasterised pictograms by name and size in pixels, for
// every document of the process.
var rasters sync.Map // string → *rasterEntry

// hasPictogram reports whether a pictogram called name exists.
func hasPictogram(name string) bool {
	_, ok := pictograms.SVG(name)
	return ok
}

// pictogram returns the pictogram called name rasterised to fit a square
// of mm millimetres; ok is false when there is no such pictogram.
func pictogram(name string, mm float64) (r *raster, ok bool, err error) {
	svg, ok := pictograms.SVG(name)
	if !ok {
		return nil, false, nil
	}
	px := max(1, int(math.Ceil(mm/25.4*pictoDPI)))
	key := fmt.Sprintf("%s@%d", name, px)
	e, _ := rasters.LoadOrStore(key, &rasterEntry{})
	entry := e.(*rasterEntry)
	entry.once.Do(func() {
		entry.r, entry.err = rasterise(svg, px)
		if entry.err != nil {
			entry.err = fmt.Errorf("pictogram %s: %w", name, entry.err)
		} else {
			entry.r.key = key
		}
	})
	return entry.r, true, entry.err
}

// oneArgScale finds scale(s) with one factor, which oksvg reads as a
// scale of s by 0 (it drops the element) instead of s by s.
var oneArgScale = regexp.MustCompile(`scale\(\s*([-+0-9.eE]+)\s*\)`)

// rasterise draws an SVG to fit a square of px pixels, keeping its
// aspect ratio.
func rasterise(svg []byte, px int) (*raster, error) {
	svg = oneArgScale.ReplaceAll(svg, []byte("scale($1 $1)"))
	icon, err := oksvg.ReadIconStream(bytes.NewReader(svg), oksvg.StrictErrorMode)
	if err != nil {
		return nil, err
	}
	vb := icon.ViewBox
	if !(vb.W > 0 && vb.H > 0) {
		return nil, fmt.Errorf("no viewBox")
	}
	scale := float64(px) / max(vb.W, vb.H)
	w, h := max(1, int(math.Round(vb.W*scale))), max(1, int(math.Round(vb.H*scale)))
	icon.SetTarget(0, 0, float64(w), float64(h))
	// oksvg strokes every line as wide as the SVG says in pixels,
	// whatever the scale: make the widths (and dashes) scale with the
	// drawing, as a browser does. (A transform on an element inside is
	// still not applied to its stroke width: OpenMoji's transforms turn
	// or mirror, they rarely scale.)
	for i := range icon.SVGPaths {
		p := &icon.SVGPaths[i]
		p.LineWidth *= scale
		p.DashOffset *= scale
		if p.Dash != nil {
			dash := make([]float64, len(p.Dash))
			for j, d := range p.Dash {
				dash[j] = d * scale
			}
			p.Dash = dash
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	scanner := rasterx.NewScannerGV(w, h, img, img.Bounds())
	icon.Draw(rasterx.NewDasher(w, h, scanner), 1)

	// image.RGBA is premultiplied; a PDF image with a soft mask is not.
	rgb := make([]byte, 0, 3*w*h)
	alpha := make([]byte, 0, w*h)
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := 0; x < w; x++ {
			r, g, b, a := row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]
			if a == 0 {
				r, g, b = 255, 255, 255
			} else if a < 255 {
				r, g, b = unpremultiply(r, a), unpremultiply(g, a), unpremultiply(b, a)
			}
			rgb = append(rgb, r, g, b)
			alpha = append(alpha, a)
		}
	}
	return &raster{w: w, h: h, rgb: deflate(rgb), alpha: deflate(alpha)}, nil
}

func unpremultiply(c, a uint8) uint8 {
	return uint8(min(255, (int(c)*255+int(a)/2)/int(a)))
}

func deflate(data []byte) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(data)
	zw.Close()
	return z.Bytes()
}

// icon draws the pictogram called name centred in a square of size
// millimetres whose top left corner is at x, y. A name with no
// pictogram draws nothing.
func (p *printout) icon(pg *pdfPage, name string, x, y, size float64) error {
	r, ok, err := pictogram(name, size)
	if err != nil || !ok {
		return err
	}
	w, h := size, size
	if r.w > r.h {
		h = size * float64(r.h) / float64(r.w)
	} else if r.h > r.w {
		w = size * float64(r.w) / float64(r.h)
	}
	pg.image(p.doc.image(r), x+(size-w)/2, y+(size-h)/2, w, h)
	return nil
}
