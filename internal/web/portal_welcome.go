package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"net/url"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"portico/internal/domain"
)

// portalWelcomePage is the page a portal user lands on after activating their
// account: the portal's sign-in address to bookmark, as text and as a QR code
// for opening it on a phone. The code's address carries the user's email in
// its fragment (#email=…), which the sign-in page puts in its Email field: on
// the phone only the password is left to type. A fragment never reaches a
// server, a log or a Referer.
type portalWelcomePage struct {
	PortalPage
	SignIn string
	QR     template.URL // a data: URI made by the server; empty if it could not be made
}

// portalWelcome serves GET /portal/{tenant}/welcome.
func (s *Server) portalWelcome(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	p := &portalWelcomePage{PortalPage: s.portalPage(r, "Your account is ready"), SignIn: s.app.PortalLink(pc.company, "/login")}
	if uri, err := qrDataURI(signInFor(p.SignIn, p.User)); err == nil {
		p.QR = template.URL(uri)
	}
	p.Nav = "home"
	s.render(w, r, http.StatusOK, "portal_welcome", p)
	return nil
}

// signInFor is the sign-in address with the user's email in its fragment.
func signInFor(signIn string, u *domain.PortalUser) string {
	if u == nil || u.Email == "" {
		return signIn
	}
	return signIn + "#email=" + url.QueryEscape(u.Email)
}

// qrDataURI renders text as a QR code, a PNG in a data: URI, so that the page
// needs no request to anyone else.
func qrDataURI(text string) (string, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", err
	}
	if code, err = barcode.Scale(code, 200, 200); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, code); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
