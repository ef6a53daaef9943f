package admin_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// importRecords counts the rows of a file as the import reads it that
// hold anything at all (the header row included), or -1 when it is no
// CSV the import can read.
func importRecords(raw []byte) int {
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	if head := raw[:min(len(raw), 500)]; bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		r.Comma = ';'
	}
	n := 0
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			return -1
		}
		for _, cell := range row {
			if strings.TrimPrefix(strings.TrimSpace(cell), "'") != "" {
				n++
				break
			}
		}
	}
}

func xlsxSeed(tb testing.TB, rows ...[]any) []byte {
	x := excelize.NewFile()
	defer x.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			tb.Fatal(err)
		}
	}
	b, err := x.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// The codes of the store's field errors, which a page must never show
// as they are.
var rawCodes = regexp.MustCompile(`\b(bad_text|too_long|bad_choice|out_of_range|one_device|bad_request)\b`)

// An inventory import is whatever file staff pick: a CSV from any
// spreadsheet, or the spreadsheet itself. It never fails with a 500; it
// adds every row or none (the devices are counted before and after); and
// a refusal is a sentence in the user's language, never a message id or
// an error code (unless the file itself holds those words, which the
// refusal may quote).
//
// SQLite only: the handler's reading of the file is the same on both
// databases, and the fuzzer needs speed; the import tests run on both.
func FuzzDeviceImport(f *testing.F) {
	st := storetest.Open(f, "sqlite")
	if _, err := st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"); err != nil {
		f.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.UserInput{Email: "staff@test.be", Role: store.RoleStaff, Password: pw}); err != nil {
		f.Fatal(err)
	}
	app := webtest.NewApp(f, func(app *fiber.App, w *web.Web) {
		admin.Mount(app, st, w, admin.Options{LoginPerMinute: 30, Log: quiet})
	})
	c := webtest.NewClient(f, app)
	c.Lang = "nl-BE"
	c.Get("/admin/login")
	if r := c.Post("/admin/login", webtest.Form("email", "staff@test.be", "password", pw)); r.Status != 303 {
		f.Fatalf("sign in: %d", r.Status)
	}
	c.Get("/admin/devices")
	devices := func(t testing.TB) int {
		var n int64
		if err := st.W.Raw("SELECT COUNT(*) FROM devices").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return int(n)
	}

	for _, s := range []string{
		"", "\ufeff", "\n\n\n", ";;;;\n",
		"type;make;model;serial;notes\nlaptop;Dell;E7470;S1;ok\ntoaster;X;Y;;\n",
		"\ufefftype,make,model,serial,notes\nlaptop,Dell,E7470,S1,=HYPERLINK(\"http://x\")\ndongle,Huawei,E5576,,\n",
		"Numéro de série;Type;Marque;Modèle;Remarques\nSN-7;Ordinateur portable;Dell;E7470;=1+1\n;clé internet;Huawei;E5576;\n;;;;\n",
		"\ufeff  MAKE ,serial number,TYPE\nLenovo,SN-8,Laptop\n",
		"laptop,Dell\n,Acer\n", "type,serial\nlaptop,SN-X\nlaptop,sn-x\n", "Soort,Merk\nlaptop," + strings.Repeat("x", 61) + "\n",
		"Soort,Merk,Kleur\nlaptop,Dell,rood\n", "Soort,Merk,merk\nlaptop,Dell,HP\n", "Merk,Model\nDell,E7470\n", "Soort,Merk\n",
		"type,notes\nlaptop,\"two\r\nlines\"\n", "type,make\nlaptop,\"unclosed\n", "type,make\nlaptop,a\"b\"c\n",
		"type,make\ntablet,\x00\n", "type,make\nphone,\xff\xfe\n", "type,make\naccessory,\u202Eevil\n",
		"type,<script>alert(1)</script>\n", "type,admin.devices.type\nlaptop,x\n", "type,make\n'laptop,'Dell\n",
		"TYPE\tMAKE\nlaptop\tDell\n", "type," + strings.Repeat(",", 300) + "make\nlaptop\n",
		"type\n" + strings.Repeat("laptop\n", 2001),
	} {
		f.Add([]byte(s))
	}
	f.Add(xlsxSeed(f, []any{"type", "make", "model"}, []any{"laptop", "Dell", "E7470"}))
	f.Add(xlsxSeed(f, []any{"laptop", 1, 2.5, true}))
	f.Add(xlsxSeed(f))
	f.Fuzz(func(t *testing.T, file []byte) {
		c.T = t
		before := devices(t)
		r := c.Upload("/admin/devices/import", "file", "devices.csv", file)
		added := devices(t) - before
		switch r.Status {
		case 303:
			if n := importRecords(file); added < 1 || added > n {
				t.Fatalf("imported: %d devices from %d rows of %q", added, n, file)
			}
			r = c.Get(r.Location)
			if err := st.W.Exec("DELETE FROM device_events").Error; err != nil {
				t.Fatal(err)
			}
			if err := st.W.Exec("DELETE FROM devices").Error; err != nil {
				t.Fatal(err)
			}
			if r.Status != 200 {
				t.Fatalf("the list after an import: %d", r.Status)
			}
		case 422:
			if added != 0 {
				t.Fatalf("a refused import left %d devices: %q", added, file)
			}
			if !strings.Contains(r.Body, `class="error" role="alert"`) {
				t.Fatalf("the refusal of %q says nothing:\n%s", file, r.Body)
			}
		default:
			t.Fatalf("%q: %d\n%s", file, r.Status, r.Body)
		}
		for _, id := range webtest.MessageIDs(r.Body) {
			if !bytes.Contains(file, []byte(id)) {
				t.Fatalf("the page after %q shows the message id %s:\n%s", file, id, r.Body)
			}
		}
		for _, code := range rawCodes.FindAllString(r.Body, -1) {
			if !bytes.Contains(file, []byte(code)) {
				t.Fatalf("the page after %q shows the code %s:\n%s", file, code, r.Body)
			}
		}
	})
}
