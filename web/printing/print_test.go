package printing_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web/printing"
)

// Nicknames in every script the kiosk speaks, long enough to wrap.
var (
	latinName    = "Marie-Christine Vandenbroucke-Van Der Straeten de Ghellinck"
	arabicName   = "أمينة عبد الرحمن الهاشمي"
	persianName  = "فرشته رضایی"
	geezName     = "ኣብርሃም ገብረመድህን ወልደሚካኤል"
	cyrillicName = "Олександра Володимирівна Коваленко-Шевченко"
	mixedName    = "Amina بنت Yusuf ሰላም Олена"
	shortArabic  = "أمينة"
	shortGeez    = "ሰላም"
)

var allNames = []string{latinName, arabicName, persianName, geezName, cyrillicName, mixedName, shortArabic, shortGeez}

// printed is one rendered printout and the texts it must give back.
type printed struct {
	name  string
	pdf   []byte
	names []string // must come back from pdftotext, as typed
	// cards, for a sheet of cards: each card's nickname must come back
	// from its own card's area (pdftotext's reading order wanders
	// between neighbouring cards).
	cards []string
}

func renderAll(t *testing.T) []printed {
	t.Helper()
	var out []printed
	add := func(name string, names []string, write func(w io.Writer) error) {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, printed{name: name, pdf: buf.Bytes(), names: names})
	}
	org := "OCMW Antwerpen – Sociale kruidenier De Vlinder, antenne Borgerhout"
	for i, n := range allNames {
		face := printing.CardFace{Token: store.NewToken(), CheckCode: "ABC234", Nickname: n, OrgName: org}
		add(fmt.Sprintf("card-%d", i), []string{n}, func(w io.Writer) error {
			return printing.WriteCardsPDF(w, []printing.CardFace{face}, printing.Single)
		})
	}
	var sheet []printing.CardFace
	for _, n := range append(allNames, allNames...) {
		sheet = append(sheet, printing.CardFace{Token: store.NewToken(), CheckCode: "XYZ789", Nickname: n, OrgName: "CPAS de Liège"})
	}
	add("card-sheet", nil, func(w io.Writer) error { return printing.WriteCardsPDF(w, sheet, printing.SheetA4) })
	for _, f := range sheet {
		out[len(out)-1].cards = append(out[len(out)-1].cards, f.Nickname)
	}

	labels := []printing.DeviceLabel{
		{Tag: "LAP-0001", Caption: "Lenovo ThinkPad T480s 14\" i5-8350U 16 GB met lader en hoes", URL: "http://desk.local:8080/d/LAP-0001"},
		{Tag: "TAB-0002", Caption: "حاسوب لوحي للتدريب على الإنترنت والمواعيد", URL: "http://desk.local:8080/d/TAB-0002"},
		{Tag: "TEL-0003", Caption: "ስልኪ Samsung Galaxy A14 ምስ ቻርጀር", URL: "http://desk.local:8080/d/TEL-0003"},
		{Tag: "NET-0004", Caption: "Мобільний роутер Huawei E5576 із зарядкою", URL: "http://desk.local:8080/d/NET-0004"},
		{Tag: "ACC-00000000005", Caption: "Supercalifragilisticexpialidocious-adapter", URL: "http://desk.local:8080/d/ACC-00000000005"},
	}
	add("labels-a4", nil, func(w io.Writer) error { return printing.WriteLabelsPDF(w, labels, printing.LabelsA4) })
	add("labels-roll", nil, func(w io.Writer) error { return printing.WriteLabelsPDF(w, labels, printing.LabelsRoll62) })

	// lines are devices of the given types, due in mid-July.
	lines := func(types []store.DeviceType, whats ...string) []printing.ReceiptLine {
		var ls []printing.ReceiptLine
		for i, w := range whats {
			ls = append(ls, printing.ReceiptLine{Tag: fmt.Sprintf("LAP-%04d", i+1), What: w, Due: "mercredi 15 juillet 2025", Type: types[i%len(types)]})
		}
		return ls
	}
	add("receipt-fr", []string{latinName}, func(w io.Writer) error {
		return printing.WriteReceiptPDF(w, printing.Receipt{Title: "Reçu de prêt", Org: org, Site: "Antenne Borgerhout", Date: "mardi 1 juillet 2025 14:05",
			MemberLabel: "Prêté à", Member: latinName, DueLabel: "À rendre au plus tard le",
			Lines: lines([]store.DeviceType{store.Laptop, store.Dongle, store.Tablet}, "Ordinateur portable Lenovo ThinkPad T480s avec chargeur USB-C 65 W et housse de protection",
				"Clé internet 4G Huawei E3372 avec carte SIM prépayée", "Tablette"),
			Terms:  "Je prends soin de l'appareil. Je le rends au plus tard à la date prévue, avec tout ce qui l'accompagne. Je n'installe pas de programmes sans demander. Si quelque chose se casse ou se perd, je préviens l'accueil immédiatement.",
			Footer: "Pour toute question ou tout problème avec l'appareil, passez à l'accueil ou appelez-nous. Merci beaucoup.",
			Phone:  "+32 3 123 45 67", Lang: "fr", Dir: "ltr"})
	})
	arabicReceipt := printing.Receipt{Title: "إيصال إعارة", Org: org, Site: "Borgerhout", Date: "2025/07/01 14:05",
		MemberLabel: "مُعار إلى", Member: arabicName, DueLabel: "يُعاد في موعد أقصاه",
		Lines: []printing.ReceiptLine{
			{Tag: "LAP-0001", What: "حاسوب محمول Lenovo ThinkPad T480s مع شاحن USB-C وحقيبة", Due: "الأربعاء 15 يوليو 2025", Type: store.Laptop},
			{Tag: "NET-0002", What: "مفتاح إنترنت", Due: "2025/07/31", Type: store.Dongle},
			{Tag: "ACC-0003", What: "شاحن", Due: "2025/07/31", Type: store.Accessory},
		},
		Terms:  "أعتني بالجهاز جيدًا. أُعيده في الموعد المحدّد أو قبله، مع كل ما جاء معه. لا أثبّت أي برنامج دون أن أستأذن. إذا تعطّل شيء أو ضاع، أُبلغ مكتب الاستقبال فورًا.",
		Footer: "هل لديك سؤال أو مشكلة في الجهاز؟ تعال إلى مكتب الاستقبال أو اتصل بنا. شكرًا!",
		Phone:  "+32 3 123 45 67", Lang: "ar", Dir: "rtl"}
	add("receipt-ar", []string{arabicName}, func(w io.Writer) error { return printing.WriteReceiptPDF(w, arabicReceipt) })
	add("receipt-ti", []string{geezName}, func(w io.Writer) error {
		return printing.WriteReceiptPDF(w, printing.Receipt{Title: "ናይ ልቓሕ ደረሰኝ", Org: org, Site: "Borgerhout", Date: "01/07/2025",
			MemberLabel: "ዝተለቅሐ", Member: geezName, DueLabel: "ክምለስ ዘለዎ ዕለት",
			Lines: []printing.ReceiptLine{{Tag: "TAB-0007", What: "ታብሌት Samsung Galaxy Tab A8 ምስ ቻርጀር", Due: "15/07/2025", Type: store.Tablet},
				{Tag: "TEL-0008", What: "ስልኪ Samsung Galaxy A14", Due: "15/07/2025", Type: store.Phone}},
			Terms: "ነቲ መሳርሒ ብጥንቃቐ ክሕዞ እየ። ኣብቲ ዝተወሰነ ዕለት ምስ ኩሉ ነገራቱ ክመልሶ እየ።", Footer: "ሕቶ እንተሃልዩኩም ናብ ቤት ጽሕፈት ንዑ። የቐንየልና!",
			Phone: "03 123 45 67", Lang: "ti", Dir: "ltr"})
	})
	add("reminder-fa", []string{persianName}, func(w io.Writer) error {
		return printing.WriteReceiptPDF(w, printing.Receipt{Title: "یادآوری دوستانه", Org: org, Site: "Borgerhout", Date: "2025/07/20",
			MemberLabel: "امانت به", Member: persianName, DueLabel: "تاریخ بازگرداندن",
			Lines:  []printing.ReceiptLine{{Tag: "LAP-0003", What: "لپ‌تاپ Dell Latitude 5490 با شارژر", Due: "2025/07/15", Type: store.Laptop}},
			Terms:  "این وسایل را از ما قرض گرفته‌اید و تاریخ بازگرداندن آنها گذشته است. لطفاً به زودی آنها را برگردانید یا بیایید و بگویید اگر بیشتر به آنها نیاز دارید. سپاس!",
			Footer: "سؤالی دارید؟ به میز پذیرش بیایید.", Phone: "+32 3 123 45 67", Reminder: true, Lang: "fa", Dir: "rtl"})
	})
	add("reminder-uk", []string{cyrillicName}, func(w io.Writer) error {
		return printing.WriteReceiptPDF(w, printing.Receipt{Title: "Дружнє нагадування", Org: org, Site: "Borgerhout", Date: "20.07.2025",
			MemberLabel: "Позичено", Member: cyrillicName, DueLabel: "Повернути до",
			Lines: []printing.ReceiptLine{{Tag: "NET-0004", What: "Мобільний інтернет-модем Huawei E5576 із зарядним пристроєм", Due: "15.07.2025", Type: store.Dongle}},
			Terms: "Ви позичили в нас ці пристрої, і дата повернення минула. Будь ласка, поверніть їх найближчим часом.", Footer: "Дякуємо!", Reminder: true, Lang: "uk", Dir: "ltr"})
	})
	add("reminder-fr", []string{latinName}, func(w io.Writer) error {
		return printing.WriteReceiptPDF(w, printing.Receipt{Title: "Petit rappel amical", Org: org, Site: "Antenne Borgerhout", Date: "dimanche 20 juillet 2025",
			MemberLabel: "Prêté à", Member: latinName, DueLabel: "À rendre au plus tard le",
			Lines: lines([]store.DeviceType{store.Laptop, store.Phone, store.Accessory}, "Ordinateur portable Dell Latitude 5490", "Smartphone Samsung Galaxy A14 avec câble de recharge",
				"Chargeur USB-C 65 W"),
			Terms:  "Vous nous avez emprunté ces appareils et la date de retour est passée. Merci de les rapporter bientôt, ou venez nous dire si vous en avez encore besoin.",
			Footer: "Une question ? Passez à l'accueil ou appelez-nous.", Phone: "+32 3 123 45 67", Reminder: true, Lang: "fr", Dir: "ltr"})
	})

	// Small counts come masked (store.MaskCounts): "< 5" and "≥ 5" print as given.
	note := "Om niemand aan te wijzen staat een aantal van 1 tot 4 als \"< 5\"."
	doc := printing.DossierDoc{Title: "Online een afspraak maken bij de huisarts: drempels en oplossingen", Subtitle: org + " · periode 2025-01-01 – 2025-06-30",
		Note: note}
	for i := 0; i < 6; i++ {
		doc.Sections = append(doc.Sections,
			printing.DossierSection{Heading: fmt.Sprintf("Levensdomein %d: gezondheid en welzijn", i+1), Lines: []string{
				"Inloggen met itsme lukt niet zonder Belgisch telefoonnummer: 12", "Te ingewikkeld: < 5", "Alleen online een afspraak mogelijk: ≥ 5",
				"Arbeidsongeschiktheidsuitkeringsaanvraagformulieren zijn onvindbaar op de website van het ziekenfonds",
			}},
			printing.DossierSection{Heading: "Citaten", Quotes: true, Lines: []string{
				"Ik kan geen afspraak maken zonder itsme.", arabicName + " لا أستطيع حجز موعد عبر الإنترنت", geezName + " ብኢንተርነት ቆጸራ ክሕዝ ኣይከኣልኩን", mixedName,
			}},
		)
	}
	add("dossier", []string{arabicName, geezName, "Te ingewikkeld: < 5", "mogelijk: ≥ 5", note}, func(w io.Writer) error { return printing.WriteDossierPDF(w, doc) })
	return out
}

