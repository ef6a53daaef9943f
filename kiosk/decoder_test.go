package kiosk

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skip2/go-qrcode"
)

func testNoise(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	rand.Read(img.Pix)
	for q := 100; q > 10; q -= 5 {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		if b.Len() <= MaxFrame {
			return b.Bytes()
		}
	}
	t.Fatal("no noise frame fits")
	return nil
}

func testCard(t testing.TB, token string) []byte {
	q, err := qrcode.New(token, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	code := q.Image(300)
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{200, 190, 170, 255}}, image.Point{}, draw.Src)
	draw.Draw(img, code.Bounds().Add(image.Pt(260, 140)), code, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Four senders keep the decoder busy with noise frames of the largest
// size taken, without a pause; a fifth holds up a card now and then, as
// a kiosk's camera page does. The card is read within 3 s, every time,
// whether the noise comes from other addresses or from the kiosk's own.
func TestFairDecoderReadsACardDuringAFlood(t *testing.T) {
	noise, card := testNoise(t), testCard(t, "3VPXVD8VEHWX9PWDCJM77EKGRW")
	for _, sameAddr := range []bool{false, true} {
		t.Run(fmt.Sprintf("same address %v", sameAddr), func(t *testing.T) {
			var decoded atomic.Int64
			d := newFrameDecoder(func(b []byte) (string, bool) { decoded.Add(1); return DecodeQR(b) }, frameCost, 1, frameWait, maxWaitingFrames, maxFramesPerAddr)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			// A failed round stops the flood too: left running, it would
			// slow every later test and make them fail in turn.
			defer func() { close(stop); wg.Wait() }()
			for i := range 4 {
				addr := fmt.Sprintf("192.0.2.%d", i+10)
				if sameAddr {
					addr = "192.0.2.1"
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						if _, ok := d.Decode(addr, fmt.Sprintf("%s|noise%d", addr, i), noise); ok {
							t.Error("noise gave a code")
						}
					}
				}()
			}
			time.Sleep(500 * time.Millisecond) // the flood is on
			before := decoded.Load()
			for round := range 5 {
				began := time.Now()
				sender := fmt.Sprintf("192.0.2.1|kiosk%d", round)
				for {
					if text, ok := d.Decode("192.0.2.1", sender, card); ok {
						if text != "3VPXVD8VEHWX9PWDCJM77EKGRW" {
							t.Fatalf("card read as %q", text)
						}
						break
					}
					if time.Since(began) > 3*time.Second {
						t.Fatalf("round %d: the card was not read within 3 s", round)
					}
					time.Sleep(400 * time.Millisecond)
				}
				t.Logf("round %d: card read after %v", round, time.Since(began).Round(time.Millisecond))
				time.Sleep(200 * time.Millisecond)
			}
			if n := decoded.Load() - before; n < 10 {
				t.Fatalf("only %d frames decoded during the rounds: no flood", n)
			} else {
				t.Logf("%d frames decoded during the rounds", n)
			}
		})
	}
}

