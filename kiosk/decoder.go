package kiosk

import (
	"bytes"
	"image"
	"sync"
	"time"
)

// frameDecoder decodes the kiosks' camera frames fairly, so that a flood
// of frames from some senders never keeps a real card from being read.
//
//   - A sender (one kiosk screen) has at most one frame waiting: a newer
//     frame takes the older one's place, and the older one's request hears
//     "no code" at once.
//   - The workers share their time fairly between the addresses with
//     waiting frames, and within an address between its senders (two
//     levels, so that one address cannot take more by inventing senders).
//     Fair means by decoding work, not by frames: each frame costs about
//     what it takes to decode (its bytes and its pixels), and the frame
//     that would finish first in a fair share goes first (its finish tag,
//     as in self-clocked fair queuing). A sender that sends now and then,
//     like a kiosk's camera page, finds its frame decoded next, after the
//     one in hand, even when it had one decoded a moment ago: a camera
//     frame costs a fraction of a flood's largest, and a flood's senders
//     pay for each of theirs. Ordering by start tag instead made such a
//     kiosk wait for one frame of every flooding sender, a round that takes
//     seconds a frame when the machine is busy. With equal frames this is
//     plain round robin.
//   - The queue is bounded in all and per address; a frame that finds no
//     room hears "no code" at once, and its page sends the next.
//   - A request waits a short time for its frame. If it stops waiting, the
//     frame keeps its place, and a code found in it goes to that sender's
//     request waiting now, if any (its own frame need not be decoded
//     then), else to its next request within a few seconds.
type frameDecoder struct {
	decode     func([]byte) (string, bool)
	cost       func([]byte) int64
	workers    int
	wait       time.Duration
	maxWaiting int
	maxPerAddr int

	mu      sync.Mutex
	vtime   int64 // virtual time: the start tag of the last frame taken
	addrs   map[string]*addrState
	waiting int
	running int
	seq     uint64
	late    map[string]lateCode
}

// addrState is one address's place in the fair queue, and its senders'.
type addrState struct {
	finish  int64 // finish tag of the address's last frame taken
	vtime   int64 // virtual time among the address's senders
	waiting int
	senders map[string]*senderState
}

type senderState struct {
	finish int64     // finish tag of the sender's last frame taken
	job    *frameJob // its waiting frame, if any
}

type frameJob struct {
	addr   string
	sender string
	img    []byte
	cost   int64
	seq    uint64           // arrival, for ties
	done   chan frameResult // buffered; sent to once
	gone   bool             // its request stopped waiting
}

type frameResult struct {
	text string
	ok   bool
}

type lateCode struct {
	text  string
	until time.Time
}

// lateKeep is how long a late code waits for its sender's next frame: the
// page sends one within a second while the card is held up.
const lateKeep = 5 * time.Second

func newFrameDecoder(decode func([]byte) (string, bool), cost func([]byte) int64, workers int, wait time.Duration, maxWaiting, maxPerAddr int) *frameDecoder {
	return &frameDecoder{decode: decode, cost: cost, workers: max(workers, 1), wait: wait, maxWaiting: maxWaiting, maxPerAddr: maxPerAddr,
		addrs: map[string]*addrState{}, late: map[string]lateCode{}}
}

// frameCost estimates the work of decoding a frame: reading the JPEG
// grows with its bytes, finding a code with its pixels. Only the header
// is read here.
func frameCost(img []byte) int64 {
	n := int64(len(img))
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(img)); err == nil && cfg.Width <= maxFrameSide && cfg.Height <= maxFrameSide {
		n += int64(cfg.Width) * int64(cfg.Height) / 3
	}
	return n + 1
}

// Decode queues a frame from sender at addr and waits for it, up to the
// decoder's wait; it reports the QR code's text if one was found.
func (d *frameDecoder) Decode(addr, sender string, img []byte) (string, bool) {
	cost := d.cost(img)
	done := make(chan frameResult, 1)
	d.mu.Lock()
	if l, ok := d.late[sender]; ok {
		delete(d.late, sender)
		if time.Now().Before(l.until) {
			d.mu.Unlock()
			return l.text, true
		}
	}
	a := d.addrs[addr]
	var s *senderState
	if a != nil {
		s = a.senders[sender]
	}
	if s != nil && s.job != nil {
		// The newer frame keeps the older one's place.
		j := s.job
		j.done <- frameResult{}
		j.img, j.cost, j.done, j.gone = img, cost, done, false
	} else {
		if d.waiting >= d.maxWaiting || (a != nil && a.waiting >= d.maxPerAddr) {
			d.mu.Unlock()
			return "", false
		}
		if a == nil {
			a = &addrState{senders: map[string]*senderState{}}
			d.addrs[addr] = a
		}
		if s == nil {
			s = &senderState{}
			a.senders[sender] = s
		}
		d.seq++
		s.job = &frameJob{addr: addr, sender: sender, img: img, cost: cost, seq: d.seq, done: done}
		a.waiting++
		d.waiting++
		if d.running < d.workers {
			d.running++
			go d.work()
		}
	}
	j := s.job
	d.mu.Unlock()

	timer := time.NewTimer(d.wait)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.text, r.ok
	case <-timer.C:
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	select {
	case r := <-done: // answered just now
		return r.text, r.ok
	default:
	}
	if j.done == done {
		// Still this request's frame, waiting or being decoded.
		j.gone = true
	}
	return "", false
}

