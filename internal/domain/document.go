package domain

import (
	"strconv"
	"strings"
	"time"
)

// Document kinds.
const (
	DocSDS         = "sds" // safety data sheet of a material
	DocCertificate = "certificate"
	DocSiteMap     = "site_map"
	DocOther       = "other"
)

// DocumentKinds lists the kinds in the order forms and filters offer them.
var DocumentKinds = []string{DocSDS, DocCertificate, DocSiteMap, DocOther}

// DocumentKindLabel is the user-facing name of a document kind.
func DocumentKindLabel(kind string) string {
	switch kind {
	case DocSDS:
		return "Safety data sheet (SDS)"
	case DocCertificate:
		return "Certificate"
	case DocSiteMap:
		return "Site map"
	case DocOther:
		return "Other"
	}
	return kind
}

// MaxDocumentBytes is the largest file a document may hold: 20 MB.
const MaxDocumentBytes = 20 << 20

// Document is an uploaded file. A safety data sheet belongs to a material and
// reaches portal users who saw that material used in the last 24 months; every
// other kind belongs to a client, for all its sites or the chosen ones. Nothing
// reaches the portal unless PortalVisible.
type Document struct {
	ID            int64
	CompanyID     int64
	Kind          string
	Title         string
	ValidUntil    time.Time // zero when open-ended; a date (midnight UTC)
	MaterialID    int64     // for an SDS
	ClientID      int64     // for any other kind
	AllSites      bool      // for every site of the client, also those added later
	SiteIDs       []int64   // when not AllSites
	PortalVisible bool

	FileKey     string // where the blob store keeps the bytes; never shown
	FileName    string
	ContentType string // decided from the content at upload
	Size        int64
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Filled by queries.
	MaterialName string
	ClientName   string
	SiteNames    []string
	IsExpired    bool // ValidUntil lies in the past
}

// SizeLabel is the file's size for people: "840 kB", "3.2 MB".
func (d *Document) SizeLabel() string {
	switch {
	case d.Size >= 1<<20:
		return strconv.FormatFloat(float64(d.Size)/(1<<20), 'f', 1, 64) + " MB"
	case d.Size >= 1<<10:
		return strconv.FormatInt((d.Size+512)>>10, 10) + " kB"
	}
	return strconv.FormatInt(d.Size, 10) + " B"
}

// TypeLabel names the file's format: "PDF", "PNG image"…
func (d *Document) TypeLabel() string {
	switch d.ContentType {
	case "application/pdf":
		return "PDF"
	case "image/png":
		return "PNG"
	case "image/jpeg":
		return "JPEG"
	case "image/webp":
		return "WebP"
	}
	return d.ContentType
}

// KindLabel is the user-facing name of the document's kind.
func (d *Document) KindLabel() string { return DocumentKindLabel(d.Kind) }

// Expired reports whether the document's validity ended before now.
func (d *Document) Expired(now time.Time) bool {
	return !d.ValidUntil.IsZero() && d.ValidUntil.AddDate(0, 0, 1).Before(now)
}

// IsImage reports whether the file is a picture (else a PDF).
func (d *Document) IsImage() bool { return strings.HasPrefix(d.ContentType, "image/") }

// Validate checks the document's own fields: a title, a known kind, and the
// target that goes with the kind.
func (d *Document) Validate() error {
	var v Validator
	v.Required("title", d.Title, "Title")
	v.MaxLen("title", d.Title, 200)
	v.OneOf("kind", d.Kind, DocumentKinds...)
	if d.Kind == DocSDS {
		if d.MaterialID == 0 {
			v.Add("material_id", "A safety data sheet belongs to a material. Choose one.")
		}
	} else if d.Kind != "" {
		if d.ClientID == 0 {
			v.Add("client_id", "Choose the client this document is for.")
		} else if !d.AllSites && len(d.SiteIDs) == 0 {
			v.Add("site_ids", "Choose the sites this document is for, or “All sites”.")
		}
	}
	return v.Err()
}

// Normalize trims the title and clears the target fields the kind does not use.
func (d *Document) Normalize() {
	d.Title = strings.TrimSpace(d.Title)
	if d.Kind == DocSDS {
		d.ClientID, d.AllSites, d.SiteIDs = 0, false, nil
	} else {
		d.MaterialID = 0
		if d.AllSites {
			d.SiteIDs = nil
		}
	}
}

// ClientSummary is a portal user's view of one assigned company: what the
// dashboard card shows.
type ClientSummary struct {
	ClientID       int64
	Name           string
	CompanyNumber  string
	ProtocolCount  int
	LastProtocolAt time.Time // zero when there is none
}
