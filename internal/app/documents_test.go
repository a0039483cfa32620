package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/files"
	"portico/internal/store"
	"portico/internal/testenv"
)

// Sample file contents, recognised by their first bytes.
var (
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	textBytes = []byte("Plan of the stations, typed in a text editor.\n")
)

func pdfBytes(what string) []byte { return fmt.Appendf(nil, "%%PDF-1.4\n%% %s\n%%%%EOF\n", what) }

// An upload's type comes from its content, never from its name: a PNG is a PNG
// image, a PDF without an extension gets one. The file lands in the file store
// under the tenant's key, byte for byte, and the document records its name,
// type and size.
func TestUploadDocumentTypeFromContent(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		for _, tc := range []struct {
			name, fileName string
			data           []byte
			wantType       string
			wantName       string
		}{
			{"a PNG", "plán Košice.png", pngBytes, "image/png", "plán Košice.png"},
			{"a PDF named without an extension", "report", pdfBytes("report"), "application/pdf", "report.pdf"},
			{"a PDF with a path from an old browser", `C:\Users\jana\Certifikát.PDF`, pdfBytes("certificate"), "application/pdf", "Certifikát.PDF"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := &domain.Document{Kind: domain.DocSiteMap, Title: tc.name, ClientID: r.abc.ID, SiteIDs: []int64{r.kosice.ID}, PortalVisible: true}
				wantCode(t, r.app.UploadDocument(t.Context(), r.tn.Staff, d, app.Upload{Name: tc.fileName, Data: tc.data}), "")
				if d.ContentType != tc.wantType || d.FileName != tc.wantName || d.Size != int64(len(tc.data)) {
					t.Errorf("recorded %q, %q, %d bytes; want %q, %q, %d", d.ContentType, d.FileName, d.Size, tc.wantType, tc.wantName, len(tc.data))
				}
				if !strings.HasPrefix(d.FileKey, fmt.Sprintf("%d/documents/", r.tn.Company.ID)) || !slices.Contains(r.storedFiles(t), d.FileKey) {
					t.Errorf("file key %q; stored files %v", d.FileKey, r.storedFiles(t))
				}
				got, rc, err := r.app.StaffDocumentFile(t.Context(), r.tn.Staff, d.ID)
				wantCode(t, err, "")
				defer rc.Close()
				body, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(body, tc.data) || got.ContentType != tc.wantType || got.Title != tc.name {
					t.Errorf("read back %q (%d bytes) of %q, want the uploaded %d bytes", got.ContentType, len(body), got.Title, len(tc.data))
				}
			})
		}
	})
}

// Whatever is wrong with an upload — the file, a field, the uploader's
// permission — nothing lands in the file store and no document is recorded.
// The file's problem is said in a sentence for the form, next to the fields'.
func TestUploadDocumentRefusedStoresNothing(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		reader := access.NewStaff(db.StaffUser(t, r.tn, "reader@acme.test", access.ProtocolsWrite))
		good := func() *domain.Document {
			return &domain.Document{Kind: domain.DocCertificate, Title: "Certificate", ClientID: r.abc.ID, AllSites: true, PortalVisible: true}
		}
		tooLarge := append(pdfBytes("large"), make([]byte, domain.MaxDocumentBytes)...)
		for _, tc := range []struct {
			name  string
			staff access.Staff
			doc   *domain.Document
			up    app.Upload
			code  string
			field string // the field the refusal names
			says  string // a part of what it says there
		}{
			{"a picture named .pdf", r.tn.Staff, good(), app.Upload{Name: "report.pdf", Data: pngBytes}, domain.EINVALID, "file", "named .pdf but is a PNG image inside"},
			{"a text file", r.tn.Staff, good(), app.Upload{Name: "plan", Data: textBytes}, domain.EINVALID, "file", "this file is text"},
			{"an empty file", r.tn.Staff, good(), app.Upload{Name: "empty.pdf", Data: []byte{}}, domain.EINVALID, "file", "The file is empty."},
			{"over the size limit", r.tn.Staff, good(), app.Upload{Name: "large.pdf", Data: tooLarge}, domain.EINVALID, "file", "documents may have at most 20 MB"},
			{"no file chosen", r.tn.Staff, good(), app.Upload{}, domain.EINVALID, "file", "Choose a file to upload."},
			{"no title", r.tn.Staff, &domain.Document{Kind: domain.DocCertificate, ClientID: r.abc.ID, AllSites: true},
				app.Upload{Name: "c.pdf", Data: pdfBytes("c")}, domain.EINVALID, "title", "Title"},
			{"another tenant's client", r.tn.Staff, &domain.Document{Kind: domain.DocCertificate, Title: "Certificate", ClientID: r.betaClient.ID, AllSites: true},
				app.Upload{Name: "c.pdf", Data: pdfBytes("c")}, domain.EINVALID, "client_id", "Choose one of your clients."},
			{"without documents.manage", reader, good(), app.Upload{Name: "c.pdf", Data: pdfBytes("c")}, domain.EFORBIDDEN, "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := r.app.UploadDocument(t.Context(), tc.staff, tc.doc, tc.up)
				wantCode(t, err, tc.code)
				if tc.field != "" {
					if got := domain.FieldErrors(err)[tc.field]; !strings.Contains(got, tc.says) {
						t.Errorf("field %s says %q, want it to say %q (all: %v)", tc.field, got, tc.says, domain.FieldErrors(err))
					}
				}
				if tc.doc.ID != 0 || tc.doc.FileKey != "" {
					t.Errorf("the refused document got id %d, key %q", tc.doc.ID, tc.doc.FileKey)
				}
				wantNothingStored(t, r)
			})
		}
	})
}

