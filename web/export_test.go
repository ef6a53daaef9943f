package web

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// exportCells are cells a visitor or staff member could type, each with
// what a spreadsheet must show for it: never a formula.
var exportCells = []struct{ in, want string }{
	{`=HYPERLINK("http://x")`, `'=HYPERLINK("http://x")`},
	{"+1", "'+1"},
	{"-1+2", "'-1+2"},
	{"@SUM(A1)", "'@SUM(A1)"},
	{"\t=1+1", "'\t=1+1"},
	{"\r=1+1", "'\r=1+1"},
	{"x;=1+1", "x;=1+1"},
	{"x,=1+1", "x,=1+1"},
	{"two\nlines", "two\nlines"},
	{`say "hi"`, `say "hi"`},
	{"<script>alert(1)</script>", "<script>alert(1)</script>"},
	{"gewoon", "gewoon"},
	{"", ""},
}

func exportTable() Table {
	t := Table{{"tag", "note"}}
	for _, c := range exportCells {
		t = append(t, []string{"LAP-0001", c.in})
	}
	return t
}

func TestCSVExportNeverHoldsFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, exportTable()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\ufefftag;note\r\n") {
		t.Fatalf("no byte-order mark, or not separated by %q: %q", CSVSeparator, out[:min(len(out), 20)])
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.Comma = CSVSeparator
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(exportCells)+1 {
		t.Fatalf("%d rows read back, want %d", len(rows), len(exportCells)+1)
	}
	for i, c := range exportCells {
		row := rows[i+1]
		if len(row) != 2 || row[1] != c.want {
			t.Errorf("cell %q read back as %q, want [LAP-0001 %q]", c.in, row, c.want)
		}
	}
	// A cell holding either separator, a quote or a line break is quoted,
	// so that a program splitting on ";" or on "," keeps it whole.
	for _, cell := range []string{`"x;=1+1"`, `"x,=1+1"`, "\"two\nlines\"", `"say ""hi"""`} {
		if !strings.Contains(out, ";"+cell+"\r\n") {
			t.Errorf("%s is not written quoted:\n%s", cell, out)
		}
	}
}

func TestXLSXExportNeverHoldsFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "Devices", exportTable()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, c := range exportCells {
		cell, _ := excelize.CoordinatesToCellName(2, i+2)
		formula, err := f.GetCellFormula("Devices", cell)
		if err != nil {
			t.Fatal(err)
		}
		value, err := f.GetCellValue("Devices", cell)
		if err != nil {
			t.Fatal(err)
		}
		if formula != "" || value != c.want {
			t.Errorf("%s (%q): formula %q, value %q, want %q", cell, c.in, formula, value, c.want)
		}
	}
}