// needPoppler skips without poppler's tools, except in CI, where a
// missing tool is a failure.
func needPoppler(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing (Debian package poppler-utils); .ci/test installs it", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
}

type box struct {
	x0, y0, x1, y1 float64
	text           string
}

type bboxPage struct {
	w, h  float64
	words []box
}

// wordBoxes runs pdftotext -bbox and returns every page's words with
// their boxes, in points from the top left.
func wordBoxes(t *testing.T, pdf string) []bboxPage {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var pages []bboxPage
	attr := func(se xml.StartElement, name string) float64 {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				f, err := strconv.ParseFloat(a.Value, 64)
				if err != nil {
					t.Fatalf("bbox attribute %s=%q", name, a.Value)
				}
				return f
			}
		}
		t.Fatalf("bbox element %s lacks %s", se.Name.Local, name)
		return 0
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parsing pdftotext -bbox: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "page":
			pages = append(pages, bboxPage{w: attr(se, "width"), h: attr(se, "height")})
		case "word":
			var text string
			if cd, err := dec.Token(); err == nil {
				if c, ok := cd.(xml.CharData); ok {
					text = string(c)
				}
			}
			p := &pages[len(pages)-1]
			p.words = append(p.words, box{attr(se, "xMin"), attr(se, "yMin"), attr(se, "xMax"), attr(se, "yMax"), text})
		}
	}
	return pages
}

