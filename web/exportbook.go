package web

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Sheet is one named sheet of a workbook.
type Sheet struct {
	Name  string // at most 31 characters, no []:*?/\
	Table Table
}

// WriteXLSXBook writes several tables as the sheets of one workbook, each
// cell as a string through SafeCell, as WriteXLSX does.
func WriteXLSXBook(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return err
		}
		for r, row := range s.Table {
			for c, v := range row {
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					return err
				}
				if err := f.SetCellStr(s.Name, cell, SafeCell(v)); err != nil {
					return fmt.Errorf("sheet %s, cell %s: %w", s.Name, cell, err)
				}
			}
		}
	}
	return f.Write(w)
}
