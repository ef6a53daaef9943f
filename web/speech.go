package web

import (
	"sort"
	"strings"
)

// Voice finds a sound for a kiosk prompt. The kiosk's speaker buttons
// play it; without one they fall back to the browser's own voices, and
// without those they are hidden.
type Voice interface {
	// Audio is the URL of a sound saying prompt key in lang, whose words
	// there are text, or "" when the server has none. key is a catalog
	// message id, or a prompt that is not a message (see PromptTime).
	Audio(lang, key, text string) string
}

// Speech is what a speaker button says: its words, and the sounds that
// say them, played one after the other (a weekday, then a date).
type Speech struct {
	Text  string
	Audio []string
	// Listen names the speaker button for a screen reader ("Listen"):
	// a short name of its own, so the choice beside it keeps its name.
	Listen string
}

// AudioList is the sounds as one attribute value.
func (s Speech) AudioList() string { return strings.Join(s.Audio, " ") }

// SetVoice installs the server's voice (recordings, then server speech).
func (x *I18n) SetVoice(v Voice) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.voice = v
	for _, l := range x.locs {
		l.mu.Lock()
		l.voice = v
		l.changes++
		l.mu.Unlock()
	}
}

// Say is a catalog message as speech.
func (l *Loc) Say(id string, args ...any) Speech {
	text := l.T(id, args...)
	return l.speech(text, [][2]string{{id, text}})
}

// SayText is speech for words that are not one message: a course's name,
// a time. key names the prompt a volunteer may record for it ("" when
// nobody could: a nickname).
func (l *Loc) SayText(key, text string) Speech {
	return l.speech(text, [][2]string{{key, text}})
}

// SayParts is speech made of several prompts said in a row, such as
// "Tuesday" then "3": each part is a key and its words.
func (l *Loc) SayParts(parts ...string) Speech {
	var ps [][2]string
	var words []string
	for i := 0; i+1 < len(parts); i += 2 {
		ps = append(ps, [2]string{parts[i], parts[i+1]})
		words = append(words, parts[i+1])
	}
	return l.speech(strings.Join(words, " "), ps)
}

// SayWith is a message said before other prompts: "Cancel?" and a day.
func (l *Loc) SayWith(id string, parts []string) Speech {
	return l.SayParts(append([]string{id, l.T(id)}, parts...)...)
}

func (l *Loc) speech(text string, parts [][2]string) Speech {
	s := Speech{Text: text, Listen: l.T("kiosk.listen")}
	l.mu.RLock()
	v := l.voice
	l.mu.RUnlock()
	if v == nil {
		return s
	}
	for _, p := range parts {
		u := v.Audio(l.Lang.Code, p[0], p[1])
		if u == "" {
			// One part without a sound: the whole phrase goes to the
			// browser's voices rather than half of it being said.
			return Speech{Text: text, Listen: s.Listen}
		}
		s.Audio = append(s.Audio, u)
	}
	return s
}

// Prompt keys that are not catalog messages: what a volunteer records for
// a time of day shown on a slot tile, and for a day of the month.
func PromptTime(hhmm string) string { return "time." + hhmm }

// PromptDayOfMonth is the prompt key for a day of the month, 1 to 31.
func PromptDayOfMonth(d int) string { return "daynum." + itoa(d) }

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// KioskMessagePrefixes are the catalog areas the kiosk and what a member
// takes home use; every kiosk language has every message in them.
var KioskMessagePrefixes = []string{"kiosk.", "error.", "weekday.", "receipt.", "reminder."}

// IsKioskMessage reports whether a message id belongs to the kiosk's set.
func IsKioskMessage(id string) bool {
	for _, p := range KioskMessagePrefixes {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// printedOnly are the kiosk set's areas that are printed, never spoken:
// receipts, reminders, and what we hold about a member.
var printedOnly = []string{"receipt.", "reminder."}

// SpokenMessageIDs are the kiosk messages the kiosk may say: the rows of
// the Voice studio (what is only printed needs no recording).
func (x *I18n) SpokenMessageIDs() []string {
	var ids []string
	for _, id := range x.KioskMessageIDs() {
		printed := false
		for _, p := range printedOnly {
			printed = printed || strings.HasPrefix(id, p)
		}
		if !printed {
			ids = append(ids, id)
		}
	}
	return ids
}

// KioskMessageIDs are the ids of every kiosk message in the default
// catalog (nl), sorted: the rows of Kiosk words and the Voice studio.
func (x *I18n) KioskMessageIDs() []string {
	var ids []string
	for id := range x.nl {
		if IsKioskMessage(id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