// imageBoxes runs pdftohtml -xml and returns every page's images (the
// receipts' pictograms) with their boxes, in points from the top left,
// rounded to whole points as pdftohtml gives them.
func imageBoxes(t *testing.T, pdf string) [][]box {
	t.Helper()
	dir := t.TempDir() // pdftohtml writes each image out as a file too
	out, err := exec.Command("pdftohtml", "-xml", "-zoom", "1", "-q", "-stdout", pdf, filepath.Join(dir, "img")).Output()
	if err != nil {
		t.Fatalf("pdftohtml -xml: %v", err)
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var pages [][]box
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parsing pdftohtml -xml: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "page":
			pages = append(pages, nil)
		case "image":
			v := map[string]float64{}
			for _, a := range se.Attr {
				if f, err := strconv.ParseFloat(a.Value, 64); err == nil {
					v[a.Name.Local] = f
				}
			}
			if len(pages) == 0 {
				t.Fatal("pdftohtml: image outside a page")
			}
			p := &pages[len(pages)-1]
			*p = append(*p, box{v["left"], v["top"], v["left"] + v["width"], v["top"] + v["height"], "pictogram"})
		}
	}
	return pages
}

// sheetSlot is where card i sits on an A4 sheet: two columns of five,
// 6 mm apart across and 2 mm down, centred on the page.
func sheetSlot(i int) (page int, x, y float64) {
	const gapX, gapY = 6.0, 2.0
	marginX := (210 - 2*printing.CardW - gapX) / 2
	marginY := (297 - 5*printing.CardH - 4*gapY) / 2
	slot := i % 10
	return i/10 + 1, marginX + float64(slot%2)*(printing.CardW+gapX), marginY + float64(slot/2)*(printing.CardH+gapY)
}

