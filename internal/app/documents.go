package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/files"
)

// Upload is a file sent with a document form, read whole (it is at most
// domain.MaxDocumentBytes).
type Upload struct {
	Name string // as the browser named it
	Data []byte
}

// The types a document may have, decided from the content.
var documentTypes = map[string]string{
	"application/pdf": "PDF",
	"image/png":       "PNG image",
	"image/jpeg":      "JPEG image",
	"image/webp":      "WebP image",
}

// claimedTypes maps a file name's extension to the type it claims.
var claimedTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
}

// SniffDocument decides a file's type from its first bytes — never from its name
// or the browser's word — and returns it, or a message fit for the form when the
// file is empty, too large, of a type documents may not have, or named as one
// type while being another (a picture called report.pdf).
func SniffDocument(name string, data []byte) (contentType, problem string) {
	switch {
	case len(data) == 0:
		return "", "The file is empty. Choose the file again, or another one."
	case len(data) > domain.MaxDocumentBytes:
		return "", fmt.Sprintf("The file is %.1f MB; documents may have at most 20 MB.", float64(len(data))/(1<<20))
	}
	ct := http.DetectContentType(data)
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		ct = "application/pdf"
	}
	ct, _, _ = strings.Cut(ct, ";")
	label, ok := documentTypes[ct]
	ext := strings.ToLower(filepath.Ext(name))
	if claimed, named := claimedTypes[ext]; named && claimed != ct {
		what := "not a " + documentTypes[claimed]
		if ok {
			what = "a " + label
		}
		return "", fmt.Sprintf("The file is named %s but is %s inside. Upload the real file.", ext, what)
	}
	if !ok {
		return "", "Only PDF, PNG, JPEG and WebP files can be uploaded; this file is " + describe(ct) + "."
	}
	return ct, ""
}

func describe(ct string) string {
	switch {
	case strings.HasPrefix(ct, "text/"):
		return "text"
	case strings.HasPrefix(ct, "image/"):
		return "a " + strings.ToUpper(strings.TrimPrefix(ct, "image/")) + " image"
	case ct == "application/zip":
		return "a ZIP archive"
	}
	return "of another type (" + ct + ")"
}

// cleanFileName keeps a safe, short base name for downloads.
func cleanFileName(name, contentType string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`"/\<>:|?*`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 150 {
		name = string(r[len(r)-150:])
	}
	if name == "" || name == "." {
		name = "document"
	}
	want := map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}[contentType]
	if claimed := claimedTypes[strings.ToLower(filepath.Ext(name))]; claimed != contentType {
		name += want
	}
	return name
}

// UploadDocument checks the document's fields and the file, stores the file in the
// blob store and records the document — in that order, so that nothing is stored
// when anything is wrong, and the file is removed again if recording fails. Form
// problems come back as one EINVALID naming every bad field ("file" for the
// file). Needs documents.manage.
func (a *App) UploadDocument(ctx context.Context, staff access.Staff, d *domain.Document, up Upload) error {
	if err := staff.Require(access.DocumentsManage); err != nil {
		return err
	}
	fields := map[string]string{}
	ct, problem := "", "Choose a file to upload."
	if up.Data != nil || up.Name != "" {
		ct, problem = SniffDocument(up.Name, up.Data)
	}
	if problem != "" {
		fields["file"] = problem
	}
	if err := a.store.Staff(staff).CheckDocument(ctx, d); err != nil {
		fe := domain.FieldErrors(err)
		if fe == nil {
			return err
		}
		for k, v := range fe {
			fields[k] = v
		}
	}
	if len(fields) > 0 {
		return &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: fields}
	}
	if a.Files == nil {
		return fmt.Errorf("app: no file store configured")
	}
	d.FileKey = files.NewKey(staff.CompanyID(), "documents")
	d.FileName, d.ContentType, d.Size = cleanFileName(up.Name, ct), ct, int64(len(up.Data))
	if err := a.Files.Put(ctx, d.FileKey, bytes.NewReader(up.Data), d.Size, ct); err != nil {
		return fmt.Errorf("app: store document file: %w", err)
	}
	if err := a.store.Staff(staff).CreateDocument(ctx, d); err != nil {
		if derr := a.Files.Delete(context.WithoutCancel(ctx), d.FileKey); derr != nil {
			a.Log.Error("removing the file of a document that was not recorded", "key", d.FileKey, "err", derr)
		}
		d.FileKey = ""
		return err
	}
	return nil
}

// DeleteDocument deletes document id and then its file. A file that cannot be
// removed is logged and left behind: the document is gone either way. Needs
// documents.manage.
func (a *App) DeleteDocument(ctx context.Context, staff access.Staff, id int64) (*domain.Document, error) {
	d, err := a.store.Staff(staff).DeleteDocument(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Files != nil {
		if err := a.Files.Delete(context.WithoutCancel(ctx), d.FileKey); err != nil {
			a.Log.Error("removing the file of a deleted document", "key", d.FileKey, "err", err)
		}
	}
	return d, nil
}

// StaffDocumentFile returns document id of the staff member's tenant with its
// file opened; the caller closes it. Another tenant's document is ENOTFOUND, and
// so is a document whose file is missing.
func (a *App) StaffDocumentFile(ctx context.Context, staff access.Staff, id int64) (*domain.Document, io.ReadCloser, error) {
	d, err := a.store.Staff(staff).Document(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rc, err := a.openDocument(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	return d, rc, nil
}

// PortalDocumentFile returns document id with its file opened if the portal
// Scope may see the document (as on its Documents page), and ENOTFOUND
// otherwise; the caller closes the file. A missing file is ENOTFOUND too.
func (a *App) PortalDocumentFile(ctx context.Context, scope access.Scope, id int64) (*domain.Document, io.ReadCloser, error) {
	d, err := a.store.Portal(scope).PortalDocument(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rc, err := a.openDocument(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	return d, rc, nil
}

// openDocument opens the file of d, which has just been read through a view: a
// file is only ever opened for a document its reader may see.
func (a *App) openDocument(ctx context.Context, d *domain.Document) (io.ReadCloser, error) {
	if a.Files == nil || d.FileKey == "" {
		return nil, domain.Errorf(domain.ENOTFOUND, "The file of this document is missing.")
	}
	rc, err := a.Files.Open(ctx, d.FileKey)
	if errors.Is(err, files.ErrNotFound) {
		a.Log.Error("document file missing from the file store", "document", d.ID, "key", d.FileKey)
		return nil, domain.Errorf(domain.ENOTFOUND, "The file of this document is missing.")
	}
	if err != nil {
		return nil, fmt.Errorf("app: open document %d: %w", d.ID, err)
	}
	return rc, nil
}
