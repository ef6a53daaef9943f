package admin

// The inventory: editing a device after it was added, importing and
// exporting the list, and the warning while labels would carry a
// localhost address.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// deviceEdit shows the form that corrects a device's description.
func (a *Admin) deviceEdit(c *fiber.Ctx) error {
	d, err := a.loadDevice(c)
	if err != nil {
		return err
	}
	form := map[string]string{"make": d.Make, "model": d.Model, "serial": d.Serial, "notes": d.Notes}
	if d.ParentID != nil {
		p, err := a.st.Device(c.UserContext(), *d.ParentID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if p != nil {
			form["parent"] = p.AssetTag
		}
	}
	v := a.view(c, map[string]any{"D": d, "Edit": true})
	v.Form = form
	return a.w.Render(c, fiber.StatusOK, "admin/device", v)
}

// deviceUpdate saves the corrected description: the device's page on
// success, the form again with what was typed and why on a refusal.
func (a *Admin) deviceUpdate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d, err := a.loadDevice(c)
	if err != nil {
		return err
	}
	in, form := deviceInput(c)
	if tag := strings.TrimSpace(form["parent"]); tag != "" {
		p, perr := a.st.DeviceByTag(ctx, tag)
		switch {
		case errors.Is(perr, store.ErrNotFound):
			err = &store.FieldError{Field: "parent", Code: "bad_choice"}
		case perr != nil:
			return perr
		default:
			in.ParentID = &p.ID
		}
	}
	if err == nil {
		err = a.st.UpdateDevice(ctx, d.ID, in, currentUser(c).ID)
	}
	if err != nil {
		v := a.view(c, map[string]any{"D": d, "Edit": true})
		v.Form = form
		if deviceFormError(v, err) {
			return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/device", v)
		}
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/devices/%d", d.ID), fiber.StatusSeeOther)
}

// deviceFormError puts a device's field error on the form in words: the
// inventory's own message where it has one ("that tag is an accessory's"),
// else the general one ("Make is too long").
func deviceFormError(v *web.View, err error) bool {
	fe, ok := store.AsFieldError(err)
	if !ok {
		return false
	}
	if id := "admin.devices.err." + fe.Field + "." + fe.Code; v.L.Has(id) {
		v.Fields[fe.Field] = v.L.T(id)
	} else {
		v.Fields[fe.Field] = v.L.Field(fe.Field, fe.Code)
	}
	v.Error = v.L.T("error.form")
	return true
}

// labelsWarning is what the pages with label buttons say while the public
// URL is one only this computer can open (localhost): the address a
// label's QR code would hold, and an example of a better one. Both are
// empty when the labels are fine.
func (a *Admin) labelsWarning() map[string]string {
	u, err := url.Parse(a.publicURL)
	if err == nil && u.Host == "" {
		u, err = url.Parse("http://" + a.publicURL) // "localhost:8080" without its scheme
	}
	if err != nil || !loopbackHost(u.Hostname()) {
		return nil
	}
	example := url.URL{Scheme: u.Scheme, Host: "192.168.1.20"}
	if example.Scheme == "" {
		example.Scheme = "http"
	}
	if p := u.Port(); p != "" {
		example.Host += ":" + p
	}
	return map[string]string{"URL": a.publicURL, "Example": example.String()}
}

// loopbackHost reports whether host names this computer only: a phone on
// the network that opens it reaches itself.
func loopbackHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// importColumns are the columns of an inventory import, in the order a
// file without a header row has them, with the page's word for each.
var importColumns = []struct {
	key, label string
	aliases    []string
}{
	{"type", "admin.devices.type", nil},
	{"make", "admin.devices.make", nil},
	{"model", "admin.devices.model", nil},
	{"serial", "admin.devices.serial", nil},
	{"notes", "field.note", []string{"note"}},
}

// importKey makes a column name or a type comparable: lower case, without
// accents or spaces ("Numéro de série" → "numerodeserie").
func importKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' {
			return -1
		}
		return r
	}, store.Fold(strings.TrimSpace(s)))
}

// importWords are the words an import understands in every admin
// language: the columns' names and the devices' types.
type importWords struct {
	columns map[string]int // importKey(name) → index in importColumns
	types   map[string]store.DeviceType
}

