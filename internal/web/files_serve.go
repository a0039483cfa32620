package web

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strconv"

	"portico/internal/domain"
)

// previewCSP is the policy of a served file: a sandbox with nothing to load, so
// that a file can never act as a page of this site, even if a browser were to
// take it for HTML.
const previewCSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'none'"

// embedCSP is previewCSP for a file shown inside the portal's own preview page
// (?embed=1): the same sandbox, framed by this origin's pages and no other.
const embedCSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'"

// sendFile writes a file with its type, as a preview (inline) or a download
// (attachment). The type comes from the server — sniffed at upload or generated —
// never from the request.
func sendFile(w http.ResponseWriter, r *http.Request, body io.Reader, size int64, name, contentType string, download bool) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	disposition := "inline"
	if download {
		disposition = "attachment"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", previewCSP)
	if !download && r.URL.Query().Get("embed") == "1" {
		h.Set("Content-Security-Policy", embedCSP)
		h.Set("X-Frame-Options", "SAMEORIGIN")
	}
	// A file is one signed-in person's: no cache, shared or private, keeps a copy.
	h.Set("Cache-Control", "private, no-store")
	if size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := io.Copy(w, body)
	return err
}

// sendPDF writes generated PDF bytes.
func sendPDF(w http.ResponseWriter, r *http.Request, doc []byte, name string) error {
	return sendFile(w, r, bytes.NewReader(doc), int64(len(doc)), name, "application/pdf", r.URL.Query().Get("download") == "1")
}

// sendDocument streams a document's file, opened by the app for the request's
// principal, and closes it.
func (s *Server) sendDocument(w http.ResponseWriter, r *http.Request, d *domain.Document, rc io.ReadCloser) error {
	defer rc.Close()
	if err := sendFile(w, r, rc, d.Size, d.FileName, d.ContentType, r.URL.Query().Get("download") == "1"); err != nil {
		// The status is sent; all that is left is to note the broken transfer.
		s.log.Warn("sending a document failed", "document", d.ID, "err", err)
	}
	return nil
}
