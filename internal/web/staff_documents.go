package web

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
)

type documentListPage struct {
	Page
	Documents []*domain.Document
	Info      domain.PageInfo
	Filter    url.Values
	Kinds     []kindOption
	URL       *url.URL
}

// kindOption is a document kind offered in a select.
type kindOption struct{ Value, Label string }

// kindOptions lists the kinds, or with clientOnly those a client's document may have.
func kindOptions(clientOnly bool) []kindOption {
	var out []kindOption
	for _, k := range domain.DocumentKinds {
		if clientOnly && k == domain.DocSDS {
			continue
		}
		out = append(out, kindOption{k, domain.DocumentKindLabel(k)})
	}
	return out
}

// documentList serves GET /app/documents?q=&kind=&page=: every document of the company.
func (s *Server) documentList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.DocumentFilter{Query: q.Get("q"), Kind: knownKind(q.Get("kind")), ListOptions: domain.ListOptions{Page: page}}
	docs, info, err := s.staffView(r).Documents(r.Context(), f)
	if err != nil {
		return err
	}
	p := &documentListPage{Page: s.page(r, "Documents"), Documents: docs, Info: info, Filter: q, Kinds: kindOptions(false), URL: r.URL}
	p.Nav = "materials"
	s.render(w, r, http.StatusOK, "documents", p)
	return nil
}

func knownKind(k string) string {
	for _, x := range domain.DocumentKinds {
		if x == k {
			return k
		}
	}
	return ""
}

type clientDocumentsPage struct {
	clientTabPage
	Documents []*domain.Document
	Info      domain.PageInfo
	URL       *url.URL
}

// clientDocuments serves GET /app/clients/{id}/documents?page=: the client's documents.
func (s *Server) clientDocuments(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "documents")
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	docs, info, err := s.staffView(r).Documents(r.Context(), store.DocumentFilter{ClientID: t.Client.ID, ListOptions: domain.ListOptions{Page: page}})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "client_documents", &clientDocumentsPage{clientTabPage: t, Documents: docs, Info: info, URL: r.URL})
	return nil
}

type documentFormPage struct {
	Page
	Form      *Form
	Action    string
	Document  *domain.Document // nil when uploading
	Client    *domain.Client   // the client of a client document
	Sites     []*domain.Site
	Materials []*domain.Material // choices for a safety data sheet
	Kinds     []kindOption       // choices for a client's document
	Back      string
}

// documentForm renders the upload or edit form: for a client's document when
// client is set, else for a material's safety data sheet.
func (s *Server) documentForm(w http.ResponseWriter, r *http.Request, status int, d *domain.Document, clientID int64, f *Form) error {
	p := &documentFormPage{Page: s.page(r, "Upload document"), Form: f, Action: "/app/documents", Document: d, Back: "/app/documents", Kinds: kindOptions(true)}
	p.Nav = "materials"
	if d != nil {
		p.Title, p.Action = localf(r, "Edit %s", d.Title), fmt.Sprintf("/app/documents/%d", d.ID)
	}
	if clientID != 0 {
		c, err := s.staffView(r).Client(r.Context(), clientID)
		if err != nil {
			return err
		}
		sites, err := s.staffView(r).Sites(r.Context(), clientID)
		if err != nil {
			return err
		}
		p.Client, p.Sites, p.Back = c, sites, fmt.Sprintf("/app/clients/%d/documents", c.ID)
		p.Nav = "clients"
	} else {
		ms, err := s.staffView(r).AllMaterials(r.Context())
		if err != nil {
			return err
		}
		p.Materials = ms
		if m := f.Get("material_id"); m != "" && m != "0" {
			p.Back = "/app/materials/" + m
		}
	}
	s.render(w, r, status, "document_form", p)
	return nil
}

// documentNew serves GET /app/documents/new?client= (a client's document) or
// ?material= (a safety data sheet).
func (s *Server) documentNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	clientID := queryID(q, "client")
	v := url.Values{"portal_visible": {"1"}, "kind": {domain.DocSDS}, "material_id": {q.Get("material")}}
	if clientID != 0 {
		v = url.Values{"portal_visible": {"1"}, "kind": {domain.DocCertificate}, "client_id": {itoa(clientID)}, "all_sites": {"1"}}
	}
	return s.documentForm(w, r, http.StatusOK, nil, clientID, newForm(v))
}

// documentFromForm reads a document's fields from a submitted form.
func documentFromForm(v url.Values) (*domain.Document, map[string]string) {
	bad := map[string]string{}
	d := &domain.Document{Kind: v.Get("kind"), Title: v.Get("title"), AllSites: v.Get("all_sites") == "1", PortalVisible: v.Get("portal_visible") == "1"}
	var ok bool
	if d.MaterialID, ok = formID(v, "material_id"); !ok {
		bad["material_id"] = "Choose a material from the list."
	}
	if d.ClientID, ok = formID(v, "client_id"); !ok {
		bad["client_id"] = "Choose the client this document is for."
	}
	if d.SiteIDs, ok = formIDs(v["site_ids"]); !ok {
		bad["site_ids"] = "Choose the sites from the list only."
	}
	if s := strings.TrimSpace(v.Get("valid_until")); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil || t.IsZero() { // 0001-01-01 would read as open-ended
			bad["valid_until"] = "Enter a date, like 2027-12-31."
		}
		d.ValidUntil = t
	}
	return d, bad
}