func (a *Admin) importWords() importWords {
	w := importWords{columns: map[string]int{}, types: map[string]store.DeviceType{}}
	for i, col := range importColumns {
		w.columns[col.key] = i
		for _, al := range col.aliases {
			w.columns[al] = i
		}
	}
	for _, t := range store.DeviceTypes {
		w.types[string(t)] = t
	}
	for _, lang := range web.AdminLanguages() {
		l := a.w.I18n.Loc(lang.Code, lang.Code)
		for i, col := range importColumns {
			w.columns[importKey(l.T(col.label))] = i
		}
		for _, t := range store.DeviceTypes {
			w.types[importKey(l.T("admin.devices.type."+string(t)))] = t
		}
	}
	return w
}

func (w importWords) column(name string) (int, bool) {
	k := importKey(name)
	i, ok := w.columns[k]
	if !ok && strings.HasSuffix(k, "s") { // "Remarques", "Notes"
		i, ok = w.columns[strings.TrimSuffix(k, "s")]
	}
	return i, ok
}

func (w importWords) deviceType(s string) store.DeviceType {
	if t, ok := w.types[importKey(s)]; ok {
		return t
	}
	return store.DeviceType(strings.ToLower(strings.TrimSpace(s))) // refused by the store, in words
}

// importColumnNames are the columns' names in the user's language, as the
// page shows them.
func importColumnNames(l *web.Loc) []string {
	names := make([]string, len(importColumns))
	for i, col := range importColumns {
		names[i] = l.T(col.label)
	}
	return names
}

// importTypeNames lists the types in the user's language: "laptop,
// tablet, telefoon, internetdongle of toebehoren".
func importTypeNames(l *web.Loc) string {
	names := make([]string, len(store.DeviceTypes))
	for i, t := range store.DeviceTypes {
		names[i] = strings.ToLower(l.T("admin.devices.type." + string(t)))
	}
	last := len(names) - 1
	return strings.Join(names[:last], ", ") + " " + l.T("admin.devices.import.or") + " " + names[last]
}

// importHelp is the import form's explanation, naming the columns and
// types with the words the import understands.
func (a *Admin) importHelp(c *fiber.Ctx) string {
	l := a.w.I18n.Loc(langOf(c), a.w.Opts.DefaultLang)
	return l.T("admin.devices.import_columns", "Columns", strings.Join(importColumnNames(l), ", "), "Types", importTypeNames(l))
}

// devicesImportFile adds devices from a CSV file, all or none. A header
// row names the columns, in any order, with the page's words in Dutch,
// French or English or with the export's names (type, make, model, serial,
// notes); without one the columns come in that order. A refusal says in
// words which row and column is wrong, counting rows as a spreadsheet
// does (the header row is row 1).
func (a *Admin) devicesImportFile(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.devices.err.no_file")
	}
	if fh.Size > 2<<20 {
		return fiber.ErrRequestEntityTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.devices.err.no_file")
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true // hand-made files quote loosely
	if head := raw[:min(len(raw), 500)]; bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		r.Comma = ';' // as Excel writes CSV in Belgium
	}
	l := a.w.I18n.Loc(langOf(c), a.w.Opts.DefaultLang)
	words := a.importWords()
	var (
		ins    []store.DeviceInput
		lines  []int                  // the row each input came from
		order  = []int{0, 1, 2, 3, 4} // cell index → column
		header []string               // the file's own column names, by column
	)
	for first := true; ; first = false {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.devices.err.csv")
		}
		line, _ := r.FieldPos(0)
		if first && isImportHeader(row, words) {
			var refused string
			if order, header, refused = importHeader(row, words, l); refused != "" {
				return a.devicesImportRefused(c, refused)
			}
			continue
		}
		cells := make([]string, len(importColumns))
		blank := true
		for i, cell := range row {
			if i >= len(order) || order[i] < 0 {
				continue
			}
			cells[order[i]] = strings.TrimPrefix(strings.TrimSpace(cell), "'")
			blank = blank && cells[order[i]] == ""
		}
		if blank {
			continue // the empty rows a spreadsheet leaves at the end
		}
		ins = append(ins, store.DeviceInput{Type: words.deviceType(cells[0]), Make: cells[1], Model: cells[2], Serial: cells[3], Notes: cells[4]})
		lines = append(lines, line)
	}
	n, err := a.st.ImportDevices(c.UserContext(), web.SiteOf(c).ID, ins, currentUser(c).ID)
	var ie *store.ImportError
	if errors.As(err, &ie) {
		fe, ok := store.AsFieldError(ie.Err)
		switch {
		case !ok:
			return err
		case ie.Row < 1 || ie.Row > len(lines):
			return a.devicesImportRefused(c, l.T("admin.devices.import.err.rows"))
		default:
			return a.devicesImportRefused(c, importCellError(l, lines[ie.Row-1], header, fe))
		}
	}
	if err != nil {
		return err
	}
	a.log.Info("devices imported", "count", n, "by", currentUser(c).ID)
	a.flash(c, "admin.devices.added")
	return c.Redirect("/admin/devices", fiber.StatusSeeOther)
}