// overlapEpsilon is how far (in points) two word boxes may run into each
// other before it counts: rounding in the PDF's numbers and in
// pdftotext's, a hundredth of a millimetre or so.
const overlapEpsilon = 0.05

// imageEpsilon is the same for a pictogram's box, which pdftohtml
// rounds to whole points.
const imageEpsilon = 1.0

func overlap(a, b box) bool { return overlapBy(a, b, overlapEpsilon) }

func overlapBy(a, b box, eps float64) bool {
	return min(a.x1, b.x1)-max(a.x0, b.x0) > eps && min(a.y1, b.y1)-max(a.y0, b.y0) > eps
}

// readsBack reports whether pdftotext's output holds want as typed. A
// name that mixes directions on one line comes back in the order
// pdftotext guesses for it, so for it each word must be there.
func readsBack(out, want string) bool {
	text := normalize(out)
	if want != mixedName {
		return strings.Contains(text, normalize(want))
	}
	for _, w := range strings.Fields(want) {
		if !strings.Contains(text, normalize(w)) {
			return false
		}
	}
	return true
}

// normalize makes extracted and typed text comparable. What we found with
// poppler 22.12: pdftotext gives back the letters exactly as typed, in
// logical order, because every glyph's ToUnicode entry is the text of its
// shaping cluster (a joined Arabic letter maps to the base letter, never
// to a presentation form; a letter drawn as base plus dot maps once);
// it only wraps right-to-left lines in U+202B … U+202C embedding marks
// and ends lines where the box wrapped; a line that ends in a hyphen
// ("Vandenbroucke-" / "Van") it joins without the hyphen. So: NFKC
// (which would also fold presentation forms U+FB50–U+FEFF back to
// letters, should another extractor or font produce them), drop bidi
// controls and hyphens, and make every run of white space one space.
func normalize(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C, r == '-':
			return -1
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// Every printout, with long names in every script: no two words or
// pictograms on a page overlap, every word and pictogram stays on its
// page, and pdftotext gives back each nickname as typed.
func TestPrintoutsNeverOverlapAndReadBack(t *testing.T) {
	needPoppler(t, "pdftotext", "pdftohtml")
	dir := t.TempDir()
	if keep := os.Getenv("DREMPEL_PRINT_DIR"); keep != "" {
		dir = keep // to look at them: DREMPEL_PRINT_DIR=/tmp/prints go test ./web/printing/
		os.MkdirAll(dir, 0o755)
	}
	for _, p := range renderAll(t) {
		t.Run(p.name, func(t *testing.T) {
			file := filepath.Join(dir, p.name+".pdf")
			if err := os.WriteFile(file, p.pdf, 0o600); err != nil {
				t.Fatal(err)
			}
			pages := wordBoxes(t, file)
			if len(pages) == 0 {
				t.Fatal("no pages")
			}
			words := 0
			for n, pg := range pages {
				words += len(pg.words)
				for i, a := range pg.words {
					if a.x0 < -overlapEpsilon || a.y0 < -overlapEpsilon || a.x1 > pg.w+overlapEpsilon || a.y1 > pg.h+overlapEpsilon {
						t.Errorf("page %d: %q at %.1f,%.1f–%.1f,%.1f runs off the %.1f × %.1f page", n+1, a.text, a.x0, a.y0, a.x1, a.y1, pg.w, pg.h)
					}
					for _, b := range pg.words[i+1:] {
						if overlap(a, b) {
							t.Errorf("page %d: %q (%.2f,%.2f–%.2f,%.2f) overlaps %q (%.2f,%.2f–%.2f,%.2f)", n+1,
								a.text, a.x0, a.y0, a.x1, a.y1, b.text, b.x0, b.y0, b.x1, b.y1)
						}
					}
				}
			}
			if words == 0 {
				t.Fatal("no text found")
			}
			images := imageBoxes(t, file)
			if len(images) != len(pages) {
				t.Fatalf("pdftohtml found %d pages, pdftotext %d", len(images), len(pages))
			}
			for n, imgs := range images {
				pg := pages[n]
				for i, a := range imgs {
					if a.x0 < -imageEpsilon || a.y0 < -imageEpsilon || a.x1 > pg.w+imageEpsilon || a.y1 > pg.h+imageEpsilon {
						t.Errorf("page %d: a pictogram at %.0f,%.0f–%.0f,%.0f runs off the %.1f × %.1f page", n+1, a.x0, a.y0, a.x1, a.y1, pg.w, pg.h)
					}
					for _, b := range imgs[i+1:] {
						if overlapBy(a, b, imageEpsilon) {
							t.Errorf("page %d: pictograms at %.0f,%.0f–%.0f,%.0f and %.0f,%.0f–%.0f,%.0f overlap", n+1, a.x0, a.y0, a.x1, a.y1, b.x0, b.y0, b.x1, b.y1)
						}
					}
					for _, w := range pg.words {
						if overlapBy(a, w, imageEpsilon) {
							t.Errorf("page %d: the pictogram at %.0f,%.0f–%.0f,%.0f overlaps %q (%.2f,%.2f–%.2f,%.2f)", n+1, a.x0, a.y0, a.x1, a.y1, w.text, w.x0, w.y0, w.x1, w.y1)
						}
					}
				}
			}
			for i, want := range p.cards {
				page, x, y := sheetSlot(i)
				mm := func(v float64) string { return strconv.Itoa(int(v * 72 / 25.4)) }
				out, err := exec.Command("pdftotext", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page),
					"-x", mm(x), "-y", mm(y), "-W", mm(printing.CardW), "-H", mm(printing.CardH), file, "-").Output()
				if err != nil {
					t.Fatal(err)
				}
				if !readsBack(string(out), want) {
					t.Errorf("card %d: %q not in its text:\n%s", i+1, want, out)
				}
			}
			out, err := exec.Command("pdftotext", file, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range p.names {
				if !readsBack(string(out), want) {
					t.Errorf("%q not in the text:\n%s", want, out)
				}
			}
		})
	}
}

// A sheet of cards with long names in every script still gives every QR
// code back after printing (pdftoppm).
func TestLongNamesKeepTheQRReadable(t *testing.T) {
	var faces []printing.CardFace
	want := map[string]bool{}
	for _, n := range allNames[:6] {
		f := printing.CardFace{Token: store.NewToken(), CheckCode: "ABC234", Nickname: n, OrgName: "CPAS de Liège"}
		faces = append(faces, f)
		want[f.Token] = true
	}
	var buf bytes.Buffer
	if err := printing.WriteCardsPDF(&buf, faces, printing.SheetA4); err != nil {
		t.Fatal(err)
	}
	for _, img := range render(t, buf.Bytes()) {
		for _, tok := range decodeAll(t, img) {
			delete(want, tok)
		}
	}
	if len(want) != 0 {
		t.Fatalf("%d of %d QR codes not decoded", len(want), len(faces))
	}
}
