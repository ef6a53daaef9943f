package kiosk

import (
	"fmt"

	"github.com/drempel/drempel/web"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"
)

// Post/redirect/get: every kiosk POST answers 303 to one of these pages,
// so the browser's history holds only pages fetched with GET, and Back
// never sends a report, a booking or a check-in again. What such a page
// shows comes from the visitor's session on the server, never from the
// URL or a form field that could name another person's data; after a
// reset the session is gone, and the pages lead back to the start.

// note is a message shown once after a POST: a catalog id (an error or a
// confirmation), where its button leads, and the page's status.
type note struct {
	Error, Flash string
	Back         string
	Status       int
}

// setNote keeps a note in the session for the message page.
func setNote(sess *session.Session, n note) {
	if n.Status == 0 {
		n.Status = fiber.StatusOK
	}
	sess.Set("note_error", n.Error)
	sess.Set("note_flash", n.Flash)
	sess.Set("note_back", n.Back)
	sess.Set("note_status", n.Status)
}

// showNote answers a POST with the message page, which shows n once.
func (k *Kiosk) showNote(c *fiber.Ctx, n note) error {
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	setNote(sess, n)
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect("/kiosk/message", fiber.StatusSeeOther)
}

// message shows the note a POST left, once; without one it leads to the
// start.
func (k *Kiosk) message(c *fiber.Ctx) error {
	got, err := k.takeOnce(c, "note_error", "note_flash", "note_back", "note_status")
	if err != nil {
		return err
	}
	errID, _ := got["note_error"].(string)
	flashID, _ := got["note_flash"].(string)
	back, _ := got["note_back"].(string)
	status, _ := got["note_status"].(int)
	if errID == "" && flashID == "" {
		return c.Redirect(k.startPage(c), fiber.StatusSeeOther)
	}
	if back == "" {
		back = k.startPage(c)
	}
	v := k.view(c, map[string]any{"Back": back})
	if errID != "" {
		v.Error = v.L.T(errID)
	}
	if flashID != "" {
		v.Flash = v.L.T(flashID)
	}
	return k.w.Render(c, status, "kiosk/message", v)
}

// startPage is the checked-in visitor's own screen, else the idle screen.
func (k *Kiosk) startPage(c *fiber.Ctx) string {
	if sess, err := k.w.Kiosk.Get(c); err == nil && sess.Get("member") != nil {
		return "/kiosk/home"
	}
	return "/kiosk"
}

// reportHelp asks a checked-in visitor whether they want help with the
// report they just made; the report is the one their session holds.
func (k *Kiosk) reportHelp(c *fiber.Ctx) error {
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	if _, ok := sess.Get("member").(int64); !ok {
		return c.Redirect("/kiosk", fiber.StatusSeeOther)
	}
	if _, ok := sess.Get("report").(int64); !ok {
		return c.Redirect("/kiosk/home", fiber.StatusSeeOther)
	}
	return k.w.Render(c, fiber.StatusOK, "kiosk/report_help", k.view(c, map[string]any{"Step": 5}))
}

// reportThanks thanks the visitor for the report they just made, once.
// A voice note that could not be kept is said here, kindly.
func (k *Kiosk) reportThanks(c *fiber.Ctx) error {
	got, err := k.takeOnce(c, "thanks", "voice_dropped")
	if err != nil {
		return err
	}
	thanks, _ := got["thanks"].(string)
	dropped, _ := got["voice_dropped"].(bool)
	back := k.startPage(c)
	if thanks == "" {
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	help := thanks == "help"
	v := k.view(c, map[string]any{"Help": help, "Back": back})
	if dropped {
		// The report is kept; only the voice note is not.
		v.Flash = v.L.T("kiosk.limit.voice")
		if help {
			v.Flash = v.L.T("kiosk.report.thanks_help") + " " + v.Flash
		}
		return k.w.Render(c, fiber.StatusOK, "kiosk/message", v)
	}
	return k.w.Render(c, fiber.StatusOK, "kiosk/report_thanks", v)
}

// enrolDone confirms the place (or the waiting list) the visitor just
// took in a course session, once.
func (k *Kiosk) enrolDone(c *fiber.Ctx) error {
	s, err := k.loadSession(c)
	if err != nil {
		return err
	}
	got, err := k.takeOnce(c, "enrolled", "waiting")
	if err != nil {
		return err
	}
	if id, _ := got["enrolled"].(int64); id != s.ID {
		return c.Redirect(fmt.Sprintf("/kiosk/courses/%d", s.ID), fiber.StatusSeeOther)
	}
	waiting, _ := got["waiting"].(bool)
	site := web.SiteOf(c)
	v := k.view(c, nil)
	v.Data = map[string]any{"S": k.tile(v, *s, site.Location()), "Waiting": waiting}
	return k.w.Render(c, fiber.StatusOK, "kiosk/course_done", v)
}

// enrolFull tells the visitor that someone took the last seat a moment
// before them, and offers the waiting list, once.
func (k *Kiosk) enrolFull(c *fiber.Ctx) error {
	s, err := k.loadSession(c)
	if err != nil {
		return err
	}
	got, err := k.takeOnce(c, "full")
	if err != nil {
		return err
	}
	if id, _ := got["full"].(int64); id != s.ID {
		return c.Redirect(fmt.Sprintf("/kiosk/courses/%d", s.ID), fiber.StatusSeeOther)
	}
	site := web.SiteOf(c)
	v := k.view(c, nil)
	tile := k.tile(v, *s, site.Location())
	tile.Free = 0
	tile.FreeText = v.L.T("kiosk.courses.full")
	v.Data = map[string]any{"S": tile}
	v.Error = v.L.T("kiosk.courses.just_full")
	return k.w.Render(c, fiber.StatusConflict, "kiosk/course", v)
}

// takeOnce reads what a POST left in the session for the page after it,
// and removes it: the page shows it once, and Back or a reload cannot
// show it again.
func (k *Kiosk) takeOnce(c *fiber.Ctx, keys ...string) (map[string]any, error) {
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return nil, err
	}
	got := make(map[string]any, len(keys))
	for _, key := range keys {
		got[key] = sess.Get(key)
		sess.Delete(key)
	}
	return got, sess.Save()
}