// isImportHeader tells a header row from a first device: it names a
// column and no type.
func isImportHeader(row []string, w importWords) bool {
	named := false
	for _, cell := range row {
		if _, ok := w.types[importKey(cell)]; ok {
			return false
		}
		if _, ok := w.column(cell); ok {
			named = true
		}
	}
	return named
}

// importHeader reads a header row: which column each cell is, and the
// file's own name for each column; or why it cannot be read. An empty
// cell's column is left out.
func importHeader(row []string, w importWords, l *web.Loc) ([]int, []string, string) {
	order := make([]int, len(row))
	header := make([]string, len(importColumns))
	for i, cell := range row {
		order[i] = -1
		name := strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff"))
		if name == "" {
			continue
		}
		col, ok := w.column(name)
		if !ok {
			return nil, nil, l.T("admin.devices.import.err.unknown_column", "Column", shorten(name, 40),
				"Columns", strings.Join(importColumnNames(l), ", "))
		}
		if header[col] != "" {
			return nil, nil, l.T("admin.devices.import.err.twice", "Column", shorten(name, 40))
		}
		order[i], header[col] = col, shorten(name, 40)
	}
	if header[0] == "" {
		return nil, nil, l.T("admin.devices.import.err.no_type", "Column", l.T(importColumns[0].label))
	}
	return order, header, ""
}

// importCellError says in words what is wrong in a row, naming the column
// as the file's header does (or as the page does, without one).
func importCellError(l *web.Loc, line int, header []string, fe *store.FieldError) string {
	column := ""
	for i, col := range importColumns {
		if col.key == fe.Field {
			column = l.T(col.label)
			if header != nil && header[i] != "" {
				column = header[i]
			}
		}
	}
	var why string
	switch {
	case fe.Field == "type":
		why = l.T("admin.devices.import.why.type", "Types", importTypeNames(l))
	case fe.Field == "serial" && fe.Code == "taken":
		why = l.T("admin.devices.import.why.serial_taken")
	case fe.Code == "too_long":
		why = l.T("admin.devices.import.why.too_long", "Max", store.DeviceTextMax[fe.Field])
	case fe.Code == "bad_text":
		why = l.T("admin.devices.import.why.bad_text")
	default:
		why = l.T("admin.devices.import.why.other")
	}
	if column == "" {
		column = l.T("field." + fe.Field)
	}
	return l.T("admin.devices.import.err.cell", "Row", line, "Column", column, "Why", why)
}

// shorten keeps a name from a file short enough to quote in a message.
// A byte that is not UTF-8 shows as "�": dropped, it would join the
// letters around it into a word the file does not hold.
func shorten(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// devicesImportRefused shows the inventory page again, with why nothing
// was imported above it.
func (a *Admin) devicesImportRefused(c *fiber.Ctx, msg string) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	list, err := a.st.Devices(ctx, site.ID, store.DeviceFilter{})
	if err != nil {
		return err
	}
	policies, err := a.policies(c)
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"Devices": list, "Filter": store.DeviceFilter{}, "Types": store.DeviceTypes, "Statuses": store.DeviceStatuses,
		"Policies": policies, "LabelsWarning": a.labelsWarning(), "ImportHelp": a.importHelp(c)})
	v.Form["type"], v.Form["count"] = string(store.Laptop), "1"
	v.Error = msg
	return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/devices", v)
}

// devicesExport is the inventory as CSV or XLSX.
func (a *Admin) devicesExport(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	list, err := a.st.Devices(c.UserContext(), site.ID, store.DeviceFilter{})
	if err != nil {
		return err
	}
	t := web.Table{{"tag", "type", "make", "model", "serial", "status", "notes"}}
	for _, d := range list {
		t = append(t, []string{d.AssetTag, string(d.Type), d.Make, d.Model, d.Serial, string(d.Status), d.Notes})
	}
	return a.export(c, "drempel-devices", c.Params("format"), t)
}
