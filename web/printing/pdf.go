package printing

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/go-text/typesetting/font"
)

// This file writes PDF: pages of vector drawing, shaped glyphs and
// images (the pictograms of picto.go, each stored once per document). The
// glyphs come from the shaper (text.go) as glyph ids with the text they
// stand for; every distinct (glyph, text, advance) gets its own character
// id in the PDF, so that the ToUnicode map gives a reader, pdftotext or a
// screen reader back exactly the letters that were typed, even for
// Arabic's joined forms and ligatures, which a font's own cmap cannot
// name. The embedded fonts are cut down to the glyphs used.

const ptPerMM = 72 / 25.4

// pdfDoc is one PDF being built. It is not safe for concurrent use; every
// Write…PDF call makes its own.
type pdfDoc struct {
	title  string
	lang   string
	pages  []*pdfPage
	fonts  []*pdfFont
	images []*pdfImage
}

// pdfPage is one page; coordinates given to its methods are millimetres
// from the top left corner.
type pdfPage struct {
	w, h float64 // millimetres
	buf  bytes.Buffer
}

func newPDFDoc(title string) *pdfDoc { return &pdfDoc{title: title} }

func (d *pdfDoc) addPage(w, h float64) *pdfPage {
	p := &pdfPage{w: w, h: h}
	d.pages = append(d.pages, p)
	return p
}

// pt turns millimetres into points.
func pt(mm float64) float64 { return mm * ptPerMM }