// work decodes waiting frames until there are none.
func (d *frameDecoder) work() {
	for {
		d.mu.Lock()
		if d.waiting == 0 {
			d.running--
			d.mu.Unlock()
			return
		}
		j := d.next()
		img := j.img
		d.mu.Unlock()

		text, ok := d.safeDecode(img)

		d.mu.Lock()
		if !j.gone {
			j.done <- frameResult{text, ok}
		} else if ok && !d.answerWaiting(j.addr, j.sender, text) {
			d.keepLate(j.sender, text)
		}
		d.mu.Unlock()
	}
}

// answerWaiting gives a code found in a frame whose request stopped
// waiting to the sender's newer request, if one waits: its page hears the
// code now, not a second later from its next frame, which on a busy
// machine waits behind other senders' frames. The newer frame leaves the
// queue undecoded. The caller holds d.mu.
func (d *frameDecoder) answerWaiting(addr, sender, text string) bool {
	a := d.addrs[addr]
	if a == nil || a.senders[sender] == nil || a.senders[sender].job == nil || a.senders[sender].job.gone {
		return false
	}
	s := a.senders[sender]
	s.job.done <- frameResult{text, true}
	s.job = nil
	a.waiting--
	d.waiting--
	return true
}

// safeDecode is d.decode, where a panic of the QR library on some frame
// reads as "no code" instead of stopping the whole server: this runs in
// its own goroutine, out of reach of Fiber's recover middleware.
func (d *frameDecoder) safeDecode(img []byte) (text string, ok bool) {
	defer func() {
		if recover() != nil {
			text, ok = "", false
		}
	}()
	return d.decode(img)
}

// tag is a frame's place in a fair queue: its finish tag (where its
// sender's fair share of the work would have it done), then its start
// tag, then its arrival.
type tag struct {
	start, finish int64
	seq           uint64
}

func (t tag) before(u tag) bool {
	if t.finish != u.finish {
		return t.finish < u.finish
	}
	if t.start != u.start {
		return t.start < u.start
	}
	return t.seq < u.seq
}

// best is the address's sender whose frame goes first, and its tag.
func (a *addrState) best() (*senderState, tag) {
	var best *senderState
	var bt tag
	for _, s := range a.senders {
		if s.job == nil {
			continue
		}
		start := max(a.vtime, s.finish)
		t := tag{start, start + s.job.cost, s.job.seq}
		if best == nil || t.before(bt) {
			best, bt = s, t
		}
	}
	return best, bt
}

// next takes the frame whose turn it is. The caller holds d.mu and knows
// a frame waits.
func (d *frameDecoder) next() *frameJob {
	var ba *addrState
	var bs *senderState
	var bt tag
	for _, a := range d.addrs {
		if a.waiting == 0 {
			continue
		}
		s, st := a.best()
		start := max(d.vtime, a.finish)
		t := tag{start, start + s.job.cost, st.seq}
		if ba == nil || t.before(bt) {
			ba, bs, bt = a, s, t
		}
	}
	j := bs.job
	d.vtime = bt.start
	ba.finish = bt.start + j.cost
	start := max(ba.vtime, bs.finish)
	ba.vtime = start
	bs.finish = start + j.cost
	bs.job = nil
	ba.waiting--
	d.waiting--
	// Senders and addresses whose last frame is behind the virtual time
	// have no say in the order any more: forget them.
	for name, s := range ba.senders {
		if s.job == nil && s.finish <= ba.vtime {
			delete(ba.senders, name)
		}
	}
	for name, a := range d.addrs {
		if a.waiting == 0 && a.finish <= d.vtime {
			delete(d.addrs, name)
		}
	}
	return j
}

// keepLate keeps a code for its sender's next request; the caller holds
// d.mu. Codes past their time are dropped as new ones come.
func (d *frameDecoder) keepLate(sender, text string) {
	now := time.Now()
	if len(d.late) >= d.maxWaiting {
		for s, l := range d.late {
			if now.After(l.until) {
				delete(d.late, s)
			}
		}
		if len(d.late) >= d.maxWaiting {
			return
		}
	}
	d.late[sender] = lateCode{text, now.Add(lateKeep)}
}
