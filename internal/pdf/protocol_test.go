package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/pdf"
)

// sample is a completed protocol at ABC's Nové Zámky site, whose contact's name
// and the cities carry Slovak diacritics.
func sample() pdf.ProtocolData {
	at := time.Date(2026, 3, 14, 8, 30, 0, 0, time.UTC)
	return pdf.ProtocolData{
		Company: &domain.Company{Name: "Demo Services s.r.o.", TimeZone: "Europe/Bratislava"},
		Client: &domain.Client{Name: "ABC s.r.o.", CompanyNumber: "36123456", VATID: "SK2020123456", Street: "Mlynské nivy 12",
			City: "Bratislava", PostalCode: "821 09", Country: "Slovakia", ContactPerson: "Ing. Peter Novák", Phone: "+421 2 1234 5678"},
		Site: &domain.Site{Name: "Nové Zámky", Street: "Komárňanská 27", City: "Nové Zámky", PostalCode: "940 01", Country: "Slovakia",
			ContactPerson: "Ľubomír Šťastný", Phone: "+421 35 640 2020"},
		Protocol: &domain.Protocol{Number: 1042, PerformedAt: at, ServiceType: "Rodent control", Status: domain.ProtocolCompleted,
			UpdatedAt: at.Add(time.Hour), CompletedAt: at.Add(time.Hour), TechnicianName: "Tomáš Technik",
			Findings:        "Fresh droppings by the goods entrance in Košice-style storage; bait stations 3 and 7 nibbled. Žilina team informed.",
			Recommendations: "Seal the gap under the loading door. Keep pallets 40 cm from the walls.",
			Materials: []domain.ProtocolMaterial{
				{MaterialName: "Ratimor pasta", ActiveSubstance: "Bromadiolone 0.005 %", Quantity: 250, Unit: "g", Location: "Bait stations 1–12 along the north wall"},
				{MaterialName: "Cypermethrin 10 EC", ActiveSubstance: "Cypermethrin", Quantity: 1.5, Unit: "l", Location: "Warehouse floor, ramp"},
			}},
	}
}

// pdftotext extracts the text of a PDF with poppler's real reader.
func pdftotext(t *testing.T, doc []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.pdf")
	if err := os.WriteFile(in, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils; scripts/install-deps.sh installs it): %v\n%s", err, out)
	}
	return string(out)
}

func TestProtocolPDFText(t *testing.T) {
	doc, err := pdf.Protocol(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", doc[:min(20, len(doc))])
	}
	text := pdftotext(t, doc)
	for _, want := range []string{
		"Demo Services s.r.o.", "Service protocol", "No. 1042", "ABC s.r.o.", "36123456",
		"Nové Zámky", "Komárňanská 27", "Ľubomír Šťastný", "Košice", "Žilina",
		"14 Mar 2026, 09:30", // 08:30 UTC in Bratislava
		"Rodent control", "Ratimor pasta", "Bromadiolone", "250 g", "1.5 l", "Bait stations 1–12",
		"Seal the gap", "Demo Services s.r.o. team", "Technician", "Client — ABC s.r.o.", "Page 1 of 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Tomáš") {
		t.Errorf("the PDF names the technician; portal users never see staff names:\n%s", text)
	}
	if os.Getenv("PORTICO_PDF_PNG") != "" {
		os.WriteFile(os.Getenv("PORTICO_PDF_PNG"), doc, 0o644)
	}
}

func TestProtocolPDFIsDeterministic(t *testing.T) {
	a, err := pdf.Protocol(sample())
	if err != nil {
		t.Fatal(err)
	}
	b, err := pdf.Protocol(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same protocol differ; staff and portal must get the same bytes")
	}
}

func TestLongProtocolRunsOntoMorePages(t *testing.T) {
	d := sample()
	for i := 0; i < 60; i++ {
		d.Protocol.Materials = append(d.Protocol.Materials, d.Protocol.Materials[i%2])
	}
	d.Protocol.Findings = strings.Repeat("Checked every station in Košice. ", 80)
	doc, err := pdf.Protocol(d)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, doc)
	if !strings.Contains(text, "Page 2 of") || strings.Count(text, "Active substance") < 2 {
		t.Errorf("a long protocol should run onto a second page with the table head repeated:\n%s", text)
	}
}

func TestDraftIsMarked(t *testing.T) {
	d := sample()
	d.Protocol.Status = domain.ProtocolDraft
	doc, err := pdf.Protocol(d)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftotext(t, doc); !strings.Contains(text, "DRAFT") {
		t.Errorf("a draft's PDF does not say DRAFT:\n%s", text)
	}
}

// BenchmarkProtocolPDF measures rendering one protocol PDF (fonts embedded) — the
// work behind a protocol download, without the database. Goal: under 20 ms.
func BenchmarkProtocolPDF(b *testing.B) {
	d := sample()
	for b.Loop() {
		if _, err := pdf.Protocol(d); err != nil {
			b.Fatal(err)
		}
	}
}
