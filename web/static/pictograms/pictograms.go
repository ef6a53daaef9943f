// Package pictograms holds the kiosk's pictograms, the SVG files beside
// this one (OpenMoji colour symbols, CC BY-SA 4.0: see SOURCES and
// LICENSE-OpenMoji.txt), for the code that draws them somewhere other
// than a web page: the printouts of package web/printing. Package web serves
// the same files from its own embed of static/.
package pictograms

import "embed"

//go:embed *.svg
var files embed.FS

// SVG returns the pictogram called name ("laptop", "calendar", …: its
// file name without .svg).
func SVG(name string) ([]byte, bool) {
	if name == "" {
		return nil, false
	}
	b, err := files.ReadFile(name + ".svg")
	if err != nil {
		return nil, false
	}
	return b, true
}
