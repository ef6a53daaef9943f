package web

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestExportsNeverHoldFormulas(t *testing.T) {
	tab := Table{{"tag", "note"}, {"LAP-0001", `=HYPERLINK("http://x")`}, {"LAP-0002", "+1"}, {"LAP-0003", "<script>alert(1)</script>"}, {"LAP-0004", "gewoon"}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tab); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][1] != `'=HYPERLINK("http://x")` || rows[2][1] != "'+1" || rows[3][1] != "<script>alert(1)</script>" || rows[4][1] != "gewoon" {
		t.Fatalf("csv: %q", rows)
	}
	buf.Reset()
	if err := WriteXLSX(&buf, "Devices", tab); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	formula, _ := f.GetCellFormula("Devices", "B2")
	value, _ := f.GetCellValue("Devices", "B2")
	if formula != "" || value != `=HYPERLINK("http://x")` {
		t.Fatalf("xlsx B2: formula %q value %q", formula, value)
	}
}
