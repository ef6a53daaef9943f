package printing

import (
	"bytes"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/math/fixed"

	"github.com/drempel/drempel/web/fonts"
)

// This file sets text: it picks a font for every run of a string (Noto
// Sans for Latin, Greek and Cyrillic, Noto Sans Arabic for Arabic,
// Persian and Dari, Noto Sans Ethiopic for Tigrinya, Go Mono for tags
// and check codes), orders right-to-left and mixed text by the Unicode
// bidi algorithm, shapes it with go-text's HarfBuzz port (Arabic joining,
// ligatures, marks) and wraps it into lines of a given width.

// fontFile is a parsed font file, shared by all documents (a *font.Font
// is safe for concurrent use; the Faces made from it are not).
type fontFile struct {
	name string // PostScript-style name for the PDF
	data []byte
	font *font.Font
}

type fontFiles struct {
	sans, arabic, ethiopic [2]*fontFile // regular, bold
	mono                   *fontFile
}

var loadFonts = sync.OnceValues(func() (*fontFiles, error) {
	load := func(name string, data []byte) (*fontFile, error) {
		face, err := font.ParseTTF(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("font %s: %w", name, err)
		}
		return &fontFile{name: name, data: data, font: face.Font}, nil
	}
	embedded := func(file, name string) (*fontFile, error) {
		data, err := fs.ReadFile(fonts.FS, file)
		if err != nil {
			return nil, err
		}
		return load(name, data)
	}
	var ff fontFiles
	var err error
	for _, f := range []struct {
		dst        **fontFile
		file, name string
	}{
		{&ff.sans[0], "NotoSans_400Regular.ttf", "NotoSans-Regular"},
		{&ff.sans[1], "NotoSans_700Bold.ttf", "NotoSans-Bold"},
		{&ff.arabic[0], "NotoSansArabic_400Regular.ttf", "NotoSansArabic-Regular"},
		{&ff.arabic[1], "NotoSansArabic_700Bold.ttf", "NotoSansArabic-Bold"},
		{&ff.ethiopic[0], "NotoSansEthiopic_400Regular.ttf", "NotoSansEthiopic-Regular"},
		{&ff.ethiopic[1], "NotoSansEthiopic_700Bold.ttf", "NotoSansEthiopic-Bold"},
	} {
		if *f.dst, err = embedded(f.file, f.name); err != nil {
			return nil, err
		}
	}
	if ff.mono, err = load("GoMono-Bold", gomonobold.TTF); err != nil {
		return nil, err
	}
	return &ff, nil
})

// style is how a piece of text is set.
type style struct {
	size  float64 // points
	bold  bool
	mono  bool // Go Mono Bold for tags and check codes, whatever bold says
	color rgb
}

// textDir is a paragraph's base direction.
type textDir int

const (
	dirAuto textDir = iota // from the first strong letter
	dirLTR
	dirRTL
)

// parseDir reads "rtl" or "ltr" (an HTML dir attribute); anything else is
// dirAuto.
func parseDir(s string) textDir {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "rtl":
		return dirRTL
	case "ltr":
		return dirLTR
	}
	return dirAuto
}

// resolve gives the paragraph direction of s: the first strong letter's
// direction when d is auto, else d; fallback for text with no letters.
func (d textDir) resolve(s string, fallback textDir) textDir {
	if d != dirAuto {
		return d
	}
	for _, r := range s {
		if isRTL(r) {
			return dirRTL
		}
		if unicode.IsLetter(r) {
			return dirLTR
		}
	}
	if fallback == dirAuto {
		return dirLTR
	}
	return fallback
}

// isRTL reports whether r is a letter of a right-to-left script.
func isRTL(r rune) bool {
	return unicode.IsLetter(r) && unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko)
}

// align is where lines sit in their box: at the paragraph's start (left
// for left-to-right text, right for right-to-left), centred, or at its end.
type align int

const (
	alignStart align = iota
	alignCenter
	alignEnd
)

// typesetter holds one document's faces and shaping state.
type typesetter struct {
	doc     *pdfDoc
	files   *fontFiles
	lang    language.Language
	faces   map[*fontFile]*fontFace
	byFace  map[*font.Face]*fontFace
	shaper  shaping.HarfbuzzShaper
	seg     shaping.Segmenter
	wrapper shaping.LineWrapper
}

