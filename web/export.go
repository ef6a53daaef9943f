package web

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Table is rows of text for an export: the first row is the header.
type Table [][]string

// SafeCell keeps a spreadsheet from reading text as a formula: a cell that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, which spreadsheets show as plain text. Every export, CSV and
// Excel alike, writes its cells through it.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSVSeparator separates the cells of a CSV export: a semicolon, which is
// what Excel reads in Belgium (in nl-BE and fr-BE a comma is the decimal
// sign), so that a file opened with a double click falls into columns.
const CSVSeparator = ';'

// WriteCSV writes the table as CSV: cells separated by CSVSeparator, UTF-8
// with a byte-order mark so that spreadsheet programs on Windows read
// accents right. A cell holding a semicolon, a comma, a quote or a line
// break is quoted, whichever separator the program that reads it splits
// on: "x;=1+1" stays one cell of text and never becomes a formula of its
// own.
func WriteCSV(w io.Writer, t Table) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	for _, row := range t {
		for i, c := range row {
			if i > 0 {
				bw.WriteByte(CSVSeparator)
			}
			bw.WriteString(csvField(SafeCell(c)))
		}
		bw.WriteString("\r\n")
	}
	return bw.Flush()
}

// csvField quotes a cell when it holds a separator (either one), a quote
// or a line break, or starts with a space, doubling its quotes (RFC 4180).
func csvField(s string) string {
	if !strings.ContainsAny(s, ";,\"\r\n") && !strings.HasPrefix(s, " ") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// WriteXLSX writes the table as one sheet. Every cell is written as a
// string, so nothing is evaluated when the file is opened, and through
// SafeCell, as in CSV, so that nothing becomes a formula either when a
// cell is edited or the sheet is saved as CSV.
func WriteXLSX(w io.Writer, sheet string, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for r, row := range t {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, SafeCell(v)); err != nil {
				return fmt.Errorf("cell %s: %w", cell, err)
			}
		}
	}
	return f.Write(w)
}
