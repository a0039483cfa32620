// Package pdf renders Portico's documents — protocols now, invoices and estimates
// later — in one house style: the tenant's name in the header, a footer with the
// page count, tables with a shaded head. Text is full Unicode (the Go fonts are
// embedded), so "Košice" and "Ľubomír Šťastný" come out as written. Output is
// deterministic: the same input gives the same bytes.
package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW   = 210.0
	margin  = 18.0
	bodyW   = pageW - 2*margin
	lineH   = 5.0
	family  = "go"
	bodyPt  = 9.5
	smallPt = 8.0
)

// House colours: the app's deep teal and slate greys.
var (
	brand     = [3]int{15, 118, 110}
	ink       = [3]int{15, 23, 42}
	muted     = [3]int{100, 116, 139}
	rule      = [3]int{203, 213, 225}
	headShade = [3]int{240, 253, 250}
)

// House is what every document of a tenant carries in its frame.
type House struct {
	Tenant   string    // the service company's name, in the header
	Title    string    // e.g. "Service protocol"
	Ref      string    // e.g. "No. 1042", beside the title and in the footer
	Date     time.Time // the document's date: its creation date in the PDF's metadata
	Subtitle string    // a line under the tenant's name, e.g. its team label
	Locale   string    // the language of the frame's words: "sk" Slovak, else English
}

// Doc is a document being written in the house style.
type Doc struct {
	f *fpdf.Fpdf
	h House
}

// New starts a document with the house header and footer on every page.
func New(h House) *Doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, 22)
	f.AddUTF8FontFromBytes(family, "", goregular.TTF)
	f.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	// Fixed metadata and sorted catalogues make the bytes depend on the content
	// only: staff and portal get the very same file.
	f.SetCreationDate(h.Date)
	f.SetModificationDate(h.Date)
	f.SetCatalogSort(true)
	f.SetTitle(strings.TrimSpace(h.Title+" "+h.Ref), true)
	f.SetAuthor(h.Tenant, true)
	f.SetCreator("Portico", true)
	f.AliasNbPages("{nb}")
	d := &Doc{f: f, h: h}
	f.SetHeaderFunc(d.header)
	f.SetFooterFunc(d.footer)
	f.AddPage()
	return d
}

func (d *Doc) color(c [3]int)                { d.f.SetTextColor(c[0], c[1], c[2]) }
func (d *Doc) draw(c [3]int)                 { d.f.SetDrawColor(c[0], c[1], c[2]) }
func (d *Doc) fill(c [3]int)                 { d.f.SetFillColor(c[0], c[1], c[2]) }
func (d *Doc) font(style string, pt float64) { d.f.SetFont(family, style, pt) }

func (d *Doc) header() {
	f := d.f
	top := 12.0
	f.SetY(top)
	d.fill(brand)
	f.Rect(margin, top, 3, 12, "F")
	f.SetXY(margin+6, top)
	d.color(ink)
	d.font("B", 14)
	f.CellFormat(bodyW/2, 7, d.h.Tenant, "", 2, "L", false, 0, "")
	f.SetX(margin + 6)
	d.color(muted)
	d.font("", smallPt)
	f.CellFormat(bodyW/2, 5, d.h.Subtitle, "", 0, "L", false, 0, "")
	f.SetXY(margin+bodyW/2, top)
	d.color(brand)
	d.font("B", 14)
	f.CellFormat(bodyW/2, 7, d.h.Title, "", 2, "R", false, 0, "")
	f.SetX(margin + bodyW/2)
	d.color(ink)
	d.font("B", 10)
	f.CellFormat(bodyW/2, 5, d.h.Ref, "", 0, "R", false, 0, "")
	d.draw(rule)
	f.SetLineWidth(0.3)
	f.Line(margin, top+15, pageW-margin, top+15)
	f.SetY(top + 21)
	d.color(ink)
	d.font("", bodyPt)
}

func (d *Doc) footer() {
	f := d.f
	f.SetY(-14)
	d.draw(rule)
	f.SetLineWidth(0.2)
	f.Line(margin, f.GetY(), pageW-margin, f.GetY())
	f.Ln(1.5)
	d.color(muted)
	d.font("", smallPt)
	left := d.h.Tenant
	if d.h.Ref != "" {
		left += " · " + d.h.Title + " " + d.h.Ref
	}
	f.CellFormat(bodyW*0.75, 4, left, "", 0, "L", false, 0, "")
	f.CellFormat(bodyW*0.25, 4, fmt.Sprintf(d.t("Page %d of {nb}"), f.PageNo()), "", 0, "R", false, 0, "")
}