// fontFace is one font file as used in one document.
type fontFace struct {
	file *fontFile
	face *font.Face
	pdf  *pdfFont // made when the first glyph is drawn
}

func newTypesetter(doc *pdfDoc, lang string) (*typesetter, error) {
	files, err := loadFonts()
	if err != nil {
		return nil, err
	}
	ts := &typesetter{doc: doc, files: files, faces: map[*fontFile]*fontFace{}, byFace: map[*font.Face]*fontFace{}}
	if lang != "" {
		ts.lang = language.NewLanguage(lang)
	}
	return ts, nil
}

func (ts *typesetter) face(f *fontFile) *fontFace {
	if ff, ok := ts.faces[f]; ok {
		return ff
	}
	ff := &fontFace{file: f, face: font.NewFace(f.font)}
	ts.faces[f] = ff
	ts.byFace[ff.face] = ff
	return ff
}

// fontmap picks the face for each rune: the face of the rune's script,
// else the face of the run's script for digits, spaces and punctuation,
// else the first face that has the glyph.
type fontmap struct {
	ts     *typesetter
	st     style
	script language.Script
}

func (m *fontmap) SetScript(s language.Script) { m.script = s }

func (m *fontmap) ResolveFace(r rune) *font.Face {
	b := 0
	if m.st.bold || m.st.mono {
		b = 1
	}
	f := m.ts.files
	sans, arabic, ethiopic := f.sans[b], f.arabic[b], f.ethiopic[b]
	var order []*fontFile
	script := language.LookupScript(r)
	if script == language.Common || script == language.Inherited {
		script = m.script
	}
	switch script {
	case language.Arabic:
		order = []*fontFile{arabic, sans, ethiopic}
	case language.Ethiopic:
		order = []*fontFile{ethiopic, sans, arabic}
	default:
		order = []*fontFile{sans, arabic, ethiopic}
		if m.st.mono {
			order = append([]*fontFile{f.mono}, order...)
		}
	}
	// Last, the mono font: the Noto faces lack a few signs the masked
	// figures print ("≥ 5"), which Go Mono has.
	if !m.st.mono {
		order = append(order, f.mono)
	}
	for _, file := range order {
		ff := m.ts.face(file)
		if _, ok := ff.face.NominalGlyph(r); ok {
			return ff.face
		}
	}
	return m.ts.face(order[0]).face
}

// shapeScale is how finely text is positioned: shaping works in
// hundredths of a point.
const shapeScale = 100

func toPt(v fixed.Int26_6) float64 { return float64(v) / 64 / shapeScale }

// textBlock is a paragraph (or several) set in lines.
type textBlock struct {
	lines  []textLine
	width  float64 // millimetres: the widest line
	height float64 // millimetres
}

type textLine struct {
	text    []rune
	runs    []shaping.Output // in visual order, left to right
	dir     textDir
	size    float64 // points
	color   rgb
	width   float64 // points
	ascent  float64 // points above the baseline
	descent float64 // points below the baseline (positive)
}

func (l textLine) height() float64 { return (l.ascent + l.descent) / ptPerMM }

// layout sets s in lines at most width millimetres wide (no wrapping when
// width is 0). Each line of s is its own paragraph.
func (ts *typesetter) layout(s string, st style, width float64, dir textDir) *textBlock {
	b := &textBlock{}
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ").Replace(s)
	for _, para := range strings.Split(s, "\n") {
		for _, l := range ts.layoutParagraph(para, st, width, dir) {
			b.lines = append(b.lines, l)
			b.width = max(b.width, l.width/ptPerMM)
			b.height += l.height()
		}
	}
	return b
}