// A newer frame from the same sender takes the older one's place; the
// older one's request hears "no code" at once. The queue is bounded, in
// all and per address.
func TestFairDecoderQueue(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var got []string
	d := newFrameDecoder(func(b []byte) (string, bool) {
		<-release
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		return string(b), true
	}, func(b []byte) int64 { return 1 }, 1, 5*time.Second, 4, 2)

	type answer struct {
		text string
		ok   bool
	}
	ask := func(addr, sender, frame string) chan answer {
		ch := make(chan answer, 1)
		go func() { text, ok := d.Decode(addr, sender, []byte(frame)); ch <- answer{text, ok} }()
		return ch
	}
	waitQueued := func(n int) {
		for range 500 {
			d.mu.Lock()
			w := d.waiting
			d.mu.Unlock()
			if w == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("never %d frames waiting", n)
	}
	busy := ask("a", "a|1", "first") // taken by the worker, which waits
	time.Sleep(20 * time.Millisecond)
	old := ask("a", "a|2", "old")
	waitQueued(1)
	newer := ask("a", "a|2", "newer")
	select {
	case r := <-old:
		if r.ok {
			t.Fatal("the replaced frame gave a code")
		}
	case <-time.After(time.Second):
		t.Fatal("the replaced frame's request still waits")
	}
	waitQueued(1)
	third := ask("a", "a|3", "third")
	waitQueued(2)
	// Address a has its two places; another address still finds room,
	// until the queue is full.
	if text, ok := d.Decode("a", "a|4", []byte("x")); ok || text != "" {
		t.Fatal("a third frame from one address was queued")
	}
	other := ask("b", "b|1", "other")
	waitQueued(3)
	close(release)
	for _, ch := range []chan answer{busy, newer, third, other} {
		if r := <-ch; !r.ok {
			t.Fatalf("a queued frame was not decoded: %+v", r)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// Address b's first frame goes before address a's second: addresses
	// take turns.
	want := []string{"first", "other", "newer", "third"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("decoded %v, want %v", got, want)
	}
}

// A code found after its request stopped waiting goes to the sender's
// next request, once.
func TestFairDecoderLateCode(t *testing.T) {
	d := newFrameDecoder(func(b []byte) (string, bool) {
		time.Sleep(150 * time.Millisecond)
		return string(b), string(b) == "card"
	}, func(b []byte) int64 { return 1 }, 1, 50*time.Millisecond, 8, 4)
	if _, ok := d.Decode("a", "a|1", []byte("card")); ok {
		t.Fatal("answered before the decoder was done")
	}
	time.Sleep(200 * time.Millisecond)
	if text, ok := d.Decode("a", "a|1", []byte("nothing")); !ok || text != "card" {
		t.Fatalf("the late code: %q %v", text, ok)
	}
	if text, ok := d.Decode("a", "a|2", []byte("nothing")); ok {
		t.Fatalf("another sender got %q", text)
	}
	time.Sleep(200 * time.Millisecond)
	if text, ok := d.Decode("a", "a|1", []byte("nothing")); ok {
		t.Fatalf("the late code came twice: %q", text)
	}
}

// A frame on which the QR library panics reads as "no code": the worker,
// out of reach of Fiber's recover, does not take the server down.
func TestDecoderSurvivesAPanic(t *testing.T) {
	d := newFrameDecoder(func(b []byte) (string, bool) {
		if string(b) == "boom" {
			panic("the QR library fell over")
		}
		return "ok", true
	}, func([]byte) int64 { return 1 }, 1, time.Second, 10, 10)
	if text, ok := d.Decode("a", "s1", []byte("boom")); ok || text != "" {
		t.Fatalf("a panicking frame: %q %v", text, ok)
	}
	if text, ok := d.Decode("a", "s2", []byte("fine")); !ok || text != "ok" {
		t.Fatalf("the next frame: %q %v", text, ok)
	}
}

// steppedDecoder decodes one frame each time the test says so, and
// records the order; a frame's cost is its length.
func steppedDecoder(wait time.Duration) (d *frameDecoder, step chan struct{}, order func() []string) {
	step = make(chan struct{})
	var mu sync.Mutex
	var got []string
	d = newFrameDecoder(func(b []byte) (string, bool) {
		<-step
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		return string(b), b[0] == 'k'
	}, func(b []byte) int64 { return int64(len(b)) }, 1, wait, 32, 8)
	return d, step, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// waitFor polls until cond holds, for frames to reach the queue.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("never %s", what)
}

// A kiosk that had a frame decoded a moment ago, in the middle of a round
// of flooding senders, still finds its next frame decoded after the one in
// hand, not after a frame of every flooding sender: on a busy machine that
// round takes seconds a frame. Its frames are small beside a flood's
// largest; the flood's senders still take their turns among themselves.
func TestFairDecoderKioskGoesBeforeTheRestOfARound(t *testing.T) {
	d, step, order := steppedDecoder(time.Minute)
	noise := func(name string) []byte { return append([]byte(name), make([]byte, 98)...) } // cost 100
	card := func(name string) []byte { return append([]byte(name), make([]byte, 18)...) }  // cost 20
	go d.Decode("n1", "n1|a", noise("n1"))                                                 // in hand
	waitFor(t, "n1 in hand", func() bool { d.mu.Lock(); defer d.mu.Unlock(); return d.running == 1 && d.waiting == 0 })
	queued := func(n int) func() bool {
		return func() bool { d.mu.Lock(); defer d.mu.Unlock(); return d.waiting == n }
	}
	// One after the other: of two equal frames, the earlier goes first.
	go d.Decode("n2", "n2|a", noise("n2"))
	waitFor(t, "n2 waiting", queued(1))
	go d.Decode("n3", "n3|a", noise("n3"))
	waitFor(t, "n3 waiting", queued(2))
	go d.Decode("k", "k|visitor1", card("k1"))
	waitFor(t, "three frames waiting", queued(3))
	step <- struct{}{} // n1 done: the kiosk's first frame is next
	waitFor(t, "k1 in hand", queued(2))
	go d.Decode("n1", "n1|a", noise("n1"))
	waitFor(t, "n1 again", queued(3))
	step <- struct{}{} // k1 done
	waitFor(t, "the next frame in hand", queued(2))
	// The next visitor at the same kiosk, while a flood's frame is in hand.
	go d.Decode("k", "k|visitor2", card("k2"))
	waitFor(t, "k2 waiting", queued(3))
	for range 4 {
		step <- struct{}{}
	}
	waitFor(t, "all decoded", func() bool { return len(order()) == 6 })
	got := order()
	if want := []string{"n1", "k1", "n2", "k2", "n3", "n1"}; fmt.Sprint(trimFrames(got)) != fmt.Sprint(want) {
		t.Fatalf("decoded %v, want %v", trimFrames(got), want)
	}
}

func trimFrames(frames []string) []string {
	out := make([]string, len(frames))
	for i, f := range frames {
		out[i] = f[:2]
	}
	return out
}

// A code found in a frame whose request stopped waiting goes at once to
// the sender's request that waits now, and that request's own frame is
// not decoded.
func TestFairDecoderLateCodeToTheWaitingRequest(t *testing.T) {
	d, step, order := steppedDecoder(time.Second)
	if _, ok := d.Decode("k", "k|1", []byte("kcard")); ok {
		t.Fatal("answered before the decoder was done")
	}
	type answer struct {
		text string
		ok   bool
	}
	ch := make(chan answer, 1)
	began := time.Now()
	go func() { text, ok := d.Decode("k", "k|1", []byte("nothing")); ch <- answer{text, ok} }()
	waitFor(t, "the second frame waiting", func() bool { d.mu.Lock(); defer d.mu.Unlock(); return d.waiting == 1 })
	step <- struct{}{} // the card is found
	r := <-ch
	if !r.ok || r.text != "kcard" {
		t.Fatalf("the waiting request heard %+v", r)
	}
	if took := time.Since(began); took >= time.Second {
		t.Fatalf("the waiting request heard the code only after its wait (%v)", took)
	}
	d.mu.Lock()
	w := d.waiting
	d.mu.Unlock()
	if w != 0 {
		t.Fatalf("%d frames still waiting", w)
	}
	if got := order(); fmt.Sprint(got) != "[kcard]" {
		t.Fatalf("decoded %v", got)
	}
}
