package web

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Live pages (the help queue at the desk, a ticket at the kiosk) follow
// the database with server-sent events: each event is the page's live
// part rendered again, whole, so the browser needs no rules of its own
// and a missed event costs nothing. A page without JavaScript shows the
// same part and is reloaded by hand.

// StreamFor is how long one event stream stays open. It ends before the
// server's write timeout (Config) cuts it, and before a graceful stop's
// wait runs out; the browser's EventSource opens the next one by itself,
// after streamRetry, and gets the whole part again at once.
const StreamFor = 15 * time.Second

// streamRetry is the reconnection delay the stream asks the browser for.
const streamRetry = 500 * time.Millisecond

// streamHeartbeat is how often an idle stream sends a comment: it finds
// a browser gone, and keeps proxies from closing a quiet connection.
const streamHeartbeat = 5 * time.Second

// Fragment renders one named template of a registered page, without the
// page around it: the live part of a page, for Stream.
func (w *Web) Fragment(page, name string, v *View) ([]byte, error) {
	t, err := w.page(page)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Stream answers with server-sent events: an "update" event holding
// render's output now, and again after each value on changes, until
// StreamFor has passed or the browser has gone; then it calls stop. A
// request that does not ask for an event stream (a test, a curious
// curl) gets the one event and the end of the answer.
//
// render runs outside the request: it must not touch the request's
// context (fiber.Ctx), only what it captured before.
func (w *Web) Stream(c *fiber.Ctx, changes <-chan struct{}, stop func(), render func() ([]byte, error)) error {
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	first, err := render()
	if err != nil {
		stop()
		return err
	}
	if !strings.Contains(c.Get(fiber.HeaderAccept), "text/event-stream") {
		stop()
		var b bytes.Buffer
		writeEvent(&b, first)
		return c.Send(b.Bytes())
	}
	log := w.Opts.Log
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		defer stop()
		fmt.Fprintf(bw, "retry: %d\n\n", streamRetry.Milliseconds())
		writeEvent(bw, first)
		if bw.Flush() != nil {
			return
		}
		end := time.NewTimer(StreamFor)
		defer end.Stop()
		beat := time.NewTicker(streamHeartbeat)
		defer beat.Stop()
		for {
			select {
			case <-end.C:
				return
			case <-beat.C:
				bw.WriteString(": still here\n\n")
			case <-changes:
				b, err := render()
				if err != nil {
					log.Error("live page", "err", err)
					return
				}
				writeEvent(bw, b)
			}
			if bw.Flush() != nil {
				return // the browser has gone
			}
		}
	})
	return nil
}

// writeEvent writes one "update" event; each line of the data is a
// data: line of its own, as the format asks.
func writeEvent(b interface{ WriteString(string) (int, error) }, data []byte) {
	b.WriteString("event: update\n")
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		b.WriteString("data: " + strings.TrimRight(line, "\r") + "\n")
	}
	b.WriteString("\n")
}