func (ts *typesetter) layoutParagraph(s string, st style, width float64, dir textDir) []textLine {
	runes := []rune(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
	d := dir.resolve(s, dirLTR)
	direction := di.DirectionLTR
	if d == dirRTL {
		direction = di.DirectionRTL
	}
	size := fixed.I(int(math.Round(st.size * shapeScale)))
	if len(runes) == 0 {
		// An empty paragraph still takes a line's height.
		ff := ts.face(ts.files.sans[0])
		ext, _ := ff.face.FontHExtents()
		em := st.size / float64(ff.face.Upem())
		return []textLine{{dir: d, size: st.size, color: st.color, ascent: float64(ext.Ascender) * em, descent: -float64(ext.Descender) * em}}
	}
	in := shaping.Input{Text: runes, RunStart: 0, RunEnd: len(runes), Direction: direction, Size: size, Language: ts.lang}
	fm := &fontmap{ts: ts, st: st}
	var outs []shaping.Output
	for _, run := range ts.seg.Split(in, fm) {
		outs = append(outs, ts.shaper.Shape(run))
	}
	maxWidth := fixed.Int26_6(math.MaxInt32)
	if width > 0 {
		maxWidth = fixed.Int26_6(pt(width) * shapeScale * 64)
	}
	wrapped, _ := ts.wrapper.WrapParagraphF(shaping.WrapConfig{Direction: direction}, maxWidth, runes, shaping.NewSliceIterator(outs))
	var lines []textLine
	for _, wl := range wrapped {
		l := textLine{text: runes, dir: d, size: st.size, color: st.color}
		l.runs = make([]shaping.Output, len(wl))
		trimTrailingSpace(runes, wl)
		for _, run := range wl {
			l.runs[run.VisualIndex] = run
			l.width += toPt(run.Advance)
			l.ascent = max(l.ascent, toPt(run.LineBounds.Ascent))
			l.descent = max(l.descent, -toPt(run.LineBounds.Descent))
		}
		lines = append(lines, l)
	}
	return lines
}

// trimTrailingSpace takes the width out of the spaces a line ends with
// in reading order, wherever the bidi algorithm put them, so that the
// line aligns on its letters (the wrapper only trims the visually last
// glyph, which in a right-to-left line with a Latin word at its end is a
// letter).
func trimTrailingSpace(text []rune, line shaping.Line) {
	end := 0
	for _, run := range line {
		end = max(end, run.Runes.Offset+run.Runes.Count)
	}
	last := end - 1
	for last >= 0 && unicode.IsSpace(text[last]) {
		last--
	}
	for i := range line {
		changed := false
		for j := range line[i].Glyphs {
			if g := &line[i].Glyphs[j]; g.ClusterIndex > last && g.Advance != 0 {
				g.Advance, g.XAdvance = 0, 0
				changed = true
			}
		}
		if changed {
			line[i].RecomputeAdvance()
		}
	}
}

// fit sets s in at most maxLines lines of width millimetres and at most
// height millimetres (0: any), shrinking the type from st.size down to
// minSize, and cutting the text with an ellipsis if even that is not
// enough.
func (ts *typesetter) fit(s string, st style, width, height float64, maxLines int, minSize float64, dir textDir) *textBlock {
	if b, ok := ts.shrink(s, st, width, height, maxLines, minSize, dir); ok {
		return b
	}
	// Still too long at the smallest size: keep as much as fits.
	st.size = minSize
	runes := []rune(s)
	lo, hi := 0, len(runes)
	for lo < hi {
		m := (lo + hi + 1) / 2
		if fits(ts.layout(strings.TrimSpace(string(runes[:m]))+"…", st, width, dir), width, height, maxLines) {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return ts.layout(strings.TrimSpace(string(runes[:lo]))+"…", st, width, dir)
}

// fitShort sets a short text, a nickname or a tag, on one line if it
// fits there at oneLineMin points or more, else as fit does.
func (ts *typesetter) fitShort(s string, st style, width, height, oneLineMin float64, maxLines int, minSize float64, dir textDir) *textBlock {
	if b, ok := ts.shrink(s, st, width, height, 1, oneLineMin, dir); ok {
		return b
	}
	return ts.fit(s, st, width, height, maxLines, minSize, dir)
}

// shrink is fit without the ellipsis: ok is false if s does not fit even
// at minSize.
func (ts *typesetter) shrink(s string, st style, width, height float64, maxLines int, minSize float64, dir textDir) (*textBlock, bool) {
	var b *textBlock
	for size := st.size; ; size -= 0.5 {
		st.size = max(size, minSize)
		b = ts.layout(s, st, width, dir)
		if fits(b, width, height, maxLines) {
			return b, true
		}
		if st.size <= minSize {
			return b, false
		}
	}
}

func fits(b *textBlock, width, height float64, maxLines int) bool {
	return len(b.lines) <= maxLines && (height <= 0 || b.height <= height+1e-6) && b.width <= width+1e-6
}

// draw draws the block with its top at y, in a box of the given width
// starting at x (millimetres).
func (ts *typesetter) draw(p *pdfPage, b *textBlock, x, y, width float64, a align) {
	for _, l := range b.lines {
		ts.drawLine(p, l, x, y, width, a)
		y += l.height()
	}
}

// drawLine draws one line with its top at y.
func (ts *typesetter) drawLine(p *pdfPage, l textLine, x, y, width float64, a align) {
	left := pt(x)
	room := pt(width) - l.width
	switch {
	case a == alignCenter:
		left += room / 2
	case (a == alignStart) == (l.dir == dirRTL):
		left += room
	}
	baseline := pt(p.h-y) - l.ascent

	// Place every glyph of the line, left to right.
	type glyph struct {
		ff      *fontFace
		gid     uint16
		text    string
		x, y    float64 // where it is drawn
		pen     float64 // where its advance starts
		adv     float64
		width   float64 // the width a text extractor gets
		endsRun bool
	}
	var gs []glyph
	pen := left
	for _, run := range l.runs {
		ff := ts.byFace[run.Face]
		if ff == nil || len(run.Glyphs) == 0 {
			continue
		}
		rtl := run.Direction.Progression() == di.TowardTopLeft
		for i, g := range run.Glyphs {
			adv := toPt(g.Advance)
			gs = append(gs, glyph{ff: ff, gid: uint16(g.GlyphID), text: glyphText(l.text, run.Glyphs, i, rtl),
				x: pen + toPt(g.XOffset), y: baseline + toPt(g.YOffset), pen: pen, adv: adv})
			pen += adv
		}
		gs[len(gs)-1].endsRun = true
	}
	// A text extractor boxes each letter from where it is drawn to there
	// plus its width. Kerning and mark positioning draw some glyphs a
	// little off their advance, so each width runs to where the next
	// spacing glyph is drawn: the boxes tile the line and never overlap.
	// Marks (no advance) get no width.
	for i := range gs {
		if gs[i].adv == 0 {
			continue
		}
		end := gs[i].pen + gs[i].adv
		for j := i + 1; j < len(gs); j++ {
			if gs[j].adv != 0 {
				end = gs[j].x
				break
			}
		}
		gs[i].width = max(0, end-gs[i].x)
	}
	var run []placedGlyph
	for i, g := range gs {
		if g.ff.pdf == nil {
			g.ff.pdf = ts.doc.newFont(g.ff.file.name, g.ff.file.data, g.ff.face)
		}
		cid := g.ff.pdf.cid(g.gid, g.text, int(math.Round(g.width/l.size*1000)))
		run = append(run, placedGlyph{x: g.x, y: g.y, cid: cid})
		if g.endsRun || i == len(gs)-1 {
			p.glyphRun(g.ff.pdf, l.size, l.color, run)
			run = run[:0]
		}
	}
}

// glyphText is the text glyph i stands for: its cluster's letters on the
// cluster's first glyph in reading order, nothing on the others (a letter
// the font draws as base and mark, say).
func glyphText(text []rune, glyphs []shaping.Glyph, i int, rtl bool) string {
	g := glyphs[i]
	first := i
	if rtl {
		// Glyphs are in visual order: the cluster's first in reading
		// order is its rightmost.
		for first+1 < len(glyphs) && glyphs[first+1].ClusterIndex == g.ClusterIndex {
			first++
		}
	} else {
		for first > 0 && glyphs[first-1].ClusterIndex == g.ClusterIndex {
			first--
		}
	}
	if first != i {
		return ""
	}
	end := min(g.ClusterIndex+max(g.RuneCount, 1), len(text))
	if g.ClusterIndex < 0 || g.ClusterIndex >= end {
		return ""
	}
	return string(text[g.ClusterIndex:end])
}
