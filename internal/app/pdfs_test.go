package app_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// A PDF as one principal asks for it; the refusals below name who asks for what.
type pdfRequest struct {
	name string
	get  func() ([]byte, error)
}

// wantNotFound fails the test unless every request is refused as not found,
// with no bytes.
func wantNotFound(t *testing.T, reqs ...pdfRequest) {
	t.Helper()
	for _, req := range reqs {
		t.Run(req.name, func(t *testing.T) {
			doc, err := req.get()
			wantCode(t, err, domain.ENOTFOUND)
			if doc != nil {
				t.Errorf("a refused request got %d bytes", len(doc))
			}
		})
	}
}

// wantPDF fails the test unless the request renders, and returns the bytes.
func wantPDF(t *testing.T, req pdfRequest) []byte {
	t.Helper()
	doc, err := req.get()
	if err != nil {
		t.Fatalf("%s: %v", req.name, err)
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("%s: not a PDF: %q", req.name, doc[:min(len(doc), 20)])
	}
	return doc
}

// A protocol's PDF is the same file for staff and for every portal user who may
// see it, printed with the site's city and the tenant's team, never the
// technician. A portal user outside the Scope — a site they may not see,
// another client, another tenant — and anyone asking for a draft in the portal
// gets not found; staff get a draft, marked as such, and never another
// tenant's protocol.
func TestProtocolPDF(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		ctx := t.Context()
		kosice := r.protocol(t, r.kosice, false)
		bratislava := r.protocol(t, r.bratislava, false)
		draft := r.protocol(t, r.kosice, true)
		staff := func(name string, s access.Staff, p *domain.Protocol) pdfRequest {
			return pdfRequest{name, func() ([]byte, error) { _, doc, err := r.app.StaffProtocolPDF(ctx, s, p.ID); return doc, err }}
		}
		portal := func(name string, u *domain.PortalUser, p *domain.Protocol) pdfRequest {
			scope := access.Scope{}
			if u != nil {
				scope = r.scope(t, u)
			}
			return pdfRequest{name, func() ([]byte, error) { _, doc, err := r.app.PortalProtocolPDF(ctx, scope, p.ID); return doc, err }}
		}

		staffDoc := wantPDF(t, staff("staff", r.tn.Staff, kosice))
		for _, req := range []pdfRequest{portal("the Košice user", r.kosiceOnly, kosice), portal("the owner", r.owner, kosice)} {
			if !bytes.Equal(wantPDF(t, req), staffDoc) {
				t.Errorf("%s gets other bytes than staff for the same protocol", req.name)
			}
		}
		text := pdftotext(t, staffDoc)
		wantText(t, "the protocol's PDF", text, "Košice", "ABC s.r.o.", "Company acme team", fmt.Sprintf("No. %d", kosice.Number),
			"Stanica 4 pri sklade bola poškodená.")
		if strings.Contains(text, r.tn.Admin.Name) {
			t.Errorf("the PDF names the technician %q", r.tn.Admin.Name)
		}
		wantText(t, "a draft's PDF", pdftotext(t, wantPDF(t, staff("staff, a draft", r.tn.Staff, draft))), "Service protocol (DRAFT)")

		wantNotFound(t,
			portal("the Košice user, a Bratislava protocol", r.kosiceOnly, bratislava),
			portal("another client's user", r.stranger, kosice),
			portal("another tenant's user", r.betaUser, kosice),
			portal("the owner, a draft", r.owner, draft),
			portal("an empty Scope", nil, kosice),
			staff("another tenant's staff", r.beta.Staff, kosice),
		)
	})
}

