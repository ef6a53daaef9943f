package printing_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drempel/drempel/web/printing"
)

// The attendance review prints on landscape A4: a grid wider than the
// page goes on in a second table with the same participants, nothing
// overlaps or runs off, and every name comes back as typed.
func TestAttendancePrintsLandscapeAndPaged(t *testing.T) {
	needPoppler(t, "pdftotext", "pdftohtml")
	doc := printing.AttendanceDoc{Title: "Aanwezigheden", Subtitle: "De Drempel · 01/07/2026 – 30/09/2026",
		Legend: "A Aanwezig   X Afwezig   V Verontschuldigd", Participant: "Deelnemer", Totals: "Totaal", Note: "Teamnotitie",
		Empty: "Geen sessies.", Lang: "nl", Dir: "ltr"}
	g := printing.AttendanceGrid{Heading: "Nederlands oefenen · Taalcursus"}
	for i := 0; i < 20; i++ {
		g.Sessions = append(g.Sessions, fmt.Sprintf("%d/7", i+1))
	}
	for _, name := range []string{"Amina", "Олена", "ዮናስ", "شیرین", "Marie-Christine Vandenbroucke"} {
		r := printing.AttendanceRow{Name: name, Totals: "A 15 · X 4 · V 1", Note: "Bellen na twee keer afwezig"}
		for i := range g.Sessions {
			mark := "A"
			if i == 4 || i == 5 || i == 15 || i == 16 {
				mark = "X"
			}
			r.Cells = append(r.Cells, mark)
			r.InRun = append(r.InRun, mark == "X")
		}
		g.Rows = append(g.Rows, r)
	}
	doc.Grids = []printing.AttendanceGrid{g, {Heading: "Leeg", Sessions: []string{"1/7"}}}
	var buf bytes.Buffer
	if err := printing.WriteAttendancePDF(&buf, doc); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "attendance.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	pages := checkLayout(t, file)
	if pages[0].w <= pages[0].h {
		t.Errorf("not landscape: %.0f × %.0f", pages[0].w, pages[0].h)
	}
	var all []string
	for _, pg := range pages {
		for _, w := range pg.words {
			all = append(all, w.text)
		}
	}
	text := strings.Join(all, " ")
	plain, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Aanwezigheden", "(1/2)", "(2/2)", "Amina", "Олена", "ዮናስ", "شیرین", "20/7", "Teamnotitie"} {
		if !readsBack(string(plain), want) {
			t.Errorf("the printout lacks %q", want)
		}
	}
	// Each name is on both parts of the grid.
	if n := strings.Count(text, "Amina"); n < 2 {
		t.Errorf("Amina is on %d parts of the grid", n)
	}
}
