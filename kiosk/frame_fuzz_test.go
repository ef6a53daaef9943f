package kiosk_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// frameSeeds are pictures at the edges of what the decoder takes: tiny
// ones, ones at the size limit and just over it, ones whose header claims
// far more than the file holds, and a card.
func frameSeeds(t testing.TB, token string) [][]byte {
	encPNG := func(m image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, m); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	encJPEG := func(m image.Image) []byte {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 50}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	// claim rewrites a PNG's header to claim w×h pixels.
	claimPNG := func(b []byte, w, h uint32) []byte {
		b = bytes.Clone(b)
		binary.BigEndian.PutUint32(b[16:], w)
		binary.BigEndian.PutUint32(b[20:], h)
		binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
		return b
	}
	// claimJPEG rewrites a baseline JPEG's frame header (SOF0) likewise.
	claimJPEG := func(b []byte, w, h uint16) []byte {
		b = bytes.Clone(b)
		i := bytes.Index(b, []byte{0xFF, 0xC0})
		binary.BigEndian.PutUint16(b[i+5:], h)
		binary.BigEndian.PutUint16(b[i+7:], w)
		return b
	}
	qr, err := qrcode.Encode(token, qrcode.Low, 140)
	if err != nil {
		t.Fatal(err)
	}
	qrImg, err := png.Decode(bytes.NewReader(qr))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := kiosk.DecodeQR(qr); !ok || got != token {
		t.Fatalf("the card's seed reads as %q, %v", got, ok)
	}
	dot := encPNG(image.NewGray(image.Rect(0, 0, 1, 1)))
	small := encJPEG(image.NewGray(image.Rect(0, 0, 16, 16)))
	var g bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black, color.White})
	if err := gif.Encode(&g, pal, nil); err != nil {
		t.Fatal(err)
	}
	bigGIF := bytes.Clone(g.Bytes())
	binary.LittleEndian.PutUint16(bigGIF[6:], 65535)
	binary.LittleEndian.PutUint16(bigGIF[8:], 65535)
	return [][]byte{
		nil, []byte("not an image"), []byte("\x89PNG\r\n\x1a\n"), []byte("\xff\xd8\xff"),
		qr, encJPEG(qrImg), dot, small, g.Bytes(), bigGIF,
		claimPNG(dot, 40000, 40000), claimPNG(dot, kiosk.MaxFrameSide+1, 1), claimPNG(dot, 1, kiosk.MaxFrameSide+1),
		claimPNG(dot, kiosk.MaxFrameSide, kiosk.MaxFrameSide), claimPNG(dot, 0, 0), claimPNG(dot, 1<<31, 1<<31),
		claimJPEG(small, 65535, 65535), claimJPEG(small, kiosk.MaxFrameSide+1, 16), claimJPEG(small, kiosk.MaxFrameSide, kiosk.MaxFrameSide),
		encPNG(image.NewRGBA64(image.Rect(0, 0, 1, kiosk.MaxFrameSide))),
	}
}

// A camera frame is any bytes anyone on the kiosk's network uploads. The
// decoder never panics (a panic in its worker would stop the server), a
// picture that claims more than MaxFrameSide pixels a side is refused
// before it is decoded, whatever its header says (so a small file cannot
// take the machine's memory), decoding takes bounded time and memory, and
// the answer is {} or {"token": "…"}, never anything else.
func FuzzCameraFrame(f *testing.F) {
	st := storetest.Open(f, "sqlite")
	_, m := seed(f, st, "Jan", "nl")
	app := newKiosk(f, st)
	for _, s := range frameSeeds(f, m.Card.Token) {
		f.Add(s)
	}
	grown := func(do func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		do()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	f.Fuzz(func(t *testing.T, img []byte) {
		cfg, _, cerr := image.DecodeConfig(bytes.NewReader(img))
		fits := cerr == nil && cfg.Width >= 1 && cfg.Height >= 1 && cfg.Width <= kiosk.MaxFrameSide && cfg.Height <= kiosk.MaxFrameSide
		var text string
		var found bool
		start := time.Now()
		alloc := grown(func() { text, found = kiosk.DecodeQR(img) })
		took := time.Since(start)
		// Reading a header takes little; decoding a picture the size
		// allowed takes its pixels a few times over (a 16-bit RGBA copy,
		// the brightness, the binarised bits) and no more.
		limit := uint64(1<<20 + 16*len(img))
		if fits {
			limit += 32 * uint64(cfg.Width) * uint64(cfg.Height)
		}
		switch {
		case !fits && found:
			t.Fatalf("a frame of %d×%d (%v) was decoded", cfg.Width, cfg.Height, cerr)
		case alloc > limit:
			t.Fatalf("a frame of %d bytes, %d×%d (%v), took %d MB to decode (limit %d MB)", len(img), cfg.Width, cfg.Height, cerr, alloc>>20, limit>>20)
		case took > 20*time.Second:
			t.Fatalf("a frame of %d bytes, %d×%d, took %v to decode", len(img), cfg.Width, cfg.Height, took)
		}

		// Through the kiosk: each frame from a new screen, so that the
		// limit of frames a second never answers instead.
		c := webtest.NewClient(t, app)
		c.Get("/kiosk/camera")
		var r webtest.Response
		alloc = grown(func() { r = c.Upload("/kiosk/scan-image", "frame", "frame.jpg", img) })
		if !fits && alloc > 4<<20+16*uint64(len(img)) {
			t.Fatalf("the kiosk took %d MB for a frame of %d×%d it refuses", alloc>>20, cfg.Width, cfg.Height)
		}
		if r.Status != 200 {
			t.Fatalf("frame of %d bytes: %d %s", len(img), r.Status, r.Body)
		}
		var answer map[string]any
		if err := json.Unmarshal([]byte(r.Body), &answer); err != nil {
			t.Fatalf("the answer is no JSON object: %q", r.Body)
		}
		if tok, ok := answer["token"]; len(answer) > 1 || (len(answer) == 1 && !ok) {
			t.Fatalf("the answer is %s", r.Body)
		} else if ok && (!found || tok != text) {
			// The decoder is deterministic: the kiosk reads what DecodeQR
			// reads (it may also give up waiting, and answer {}).
			t.Fatalf("the kiosk read %q, DecodeQR %q (%v)", tok, text, found)
		}
	})
}