// An invoice's PDF prints the tenant and the billing details of its settings,
// the client and the lines; the client's portal users get the bytes staff get.
// Staff also get a draft, marked as such, which the portal does not show; the
// portal refuses anyone outside the Scope, and staff asking under another
// client or from another tenant get not found.
func TestInvoicePDF(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		ctx := t.Context()
		sent, draft := r.invoice(t, false), r.invoice(t, true)
		staff := func(name string, s access.Staff, clientID int64, inv *domain.Invoice) pdfRequest {
			return pdfRequest{name, func() ([]byte, error) {
				_, doc, err := r.app.StaffInvoicePDF(ctx, s, clientID, inv.ID)
				return doc, err
			}}
		}
		portal := func(name string, u *domain.PortalUser, inv *domain.Invoice) pdfRequest {
			scope := access.Scope{}
			if u != nil {
				scope = r.scope(t, u)
			}
			return pdfRequest{name, func() ([]byte, error) { _, doc, err := r.app.PortalInvoicePDF(ctx, scope, inv.ID); return doc, err }}
		}

		staffDoc := wantPDF(t, staff("staff", r.tn.Staff, r.abc.ID, sent))
		if !bytes.Equal(wantPDF(t, portal("the Košice user", r.kosiceOnly, sent)), staffDoc) {
			t.Error("the portal gets other bytes than staff for the same invoice")
		}
		wantText(t, "the invoice's PDF", pdftotext(t, staffDoc), "Invoice", sent.Number, "Company acme", "IBAN SK31 1200 0000 1987 4263 7541",
			"ABC s.r.o.", "Kontrola nástrah v Košiciach", "Rodent monitoring — Košice")
		wantText(t, "a draft's PDF", pdftotext(t, wantPDF(t, staff("staff, a draft", r.tn.Staff, r.abc.ID, draft))), "(DRAFT)")

		wantNotFound(t,
			portal("the owner, a draft", r.owner, draft),
			portal("another client's user", r.stranger, sent),
			portal("another tenant's user", r.betaUser, sent),
			portal("an empty Scope", nil, sent),
			staff("staff, under another client", r.tn.Staff, r.other.ID, sent),
			staff("another tenant's staff", r.beta.Staff, r.abc.ID, sent),
		)
	})
}

// An estimate's PDF follows the same rules; one on no project is for the users
// who see every site of the client, so the Košice user does not get it.
func TestEstimatePDF(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		ctx := t.Context()
		onProject, siteless := r.estimate(t, true, 30), r.estimate(t, false, 30)
		staff := func(name string, s access.Staff, clientID int64, e *domain.Estimate) pdfRequest {
			return pdfRequest{name, func() ([]byte, error) {
				_, doc, err := r.app.StaffEstimatePDF(ctx, s, clientID, e.ID)
				return doc, err
			}}
		}
		portal := func(name string, u *domain.PortalUser, e *domain.Estimate) pdfRequest {
			scope := access.Scope{}
			if u != nil {
				scope = r.scope(t, u)
			}
			return pdfRequest{name, func() ([]byte, error) { _, doc, err := r.app.PortalEstimatePDF(ctx, scope, e.ID); return doc, err }}
		}

		staffDoc := wantPDF(t, staff("staff", r.tn.Staff, r.abc.ID, onProject))
		for _, req := range []pdfRequest{portal("the Košice user", r.kosiceOnly, onProject), portal("the owner", r.owner, onProject)} {
			if !bytes.Equal(wantPDF(t, req), staffDoc) {
				t.Errorf("%s gets other bytes than staff for the same estimate", req.name)
			}
		}
		wantText(t, "the estimate's PDF", pdftotext(t, staffDoc), "Estimate", onProject.Number, "Company acme", "IBAN SK31 1200 0000 1987 4263 7541",
			"ABC s.r.o.", "Oceľová lišta pod dvere")
		wantPDF(t, portal("the owner, on no project", r.owner, siteless))

		wantNotFound(t,
			portal("the Košice user, on no project", r.kosiceOnly, siteless),
			portal("another client's user", r.stranger, onProject),
			portal("another tenant's user", r.betaUser, onProject),
			portal("an empty Scope", nil, onProject),
			staff("staff, under another client", r.tn.Staff, r.other.ID, onProject),
			staff("another tenant's staff", r.beta.Staff, r.abc.ID, onProject),
		)
	})
}
