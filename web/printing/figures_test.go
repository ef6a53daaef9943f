package printing_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web/chart"
	"github.com/drempel/drempel/web/printing"
)

// A period's figures print on landscape A4: a block wider than the page
// goes on in a second table of the same rows, a long block runs over
// pages, nothing overlaps or runs off, and every masked value reads back
// as given.
func TestFiguresPrintLandscapeAndMasked(t *testing.T) {
	needPoppler(t, "pdftotext", "pdftohtml")
	doc := printing.FiguresDoc{Title: "Chiffres pour une période", Subtitle: "Ce site : Liège · Période : 01/01/2026 – 31/12/2026",
		Before: "Période précédente", Note: "Chaque nombre inférieur à 5 s'affiche « < 5 ».", Lang: "fr", Dir: "ltr"}
	courses := printing.FiguresTable{Heading: "Formations", RowHead: "Formation",
		Cols: []string{"Séances données", "Participants", "Heures de présence", "Taux de remplissage moyen", "Smiley 1", "Smiley 2", "Smiley 3", "Smiley 4"}}
	for i := 0; i < 40; i++ {
		row := printing.FiguresRow{Label: fmt.Sprintf("Atelier informatique %d", i+1)}
		for c := range courses.Cols {
			row.Cells = append(row.Cells, [2]string{fmt.Sprint(10 + c + i), store.MaskedSmall})
		}
		courses.Rows = append(courses.Rows, row)
	}
	courses.Rows[0].Cells[2] = [2]string{store.HiddenValue, "12.5"}
	people := printing.FiguresTable{Heading: "Participants", RowHead: "Chiffre", Cols: []string{"Nombre"},
		Rows: []printing.FiguresRow{{Label: "Participants uniques", Cells: [][2]string{{"120", store.MaskedSmall}}}}}
	doc.Tables = []printing.FiguresTable{people, courses}
	var months []chart.Row
	for m := 1; m <= 12; m++ {
		months = append(months, chart.Row{Label: fmt.Sprintf("%02d/2026", m), Values: []string{fmt.Sprint(m * 7), []string{store.MaskedSmall, store.MaskedLarge, "120"}[m%3]}})
	}
	doc.Charts = []*chart.Chart{
		chart.New("months", "Participants et visites par mois", "Rien", []chart.Series{{Name: "Participants uniques", Color: "#0b6e4f"}, {Name: "Visites", Color: "#1f5fa8"}}, months),
		chart.New("sat", "Satisfaction par formation", "Rien", []chart.Series{{Name: "Smiley 1", Color: "#b3261e", Icon: "smiley-1"}, {Name: "Smiley 2", Color: "#8a5a00", Icon: "smiley-2"},
			{Name: "Smiley 3", Color: "#3d6b0c", Icon: "smiley-3"}, {Name: "Smiley 4", Color: "#0b6e4f", Icon: "smiley-4"}},
			[]chart.Row{{Label: "Atelier informatique pour les débutants qui n'ont jamais touché un ordinateur", Values: []string{store.MaskedSmall, "0", "12", store.HiddenValue}}}),
		chart.New("none", "Heures de présence par formation", "Rien à montrer pour cette période.", nil, nil),
	}
	doc.ChartNote = "Une barre hachurée ne montre pas la vraie longueur."
	var buf bytes.Buffer
	if err := printing.WriteFiguresPDF(&buf, doc); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if keep := os.Getenv("DREMPEL_PRINT_DIR"); keep != "" {
		dir = keep // to look at it: DREMPEL_PRINT_DIR=/tmp/prints go test ./web/printing/
	}
	file := filepath.Join(dir, "figures.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	pages := checkLayout(t, file)
	if pages[0].w <= pages[0].h {
		t.Errorf("not landscape: %.0f × %.0f", pages[0].w, pages[0].h)
	}
	if len(pages) < 3 {
		t.Errorf("%d pages: 40 courses in two tables should run over pages", len(pages))
	}
	raw, err := exec.Command("pdftotext", "-raw", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, want := range []string{"Chiffres pour une période", "Formations (1/2)", "Formations (2/2)",
		"Participants et visites par mois", "01/2026 7", "84", "Rien à montrer pour cette période.", "Une barre hachurée",
		"Participants uniques 120 < 5", "Atelier informatique 1 10 < 5 11 < 5 (< 5) 12.5 13 < 5",
		"Atelier informatique 1 14 < 5 15 < 5 16 < 5 17 < 5", "Atelier informatique 40 49 < 5"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printout lacks %q:\n%s", want, text)
		}
	}
	// The heading row repeats on every page a table runs onto.
	if n := strings.Count(text, "Formation Séances données"); n < 2 {
		t.Errorf("the courses' heading row is on %d pages", n)
	}
}