// documentCreate serves POST /app/documents: a multipart upload of at most 20 MB,
// whose type is decided from the content. Any problem re-renders the form with the
// message next to its field and stores nothing.
func (s *Server) documentCreate(w http.ResponseWriter, r *http.Request) error {
	// The server caps multipart bodies at 25 MiB; documents get 20 MB plus room
	// for the other fields.
	r.Body = http.MaxBytesReader(w, r.Body, domain.MaxDocumentBytes+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		q := r.URL.Query()
		f := newForm(url.Values{"portal_visible": {"1"}, "material_id": {q.Get("material")}})
		if errors.As(err, &mbe) || strings.Contains(err.Error(), "too large") {
			f.Errors["file"] = "The file is larger than 20 MB. Documents may have at most 20 MB."
			f.Error = "The upload was too large and was not stored."
			return s.documentForm(w, r, http.StatusRequestEntityTooLarge, nil, queryID(q, "client"), f)
		}
		return domain.Errorf(domain.EINVALID, "The upload could not be read. Please try again.")
	}
	defer r.MultipartForm.RemoveAll()
	textErr := formTextError(r) // first: it reads a textarea's CRLF as newlines
	d, bad := documentFromForm(r.PostForm)
	maps.Copy(bad, domain.FieldErrors(textErr))
	var up app.Upload
	file, hdr, err := r.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile):
	case err != nil:
		return domain.Errorf(domain.EINVALID, "The upload could not be read. Please try again.")
	default:
		defer file.Close()
		up.Name = hdr.Filename
		up.Data, err = io.ReadAll(io.LimitReader(file, domain.MaxDocumentBytes+1))
		if err != nil {
			return err
		}
		if up.Data == nil {
			up.Data = []byte{}
		}
	}
	if len(bad) == 0 {
		err = s.app.UploadDocument(r.Context(), who(r), d, up)
	} else {
		err = &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: bad}
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		status := http.StatusUnprocessableEntity
		if len(up.Data) > domain.MaxDocumentBytes {
			status = http.StatusRequestEntityTooLarge
		}
		return s.documentForm(w, r, status, nil, d.ClientID, newForm(r.PostForm).withError(err))
	}
	back := fmt.Sprintf("/app/materials/%d", d.MaterialID)
	if d.ClientID != 0 {
		back = fmt.Sprintf("/app/clients/%d/documents", d.ClientID)
	}
	return s.redirectFlash(w, r, back, "Document "+d.Title+" uploaded.")
}

func (s *Server) documentOf(r *http.Request) (*domain.Document, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.staffView(r).Document(r.Context(), id)
}

// documentFile serves GET /app/documents/{id}/file: the file as a preview, or with
// ?download=1 as a download.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, rc, err := s.app.StaffDocumentFile(r.Context(), who(r), id)
	if err != nil {
		return err
	}
	return s.sendDocument(w, r, d, rc)
}

// documentEdit serves GET /app/documents/{id}/edit.
func (s *Server) documentEdit(w http.ResponseWriter, r *http.Request) error {
	d, err := s.documentOf(r)
	if err != nil {
		return err
	}
	v := url.Values{"kind": {d.Kind}, "title": {d.Title}, "material_id": {itoa(d.MaterialID)}, "client_id": {itoa(d.ClientID)}}
	if !d.ValidUntil.IsZero() {
		v.Set("valid_until", d.ValidUntil.Format("2006-01-02"))
	}
	if d.AllSites {
		v.Set("all_sites", "1")
	}
	if d.PortalVisible {
		v.Set("portal_visible", "1")
	}
	for _, id := range d.SiteIDs {
		v.Add("site_ids", itoa(id))
	}
	return s.documentForm(w, r, http.StatusOK, d, d.ClientID, newForm(v))
}

// documentUpdate serves POST /app/documents/{id}. The file stays; so does whether
// the document is a material's or a client's.
func (s *Server) documentUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := s.documentOf(r)
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	d, bad := documentFromForm(r.PostForm)
	d.ID = old.ID
	if old.ClientID != 0 {
		d.MaterialID, d.ClientID = 0, old.ClientID
		if d.Kind == domain.DocSDS {
			bad["kind"] = "A safety data sheet belongs to a material; upload it on the material's page."
		}
	} else {
		d.ClientID, d.Kind = 0, domain.DocSDS
	}
	maps.Copy(bad, domain.FieldErrors(textErr))
	if len(bad) == 0 {
		err = s.staffView(r).UpdateDocument(r.Context(), d)
	} else {
		err = &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: bad}
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.documentForm(w, r, http.StatusUnprocessableEntity, old, old.ClientID, newForm(r.PostForm).withError(err))
	}
	back := fmt.Sprintf("/app/materials/%d", d.MaterialID)
	if d.ClientID != 0 {
		back = fmt.Sprintf("/app/clients/%d/documents", d.ClientID)
	}
	return s.redirectFlash(w, r, back, "Document saved.")
}

// documentDelete serves POST /app/documents/{id}/delete.
func (s *Server) documentDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.app.DeleteDocument(r.Context(), who(r), id)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/app/materials/%d", d.MaterialID)
	if d.ClientID != 0 {
		back = fmt.Sprintf("/app/clients/%d/documents", d.ClientID)
	}
	return s.redirectFlash(w, r, back, "Document "+d.Title+" deleted.")
}