// Section writes a section heading.
func (d *Doc) Section(title string) {
	f := d.f
	if f.GetY() > 250 {
		f.AddPage()
	}
	f.Ln(3)
	d.color(brand)
	d.font("B", 10.5)
	f.CellFormat(bodyW, 6, title, "", 1, "L", false, 0, "")
	d.draw(rule)
	f.SetLineWidth(0.2)
	f.Line(margin, f.GetY(), pageW-margin, f.GetY())
	f.Ln(2)
	d.color(ink)
	d.font("", bodyPt)
}

// Field is one label and value of a Fields block.
type Field struct {
	Label, Value string
}

// Fields writes label/value pairs in two columns of a box, each column top to
// bottom: left first, then right.
func (d *Doc) Fields(left, right []Field) {
	f := d.f
	colW := bodyW / 2
	labelW := 30.0
	y0 := f.GetY()
	yEnd := y0
	for i, col := range [][]Field{left, right} {
		x := margin + float64(i)*colW
		f.SetY(y0)
		for _, fd := range col {
			f.SetX(x)
			d.color(muted)
			d.font("", smallPt)
			f.CellFormat(labelW, lineH, fd.Label, "", 0, "L", false, 0, "")
			d.color(ink)
			d.font("", bodyPt)
			value := fd.Value
			if value == "" {
				value = "—"
			}
			f.MultiCell(colW-labelW-3, lineH, value, "", "L", false)
		}
		yEnd = max(yEnd, f.GetY())
	}
	f.SetY(yEnd + 1)
}

// Column is a table column: its heading, width in millimetres and alignment
// ("L", "R", "C").
type Column struct {
	Title string
	Width float64
	Align string
}

// Table writes a table with a shaded head; cells wrap, and the head repeats on
// every page the table runs onto. With no rows it writes empty instead.
func (d *Doc) Table(cols []Column, rows [][]string, empty string) {
	f := d.f
	head := func() {
		d.fill(headShade)
		d.draw(rule)
		d.color(brand)
		d.font("B", smallPt)
		for _, c := range cols {
			f.CellFormat(c.Width, 6.5, " "+c.Title, "B", 0, alignOf(c.Align), true, 0, "")
		}
		f.Ln(-1)
		d.color(ink)
		d.font("", bodyPt)
	}
	head()
	if len(rows) == 0 {
		d.color(muted)
		f.CellFormat(bodyW, 7, " "+empty, "B", 1, "L", false, 0, "")
		d.color(ink)
		return
	}
	_, pageH := f.GetPageSize()
	_, _, _, bottom := f.GetMargins()
	for _, row := range rows {
		lines := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			lines[i] = f.SplitText(cellText(row, i), c.Width-2.5)
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lineH + 2
		if f.GetY()+h > pageH-bottom-8 {
			f.AddPage()
			head()
		}
		y := f.GetY()
		x := margin
		for i, c := range cols {
			f.SetXY(x+1.2, y+1)
			for _, ln := range lines[i] {
				f.SetX(x + 1.2)
				f.CellFormat(c.Width-2.4, lineH, ln, "", 2, alignOf(c.Align), false, 0, "")
			}
			x += c.Width
		}
		d.draw(rule)
		f.SetLineWidth(0.15)
		f.Line(margin, y+h, margin+sumWidths(cols), y+h)
		f.SetXY(margin, y+h)
	}
}

func cellText(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func alignOf(a string) string {
	if a == "" {
		return "L"
	}
	return a + "M"
}

func sumWidths(cols []Column) float64 {
	var w float64
	for _, c := range cols {
		w += c.Width
	}
	return w
}

// Paragraph writes wrapped text; empty text writes empty in grey instead.
func (d *Doc) Paragraph(text, empty string) {
	f := d.f
	if strings.TrimSpace(text) == "" {
		d.color(muted)
		f.MultiCell(bodyW, lineH, empty, "", "L", false)
		d.color(ink)
		return
	}
	f.MultiCell(bodyW, lineH, text, "", "L", false)
}

// Signatures writes a row of signature lines with a label under each, kept
// together on one page.
func (d *Doc) Signatures(labels ...string) {
	f := d.f
	_, pageH := f.GetPageSize()
	if f.GetY()+34 > pageH-22 {
		f.AddPage()
	}
	f.Ln(18)
	gap := 12.0
	w := (bodyW - gap*float64(len(labels)-1)) / float64(len(labels))
	y := f.GetY()
	d.draw(ink)
	f.SetLineWidth(0.3)
	for i, l := range labels {
		x := margin + float64(i)*(w+gap)
		f.Line(x, y, x+w, y)
		f.SetXY(x, y+1.5)
		d.color(muted)
		d.font("", smallPt)
		f.CellFormat(w, 4, l, "", 0, "L", false, 0, "")
	}
	f.SetY(y + 8)
	d.color(ink)
	d.font("", bodyPt)
}

// Bytes finishes the document and returns the PDF.
func (d *Doc) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}