// When recording fails after the file was stored — here the client is deleted
// while its file is being written — the file is removed again.
func TestUploadDocumentRecordFailsRemovesFile(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		gone := db.Client(t, r.tn, "Gone s.r.o.")
		var storedKey string
		r.app.Files = afterPut{Store: r.app.Files, hook: func(key string) {
			storedKey = key
			if err := db.Store.Staff(r.tn.Staff).DeleteClient(context.Background(), gone.ID); err != nil {
				t.Errorf("deleting the client during the upload: %v", err)
			}
		}}
		d := &domain.Document{Kind: domain.DocCertificate, Title: "Certificate", ClientID: gone.ID, AllSites: true}
		err := r.app.UploadDocument(t.Context(), r.tn.Staff, d, app.Upload{Name: "c.pdf", Data: pdfBytes("c")})
		wantCode(t, err, domain.EINVALID)
		if storedKey == "" {
			t.Fatal("the file never reached the file store; the test proves nothing")
		}
		wantNothingStored(t, r)
	})
}

// afterPut is a file store that calls hook after each stored blob.
type afterPut struct {
	files.Store
	hook func(key string)
}

func (a afterPut) Put(ctx context.Context, key string, rd io.Reader, size int64, contentType string) error {
	if err := a.Store.Put(ctx, key, rd, size, contentType); err != nil {
		return err
	}
	a.hook(key)
	return nil
}

// wantNothingStored fails the test if acme has a document or the file store a file.
func wantNothingStored(t *testing.T, r *rig) {
	t.Helper()
	if keys := r.storedFiles(t); len(keys) != 0 {
		t.Errorf("files left in the store: %v", keys)
	}
	docs, _, err := r.db.Store.Staff(r.tn.Staff).Documents(t.Context(), store.DocumentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 0 {
		t.Errorf("%d documents recorded, want none", len(docs))
	}
}

// Deleting a document removes it and its file; it needs documents.manage, and
// another tenant's staff cannot reach it at all.
func TestDeleteDocument(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		ctx := t.Context()
		d := &domain.Document{Kind: domain.DocCertificate, Title: "Certificate", ClientID: r.abc.ID, AllSites: true, PortalVisible: true}
		if err := r.app.UploadDocument(ctx, r.tn.Staff, d, app.Upload{Name: "c.pdf", Data: pdfBytes("c")}); err != nil {
			t.Fatal(err)
		}
		reader := access.NewStaff(db.StaffUser(t, r.tn, "reader@acme.test", access.ProtocolsWrite))

		_, err := r.app.DeleteDocument(ctx, reader, d.ID)
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = r.app.DeleteDocument(ctx, r.beta.Staff, d.ID)
		wantCode(t, err, domain.ENOTFOUND)
		if keys := r.storedFiles(t); !slices.Equal(keys, []string{d.FileKey}) {
			t.Fatalf("after the refused deletions the store holds %v, want just %s", keys, d.FileKey)
		}

		got, err := r.app.DeleteDocument(ctx, r.tn.Staff, d.ID)
		wantCode(t, err, "")
		if got.ID != d.ID || got.Title != "Certificate" {
			t.Errorf("deleted %d %q, want %d", got.ID, got.Title, d.ID)
		}
		wantNothingStored(t, r)
		_, _, err = r.app.StaffDocumentFile(ctx, r.tn.Staff, d.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = r.app.DeleteDocument(ctx, r.tn.Staff, d.ID)
		wantCode(t, err, domain.ENOTFOUND)
	})
}