// num writes a number the short way PDF likes.
func num(f float64) string {
	if math.Abs(f) < 0.00005 {
		return "0"
	}
	s := fmt.Sprintf("%.4f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

type rgb [3]uint8

var (
	black  = rgb{20, 20, 20}
	grey   = rgb{90, 90, 90}
	mid    = rgb{70, 70, 70}
	rule   = rgb{170, 170, 170}
	green  = rgb{11, 110, 79}
	qrDark = rgb{0, 0, 0}
)

func (c rgb) fill() string {
	return fmt.Sprintf("%s %s %s rg", num(float64(c[0])/255), num(float64(c[1])/255), num(float64(c[2])/255))
}

func (c rgb) stroke() string {
	return fmt.Sprintf("%s %s %s RG", num(float64(c[0])/255), num(float64(c[1])/255), num(float64(c[2])/255))
}

// fillRect paints a rectangle.
func (p *pdfPage) fillRect(x, y, w, h float64, c rgb) {
	fmt.Fprintf(&p.buf, "%s %s %s %s %s re f\n", c.fill(), num(pt(x)), num(pt(p.h-y-h)), num(pt(w)), num(pt(h)))
}

// line strokes a straight line.
func (p *pdfPage) line(x1, y1, x2, y2, width float64, c rgb) {
	fmt.Fprintf(&p.buf, "%s %s w %s %s m %s %s l S\n", c.stroke(), num(pt(width)), num(pt(x1)), num(pt(p.h-y1)), num(pt(x2)), num(pt(p.h-y2)))
}

// roundedRect strokes a rectangle with rounded corners (a cutting line).
func (p *pdfPage) roundedRect(x, y, w, h, r, width float64, c rgb) {
	const k = 0.5523 // Bézier handle for a quarter circle
	X, Y := func(v float64) string { return num(pt(v)) }, func(v float64) string { return num(pt(p.h - v)) }
	b := &p.buf
	fmt.Fprintf(b, "%s %s w ", c.stroke(), num(pt(width)))
	fmt.Fprintf(b, "%s %s m ", X(x+r), Y(y))
	fmt.Fprintf(b, "%s %s l ", X(x+w-r), Y(y))
	fmt.Fprintf(b, "%s %s %s %s %s %s c ", X(x+w-r+k*r), Y(y), X(x+w), Y(y+r-k*r), X(x+w), Y(y+r))
	fmt.Fprintf(b, "%s %s l ", X(x+w), Y(y+h-r))
	fmt.Fprintf(b, "%s %s %s %s %s %s c ", X(x+w), Y(y+h-r+k*r), X(x+w-r+k*r), Y(y+h), X(x+w-r), Y(y+h))
	fmt.Fprintf(b, "%s %s l ", X(x+r), Y(y+h))
	fmt.Fprintf(b, "%s %s %s %s %s %s c ", X(x+r-k*r), Y(y+h), X(x), Y(y+h-r+k*r), X(x), Y(y+h-r))
	fmt.Fprintf(b, "%s %s l ", X(x), Y(y+r))
	fmt.Fprintf(b, "%s %s %s %s %s %s c S\n", X(x), Y(y+r-k*r), X(x+r-k*r), Y(y), X(x+r), Y(y))
}

// modules draws a QR code's dark modules as one filled path of squares,
// size millimetres wide: sharp at any printer resolution, with no seams
// between neighbouring modules.
func (p *pdfPage) modules(bitmap [][]bool, x, y, size float64) {
	n := len(bitmap)
	if n == 0 {
		return
	}
	m := size / float64(n)
	fmt.Fprintf(&p.buf, "%s\n", qrDark.fill())
	for row, line := range bitmap {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < len(line) && line[col] {
				col++
			}
			fmt.Fprintf(&p.buf, "%s %s %s %s re\n", num(pt(x+float64(start)*m)), num(pt(p.h-y-float64(row+1)*m)), num(pt(float64(col-start)*m)), num(pt(m)))
		}
	}
	p.buf.WriteString("f\n")
}

// glyphRun draws glyphs of one font: each at its own pen position, in
// points from the page's bottom left.
func (p *pdfPage) glyphRun(f *pdfFont, size float64, c rgb, gs []placedGlyph) {
	if len(gs) == 0 {
		return
	}
	fmt.Fprintf(&p.buf, "BT /F%d %s Tf %s\n", f.id, num(size), c.fill())
	for _, g := range gs {
		fmt.Fprintf(&p.buf, "1 0 0 1 %s %s Tm <%04X> Tj\n", num(g.x), num(g.y), g.cid)
	}
	p.buf.WriteString("ET\n")
}

// pdfImage is one image XObject of the document, drawn as often as
// needed: colours with an alpha mask (a pictogram).
type pdfImage struct {
	id int // /Im<id>
	r  *raster
}

// image returns the document's XObject for r, adding it the first time.
func (d *pdfDoc) image(r *raster) *pdfImage {
	for _, im := range d.images {
		if im.r == r {
			return im
		}
	}
	im := &pdfImage{id: len(d.images) + 1, r: r}
	d.images = append(d.images, im)
	return im
}

// image draws an image into the box of w × h millimetres whose top left
// corner is at x, y.
func (p *pdfPage) image(im *pdfImage, x, y, w, h float64) {
	fmt.Fprintf(&p.buf, "q %s 0 0 %s %s %s cm /Im%d Do Q\n", num(pt(w)), num(pt(h)), num(pt(x)), num(pt(p.h-y-h)), im.id)
}

type placedGlyph struct {
	x, y float64 // points, PDF space
	cid  uint16
}

// pdfFont is one embedded font file.
type pdfFont struct {
	id   int
	name string // PostScript name, for the PDF
	file []byte // the TrueType file
	face *font.Face
	upem float64

	cids  map[cidKey]uint16
	chars []cidKey // by cid-1
}

type cidKey struct {
	gid   uint16
	text  string
	width int // advance in thousandths of an em
}

func (d *pdfDoc) newFont(name string, file []byte, face *font.Face) *pdfFont {
	f := &pdfFont{id: len(d.fonts) + 1, name: name, file: file, face: face, upem: float64(face.Upem()), cids: map[cidKey]uint16{}}
	d.fonts = append(d.fonts, f)
	return f
}

// cid returns the character id for a glyph standing for text with the
// given advance.
func (f *pdfFont) cid(gid uint16, text string, width int) uint16 {
	k := cidKey{gid, text, width}
	if c, ok := f.cids[k]; ok {
		return c
	}
	if len(f.chars) >= 0xFFFE {
		// More distinct glyphs than a PDF font can number: reuse the
		// plain glyph (never in practice: a page has a few hundred).
		for c, ck := range f.chars {
			if ck.gid == gid {
				return uint16(c + 1)
			}
		}
	}
	f.chars = append(f.chars, k)
	c := uint16(len(f.chars))
	f.cids[k] = c
	return c
}

// pdfWriter numbers and writes objects.
type pdfWriter struct {
	w       io.Writer
	n       int64
	offsets []int64
	err     error
}

func (pw *pdfWriter) write(s string) {
	if pw.err != nil {
		return
	}
	m, err := io.WriteString(pw.w, s)
	pw.n += int64(m)
	pw.err = err
}

func (pw *pdfWriter) writeBytes(b []byte) {
	if pw.err != nil {
		return
	}
	m, err := pw.w.Write(b)
	pw.n += int64(m)
	pw.err = err
}

// obj writes object number id (reserved beforehand) with the given body.
func (pw *pdfWriter) obj(id int, body string) {
	pw.offsets[id] = pw.n
	pw.write(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", id, body))
}

// stream writes a compressed stream object.
func (pw *pdfWriter) stream(id int, dict string, data []byte) {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(data)
	zw.Close()
	pw.deflated(id, dict, z.Bytes())
}

// deflated writes a stream object whose data is compressed already.
func (pw *pdfWriter) deflated(id int, dict string, z []byte) {
	pw.offsets[id] = pw.n
	pw.write(fmt.Sprintf("%d 0 obj\n<<%s /Length %d /Filter /FlateDecode>>\nstream\n", id, dict, len(z)))
	pw.writeBytes(z)
	pw.write("\nendstream\nendobj\n")
}

// textString encodes s as a PDF text string (UTF-16BE with a byte order
// mark), so titles in any script survive.
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// write writes the whole document.
func (d *pdfDoc) write(w io.Writer) error {
	if len(d.pages) == 0 {
		return fmt.Errorf("pdf: no pages")
	}
	// Object numbers: 1 catalog, 2 page tree, 3 info, 4 resources, then
	// two per page, six per font and two per image.
	next := 5
	pageIDs := make([]int, len(d.pages))
	for i := range d.pages {
		pageIDs[i] = next
		next += 2
	}
	fontIDs := make([]int, len(d.fonts))
	for i := range d.fonts {
		fontIDs[i] = next
		next += 6
	}
	imageIDs := make([]int, len(d.images))
	for i := range d.images {
		imageIDs[i] = next
		next += 2
	}
	pw := &pdfWriter{w: w, offsets: make([]int64, next)}
	pw.write("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

	catalog := "<</Type /Catalog /Pages 2 0 R"
	if d.lang != "" {
		catalog += " /Lang " + textString(d.lang)
	}
	pw.obj(1, catalog+">>")
	kids := make([]string, len(pageIDs))
	for i, id := range pageIDs {
		kids[i] = fmt.Sprintf("%d 0 R", id)
	}
	pw.obj(2, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), len(pageIDs)))
	pw.obj(3, fmt.Sprintf("<</Title %s /Creator %s /Producer %s>>", textString(d.title), textString("Drempel"), textString("Drempel")))
	var fonts strings.Builder
	for i, f := range d.fonts {
		fmt.Fprintf(&fonts, " /F%d %d 0 R", f.id, fontIDs[i])
	}
	resources := fmt.Sprintf("<</ProcSet [/PDF /Text] /Font <<%s>>", fonts.String())
	if len(d.images) > 0 {
		resources = fmt.Sprintf("<</ProcSet [/PDF /Text /ImageC] /Font <<%s>> /XObject <<", fonts.String())
		for i, im := range d.images {
			resources += fmt.Sprintf(" /Im%d %d 0 R", im.id, imageIDs[i])
		}
		resources += ">>"
	}
	pw.obj(4, resources+">>")
	for i, p := range d.pages {
		id := pageIDs[i]
		pw.obj(id, fmt.Sprintf("<</Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources 4 0 R /Contents %d 0 R>>", num(pt(p.w)), num(pt(p.h)), id+1))
		pw.stream(id+1, "", p.buf.Bytes())
	}
	for i, f := range d.fonts {
		if err := f.write(pw, fontIDs[i]); err != nil {
			return err
		}
	}
	for i, im := range d.images {
		id, r := imageIDs[i], im.r
		pw.deflated(id, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /SMask %d 0 R", r.w, r.h, id+1), r.rgb)
		pw.deflated(id+1, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", r.w, r.h), r.alpha)
	}
	xref := pw.n
	pw.write(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", next))
	for _, off := range pw.offsets[1:] {
		pw.write(fmt.Sprintf("%010d 00000 n \n", off))
	}
	pw.write(fmt.Sprintf("trailer\n<</Size %d /Root 1 0 R /Info 3 0 R>>\nstartxref\n%d\n%%%%EOF\n", next, xref))
	return pw.err
}

// write writes the font's six objects from id on: the Type0 font, its
// CID font, the descriptor, the font file, the CID to glyph map and the
// ToUnicode map.
func (f *pdfFont) write(pw *pdfWriter, id int) error {
	used := map[uint16]bool{}
	for _, k := range f.chars {
		used[k.gid] = true
	}
	sub, err := subsetTrueType(f.file, used)
	if err != nil {
		return fmt.Errorf("font %s: %w", f.name, err)
	}
	// A subset font's name carries a tag of six capitals.
	tag := subsetTag(f.name, f.chars)
	name := tag + "+" + f.name

	pw.obj(id, fmt.Sprintf("<</Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>", name, id+1, id+5))

	var widths strings.Builder
	for i, k := range f.chars {
		fmt.Fprintf(&widths, "%d [%d] ", i+1, k.width)
	}
	pw.obj(id+1, fmt.Sprintf("<</Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /FontDescriptor %d 0 R /DW 0 /W [%s] /CIDToGIDMap %d 0 R>>",
		name, id+2, widths.String(), id+4))

	ext, _ := f.face.FontHExtents()
	scale := 1000 / f.upem
	bbox := fontBBox(f.file)
	pw.obj(id+2, fmt.Sprintf("<</Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R>>",
		name, int(float64(bbox[0])*scale), int(float64(bbox[1])*scale), int(float64(bbox[2])*scale), int(float64(bbox[3])*scale),
		int(math.Round(float64(ext.Ascender)*scale)), int(math.Round(float64(ext.Descender)*scale)), int(math.Round(float64(ext.Ascender)*scale*0.7)), id+3))

	pw.stream(id+3, fmt.Sprintf(" /Length1 %d", len(sub)), sub)

	cidToGID := make([]byte, 2*(len(f.chars)+1))
	for i, k := range f.chars {
		binary.BigEndian.PutUint16(cidToGID[2*(i+1):], k.gid)
	}
	pw.stream(id+4, "", cidToGID)

	pw.stream(id+5, "", toUnicode(f.chars))
	return pw.err
}

// toUnicode writes the CMap that tells a reader which text each character
// id stands for. A glyph that carries no text of its own (the second
// glyph of a letter the shaper split in two) maps to nothing.
func toUnicode(chars []cidKey) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	type entry struct {
		cid  int
		text string
	}
	var entries []entry
	for i, k := range chars {
		if k.text != "" {
			entries = append(entries, entry{i + 1, k.text})
		}
	}
	for len(entries) > 0 {
		n := min(len(entries), 100)
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, e := range entries[:n] {
			fmt.Fprintf(&b, "<%04X> <", e.cid)
			for _, u := range utf16.Encode([]rune(e.text)) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
		entries = entries[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// subsetTag derives the six-capital subset tag from the font's contents,
// so that the same document always gets the same tag.
func subsetTag(name string, chars []cidKey) string {
	h := uint32(2166136261)
	add := func(b byte) { h ^= uint32(b); h *= 16777619 }
	for i := 0; i < len(name); i++ {
		add(name[i])
	}
	for _, k := range chars {
		add(byte(k.gid))
		add(byte(k.gid >> 8))
	}
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + byte(h%26)
		h /= 26
	}
	return string(tag)
}

// TrueType tables, read straight from the font file.

type sfntTable struct {
	tag  string
	data []byte
}

func sfntTables(file []byte) (map[string][]byte, error) {
	if len(file) < 12 {
		return nil, fmt.Errorf("not a font file")
	}
	n := int(binary.BigEndian.Uint16(file[4:]))
	if len(file) < 12+16*n {
		return nil, fmt.Errorf("truncated table directory")
	}
	tables := map[string][]byte{}
	for i := 0; i < n; i++ {
		rec := file[12+16*i:]
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(file)) {
			return nil, fmt.Errorf("table %q out of bounds", rec[:4])
		}
		tables[string(rec[:4])] = file[off : off+length]
	}
	return tables, nil
}

// fontBBox reads head's bounding box (in font units).
func fontBBox(file []byte) [4]int16 {
	t, err := sfntTables(file)
	if err != nil || len(t["head"]) < 54 {
		return [4]int16{}
	}
	h := t["head"]
	var b [4]int16
	for i := range b {
		b[i] = int16(binary.BigEndian.Uint16(h[36+2*i:]))
	}
	return b
}

// subsetTrueType returns the font with the outlines of every glyph but the
// used ones (and the glyphs those are built from) left empty. Glyph ids
// stay as they are; the tables a PDF reader needs are kept, the rest
// (shaping, names, colour) dropped.
func subsetTrueType(file []byte, used map[uint16]bool) ([]byte, error) {
	t, err := sfntTables(file)
	if err != nil {
		return nil, err
	}
	head, maxp, loca, glyf := t["head"], t["maxp"], t["loca"], t["glyf"]
	if len(head) < 54 || len(maxp) < 6 || loca == nil || glyf == nil {
		return nil, fmt.Errorf("not a TrueType outline font")
	}
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	offset := func(g int) (int, int, bool) {
		var a, b int
		if long {
			if len(loca) < 4*(g+2) {
				return 0, 0, false
			}
			a, b = int(binary.BigEndian.Uint32(loca[4*g:])), int(binary.BigEndian.Uint32(loca[4*g+4:]))
		} else {
			if len(loca) < 2*(g+2) {
				return 0, 0, false
			}
			a, b = 2*int(binary.BigEndian.Uint16(loca[2*g:])), 2*int(binary.BigEndian.Uint16(loca[2*g+2:]))
		}
		if a > b || b > len(glyf) {
			return 0, 0, false
		}
		return a, b, true
	}
	// Close over composite glyphs' components.
	keep := map[int]bool{}
	var visit func(g int)
	visit = func(g int) {
		if g >= numGlyphs || keep[g] {
			return
		}
		keep[g] = true
		a, b, ok := offset(g)
		if !ok || b-a < 10 || int16(binary.BigEndian.Uint16(glyf[a:])) >= 0 {
			return
		}
		data := glyf[a:b]
		p := 10
		for p+4 <= len(data) {
			flags := binary.BigEndian.Uint16(data[p:])
			comp := int(binary.BigEndian.Uint16(data[p+2:]))
			visit(comp)
			p += 4
			if flags&0x0001 != 0 {
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x0008 != 0:
				p += 2
			case flags&0x0040 != 0:
				p += 4
			case flags&0x0080 != 0:
				p += 8
			}
			if flags&0x0020 == 0 {
				break
			}
		}
	}
	visit(0)
	for g := range used {
		visit(int(g))
	}
	var newGlyf []byte
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := 0; g < numGlyphs; g++ {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(len(newGlyf)))
		if !keep[g] {
			continue
		}
		if a, b, ok := offset(g); ok {
			newGlyf = append(newGlyf, glyf[a:b]...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*numGlyphs:], uint32(len(newGlyf)))
	newHead := append([]byte(nil), head...)
	binary.BigEndian.PutUint32(newHead[8:], 0) // checkSumAdjustment
	binary.BigEndian.PutUint16(newHead[50:], 1)

	out := []sfntTable{{"head", newHead}, {"loca", newLoca}, {"glyf", newGlyf}}
	for _, tag := range []string{"hhea", "hmtx", "maxp", "cvt ", "fpgm", "prep", "OS/2", "name", "post"} {
		if data, ok := t[tag]; ok {
			if tag == "post" && len(data) >= 32 {
				// Keep the header only (format 3: no glyph names).
				data = append([]byte(nil), data[:32]...)
				binary.BigEndian.PutUint32(data, 0x00030000)
			}
			out = append(out, sfntTable{tag, data})
		}
	}
	return writeSFNT(out), nil
}

func writeSFNT(tables []sfntTable) []byte {
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })
	n := len(tables)
	entrySel := 0
	for 1<<(entrySel+1) <= n {
		entrySel++
	}
	search := 16 << entrySel
	var b bytes.Buffer
	hdr := make([]byte, 12)
	binary.BigEndian.PutUint32(hdr, 0x00010000)
	binary.BigEndian.PutUint16(hdr[4:], uint16(n))
	binary.BigEndian.PutUint16(hdr[6:], uint16(search))
	binary.BigEndian.PutUint16(hdr[8:], uint16(entrySel))
	binary.BigEndian.PutUint16(hdr[10:], uint16(16*n-search))
	b.Write(hdr)
	off := 12 + 16*n
	for _, t := range tables {
		rec := make([]byte, 16)
		copy(rec, t.tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(t.data))
		binary.BigEndian.PutUint32(rec[8:], uint32(off))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t.data)))
		b.Write(rec)
		off += (len(t.data) + 3) &^ 3
	}
	for _, t := range tables {
		b.Write(t.data)
		for i := len(t.data); i%4 != 0; i++ {
			b.WriteByte(0)
		}
	}
	return b.Bytes()
}

func checksum(data []byte) uint32 {
	var sum uint32
	for i := 0; i < len(data); i += 4 {
		var w [4]byte
		copy(w[:], data[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
