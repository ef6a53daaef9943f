package admin

import (
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// Kiosk words: staff and volunteers who speak a kiosk language correct
// its messages, side by side with Dutch, and tick what they reviewed.
// Corrections win over the catalogs at once (I18n.SetOverrides).

// wordsFormat names the JSON file of corrections.
const wordsFormat = "drempel-kiosk-words"

// wordsFile is the export: every correction and review mark.
type wordsFile struct {
	Format   string      `json:"format"`
	Version  int         `json:"version"`
	Exported time.Time   `json:"exported_at"`
	Words    []wordEntry `json:"words"`
}

type wordEntry struct {
	Lang     string `json:"lang"`
	ID       string `json:"id"`
	Text     string `json:"text"`
	Reviewed bool   `json:"reviewed"`
}

// wordLang is the language a words or voice page shows: a known one, else
// the first after the default language.
func (a *Admin) wordLang(code string) web.Language {
	if l, ok := web.LookupLanguage(code); ok {
		return l
	}
	for _, l := range web.Languages {
		if l.Code != a.w.Opts.DefaultLang {
			return l
		}
	}
	return web.Languages[0]
}

var (
	placeholderRe = regexp.MustCompile(`\{\{-?\s*\.[A-Za-z]+\s*-?\}\}`)
	actionRe      = regexp.MustCompile(`\{\{.*?\}\}`)
)

// placeholders lists the {{.Name}} of a message, sorted, spaces removed.
func placeholders(s string) []string {
	var out []string
	for _, p := range placeholderRe.FindAllString(s, -1) {
		out = append(out, "{{."+strings.Trim(p, "{}-. \t")+"}}")
	}
	sort.Strings(out)
	return out
}

// checkWord is the store's WordCheck: a kiosk language, a kiosk message,
// and the placeholders of the Dutch message, no more and no fewer.
func (a *Admin) checkWord(lang, id, text string) error {
	if _, ok := web.LookupLanguage(lang); !ok {
		return &store.FieldError{Field: "lang", Code: "bad_lang"}
	}
	nl, ok := a.w.I18n.MessageTemplate("nl", id)
	if !ok || !web.IsKioskMessage(id) {
		return &store.FieldError{Field: "msg_id", Code: "unknown"}
	}
	if text == "" {
		return nil
	}
	if strings.Join(placeholders(text), " ") != strings.Join(placeholders(nl), " ") ||
		len(actionRe.FindAllString(text, -1)) != len(placeholders(text)) ||
		strings.Count(text, "{{") != strings.Count(text, "}}") {
		return &store.FieldError{Field: "text", Code: "placeholders"}
	}
	if _, err := template.New("").Parse(text); err != nil {
		return &store.FieldError{Field: "text", Code: "placeholders"}
	}
	return nil
}

// reloadWords hands every correction to the catalogs.
func (a *Admin) reloadWords(c *fiber.Ctx) error {
	m, err := a.st.KioskWordOverrides(c.UserContext())
	if err != nil {
		return err
	}
	a.w.I18n.SetOverrides(m)
	return nil
}

type wordRow struct {
	ID, Dutch, Catalog, Text string
	HasCatalog, Corrected    bool
	Reviewed                 bool
	Placeholders             string
	Error                    string
}

type langTab struct {
	Code, Endonym, Dir string
	Done, Of           int
	Current            bool
}

// rowError is a refused row, shown again with what was typed.
type rowError struct {
	id, text, msg string
	reviewed      bool
}

func (a *Admin) wordsPage(c *fiber.Ctx) error {
	return a.renderWords(c, fiber.StatusOK, a.wordLang(c.Query("lang")), nil, "")
}

func (a *Admin) renderWords(c *fiber.Ctx, status int, lang web.Language, bad *rowError, pageErr string) error {
	all, err := a.st.AllKioskWords(c.UserContext())
	if err != nil {
		return err
	}
	ids := a.w.I18n.KioskMessageIDs()
	known := make(map[string]bool, len(ids))
	for _, id := range ids {
		known[id] = true
	}
	mine := map[string]store.KioskWord{}
	reviewed := map[string]int{}
	for _, w := range all {
		if w.Reviewed && known[w.MsgID] {
			reviewed[w.Lang]++
		}
		if w.Lang == lang.Code {
			mine[w.MsgID] = w
		}
	}
	v := a.view(c, nil)
	var tabs []langTab
	for _, l := range web.Languages {
		tabs = append(tabs, langTab{Code: l.Code, Endonym: l.Endonym, Dir: l.Dir(), Done: reviewed[l.Code], Of: len(ids), Current: l.Code == lang.Code})
	}
	rows := make([]wordRow, 0, len(ids))
	for _, id := range ids {
		r := wordRow{ID: id}
		r.Dutch, _ = a.w.I18n.MessageTemplate("nl", id)
		r.Catalog, r.HasCatalog = a.w.I18n.MessageTemplate(lang.Code, id)
		w, ok := mine[id]
		r.Text, r.Reviewed = r.Catalog, ok && w.Reviewed
		if ok && w.Text != "" {
			r.Text, r.Corrected = w.Text, true
		}
		r.Placeholders = strings.Join(placeholders(r.Dutch), " ")
		if bad != nil && bad.id == id {
			r.Text, r.Reviewed, r.Error = bad.text, bad.reviewed, bad.msg
		}
		rows = append(rows, r)
	}
	v.Error = pageErr
	v.Data = map[string]any{"Lang": lang, "Tabs": tabs, "Rows": rows, "Reviewed": reviewed[lang.Code], "Of": len(ids)}
	return a.w.Render(c, status, "admin/words", v)
}

// wordSave stores one row: its text (a correction when it differs from
// the catalog) and whether it was reviewed.
func (a *Admin) wordSave(c *fiber.Ctx) error {
	lang := a.wordLang(c.FormValue("lang"))
	if lang.Code != c.FormValue("lang") {
		return fiber.ErrBadRequest
	}
	id := c.FormValue("id")
	text := strings.TrimSpace(strings.ReplaceAll(c.FormValue("text"), "\r\n", "\n"))
	reviewed := c.FormValue("reviewed") != ""
	in := store.KioskWordInput{Lang: lang.Code, MsgID: id, Text: text, Reviewed: reviewed}
	if cat, ok := a.w.I18n.MessageTemplate(lang.Code, id); ok && cat == text {
		in.Text = "" // the catalog's own words: no correction
	}
	err := a.st.SaveKioskWord(c.UserContext(), in, a.checkWord, currentUser(c).ID)
	if fe, ok := store.AsFieldError(err); ok {
		if fe.Field == "msg_id" || fe.Field == "lang" {
			return fiber.ErrNotFound
		}
		l := a.w.I18n.Loc(langOf(c), a.w.Opts.DefaultLang)
		msg := a.wordWhy(l, fe, id)
		return a.renderWords(c, fiber.StatusUnprocessableEntity, lang, &rowError{id: id, text: text, reviewed: reviewed, msg: msg}, msg)
	}
	if err != nil {
		return err
	}
	if err := a.reloadWords(c); err != nil {
		return err
	}
	a.flash(c, "admin.words.saved")
	return c.Redirect("/admin/words?lang="+lang.Code+"#w-"+id, fiber.StatusSeeOther)
}

func langOf(c *fiber.Ctx) string { l, _ := c.Locals("lang").(string); return l }

// wordWhy is why a text was refused, in the staff member's language.
func (a *Admin) wordWhy(l *web.Loc, fe *store.FieldError, id string) string {
	switch fe.Code {
	case "placeholders":
		nl, _ := a.w.I18n.MessageTemplate("nl", id)
		if ps := placeholders(nl); len(ps) > 0 {
			return l.T("admin.words.err.placeholders", "Want", strings.Join(ps, " "))
		}
		return l.T("admin.words.err.no_placeholders")
	case "bad_lang":
		return l.T("admin.words.why.lang")
	case "unknown", "bad_choice":
		return l.T("admin.words.why.unknown")
	case "taken":
		return l.T("admin.words.why.twice")
	case "too_long":
		return l.T("admin.words.why.too_long")
	}
	return l.T("admin.words.why.text")
}

// wordReset forgets a correction: the catalog speaks again.
func (a *Admin) wordReset(c *fiber.Ctx) error {
	lang := a.wordLang(c.FormValue("lang"))
	id := c.FormValue("id")
	if err := a.st.DeleteKioskWord(c.UserContext(), lang.Code, id); err != nil {
		return err
	}
	if err := a.reloadWords(c); err != nil {
		return err
	}
	a.flash(c, "admin.words.reset_done")
	return c.Redirect("/admin/words?lang="+lang.Code+"#w-"+id, fiber.StatusSeeOther)
}

// wordsExport is every correction and review mark as one JSON file.
func (a *Admin) wordsExport(c *fiber.Ctx) error {
	all, err := a.st.AllKioskWords(c.UserContext())
	if err != nil {
		return err
	}
	f := wordsFile{Format: wordsFormat, Version: 1, Exported: a.st.Now(), Words: []wordEntry{}}
	for _, w := range all {
		f.Words = append(f.Words, wordEntry{Lang: w.Lang, ID: w.MsgID, Text: w.Text, Reviewed: w.Reviewed})
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="drempel-kiosk-words.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	enc := json.NewEncoder(c.Response().BodyWriter())
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// maxWordsFile bounds an uploaded words file.
const maxWordsFile = 4 << 20

// wordsImport saves every entry of an exported file, all or none. A file
// that is not one, or an entry that is wrong, gives the page again with
// a message naming it; nothing is changed.
func (a *Admin) wordsImport(c *fiber.Ctx) error {
	lang := a.wordLang(c.FormValue("lang"))
	l := a.w.I18n.Loc(langOf(c), a.w.Opts.DefaultLang)
	refuse := func(msg string) error {
		return a.renderWords(c, fiber.StatusUnprocessableEntity, lang, nil, msg)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse(l.T("admin.words.err.no_file"))
	}
	if fh.Size > maxWordsFile {
		return refuse(l.T("admin.words.err.file"))
	}
	f, err := fh.Open()
	if err != nil {
		return refuse(l.T("admin.words.err.no_file"))
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxWordsFile+1))
	if err != nil || len(raw) > maxWordsFile {
		return refuse(l.T("admin.words.err.file"))
	}
	var file wordsFile
	dec := json.NewDecoder(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff")))
	if err := dec.Decode(&file); err != nil || file.Format != wordsFormat || file.Version != 1 {
		return refuse(l.T("admin.words.err.file"))
	}
	ins := make([]store.KioskWordInput, len(file.Words))
	for i, w := range file.Words {
		ins[i] = store.KioskWordInput{Lang: w.Lang, MsgID: w.ID, Text: w.Text, Reviewed: w.Reviewed}
	}
	n, err := a.st.ImportKioskWords(c.UserContext(), ins, a.checkWord, currentUser(c).ID)
	var ie *store.ImportError
	if errors.As(err, &ie) {
		if ie.Row < 1 || ie.Row > len(ins) {
			return refuse(l.T("admin.words.err.empty"))
		}
		e := ins[ie.Row-1]
		why := l.T("admin.words.why.text")
		if fe, ok := store.AsFieldError(ie.Err); ok {
			why = a.wordWhy(l, fe, e.MsgID)
		}
		return refuse(l.T("admin.words.err.entry", "Row", ie.Row, "Lang", e.Lang, "ID", e.MsgID, "Why", why))
	}
	if err != nil {
		return err
	}
	if err := a.reloadWords(c); err != nil {
		return err
	}
	a.log.Info("kiosk words imported", "count", n, "by", currentUser(c).ID)
	a.flash(c, "admin.words.imported")
	return c.Redirect("/admin/words?lang="+lang.Code, fiber.StatusSeeOther)
}