// A document's file opens only for a principal who may see the document: staff
// of its tenant (any document, hidden ones too), and portal users whose Scope
// shows it (visible, of their client, for all sites or a site they may see).
// Anyone else gets not found, exactly as for a document that does not exist.
func TestDocumentFileReaders(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		ctx := t.Context()
		docs := map[string]*domain.Document{}
		upload := func(staff access.Staff, key string, d *domain.Document) {
			t.Helper()
			if err := r.app.UploadDocument(ctx, staff, d, app.Upload{Name: key + ".pdf", Data: pdfBytes(key)}); err != nil {
				t.Fatalf("upload %s: %v", key, err)
			}
			docs[key] = d
		}
		upload(r.tn.Staff, "kosice", &domain.Document{Kind: domain.DocSiteMap, Title: "Plan Košice", ClientID: r.abc.ID, SiteIDs: []int64{r.kosice.ID}, PortalVisible: true})
		upload(r.tn.Staff, "bratislava", &domain.Document{Kind: domain.DocSiteMap, Title: "Plan Bratislava", ClientID: r.abc.ID, SiteIDs: []int64{r.bratislava.ID}, PortalVisible: true})
		upload(r.tn.Staff, "all", &domain.Document{Kind: domain.DocCertificate, Title: "Certificate ABC", ClientID: r.abc.ID, AllSites: true, PortalVisible: true})
		upload(r.tn.Staff, "hidden", &domain.Document{Kind: domain.DocOther, Title: "Price calculation", ClientID: r.abc.ID, AllSites: true})
		upload(r.beta.Staff, "beta", &domain.Document{Kind: domain.DocCertificate, Title: "Certificate Beta", ClientID: r.betaClient.ID, AllSites: true, PortalVisible: true})

		type reader struct {
			name string
			open func(id int64) (*domain.Document, io.ReadCloser, error)
		}
		staff := func(name string, s access.Staff) reader {
			return reader{name, func(id int64) (*domain.Document, io.ReadCloser, error) { return r.app.StaffDocumentFile(ctx, s, id) }}
		}
		portal := func(name string, scope access.Scope) reader {
			return reader{name, func(id int64) (*domain.Document, io.ReadCloser, error) {
				return r.app.PortalDocumentFile(ctx, scope, id)
			}}
		}
		acmeStaff, betaStaff := staff("acme's staff", r.tn.Staff), staff("beta's staff", r.beta.Staff)
		owner, kosiceOnly := portal("ABC's owner", r.scope(t, r.owner)), portal("ABC's Košice user", r.scope(t, r.kosiceOnly))
		stranger, betaUser := portal("Other's user", r.scope(t, r.stranger)), portal("beta's portal user", r.scope(t, r.betaUser))
		nobody := portal("an empty Scope", access.Scope{})

		for _, tc := range []struct {
			who  reader
			doc  string
			sees bool
		}{
			{acmeStaff, "kosice", true},
			{acmeStaff, "hidden", true},
			{acmeStaff, "beta", false},
			{betaStaff, "kosice", false},
			{betaStaff, "beta", true},
			{owner, "bratislava", true},
			{owner, "hidden", false},
			{kosiceOnly, "kosice", true},
			{kosiceOnly, "all", true},
			{kosiceOnly, "bratislava", false},
			{kosiceOnly, "hidden", false},
			{stranger, "all", false},
			{betaUser, "beta", true},
			{betaUser, "kosice", false},
			{betaUser, "all", false},
			{nobody, "all", false},
		} {
			t.Run(tc.who.name+" opens "+tc.doc, func(t *testing.T) {
				want := docs[tc.doc]
				d, rc, err := tc.who.open(want.ID)
				if !tc.sees {
					wantCode(t, err, domain.ENOTFOUND)
					if d != nil || rc != nil {
						t.Errorf("a refused reader got the document %v and a file", d)
					}
					return
				}
				wantCode(t, err, "")
				defer rc.Close()
				body, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				if d.ID != want.ID || !bytes.Equal(body, pdfBytes(tc.doc)) {
					t.Errorf("opened document %d with %q, want %d with its own file", d.ID, body, want.ID)
				}
			})
		}

		// A file gone from the store is not found either, for staff and portal.
		if err := r.app.Files.Delete(ctx, docs["all"].FileKey); err != nil {
			t.Fatal(err)
		}
		_, _, err := acmeStaff.open(docs["all"].ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, _, err = owner.open(docs["all"].ID)
		wantCode(t, err, domain.ENOTFOUND)
	})
}
