package web

import (
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"portico/internal/auth"
	"portico/internal/domain"
)

const (
	staffCookie = "portico_staff"
	flashCookie = "portico_flash"
)

// sessionToken returns the session token in the named cookie, or "".
func sessionToken(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func setSessionCookie(w http.ResponseWriter, name, token string, secure bool) {
	setSessionCookieAt(w, name, token, "/", secure)
}

// setSessionCookieAt sets a session cookie valid below path only.
func setSessionCookieAt(w http.ResponseWriter, name, token, path string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: token, Path: path, HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(auth.SessionAbsolute.Seconds())})
}

func clearCookie(w http.ResponseWriter, name string, secure bool) {
	clearCookieAt(w, name, "/", secure)
}

func clearCookieAt(w http.ResponseWriter, name, path string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// redirectFlash redirects after a successful POST and shows msg once on the next page.
func (s *Server) redirectFlash(w http.ResponseWriter, r *http.Request, to, msg string) error {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// flashText decodes a flash cookie; pages clear it once shown (see consumeFlash).
func flashText(v string) string {
	t, err := url.QueryUnescape(v)
	if err != nil || len(t) > 300 {
		return ""
	}
	return t
}

// consumeFlash deletes the flash cookie so that the message shows once.
func consumeFlash(w http.ResponseWriter, r *http.Request, secure bool) {
	if _, err := r.Cookie(flashCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true, Secure: secure,
			SameSite: http.SameSiteLaxMode, MaxAge: -1})
	}
}

// pathID parses the named path segment as a positive id; anything else is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, ok := canonicalID(r.PathValue(name))
	if !ok {
		return 0, domain.Errorf(domain.ENOTFOUND, "Page not found.")
	}
	return id, nil
}

// canonicalID reads s as a positive id written the one way the app writes it:
// decimal digits without sign, leading zeros or spaces, within int64. "0042",
// "+42" and " 42" name no page, so one page has one address (caches, logs and
// links all agree on it).
func canonicalID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, false
	}
	return id, true
}

// formID reads an optional choice of an id from a form field: blank, or the
// "—" option's 0, is none (0); an id spelled as canonicalID reads it is that
// id; anything else is not taken for none but reported (ok false), so that the
// form can say so next to the field.
func formID(v url.Values, name string) (id int64, ok bool) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" || s == "0" {
		return 0, true
	}
	return canonicalID(s)
}

// parseForm parses a urlencoded form body; a body over the limit is ETOOLARGE,
// anything unreadable EINVALID, and so is any value that is not text (see
// checkText), shown on an error page. Every form handler reads its form through
// here or through readForm, which a form drawn again on validation errors uses
// to show text errors next to their fields; so no form can store control
// characters or broken UTF-8 by forgetting to check.
func parseForm(r *http.Request) error {
	if err := readBody(r); err != nil {
		return err
	}
	return checkText(r)
}

// readBody parses the form; a body over the limit is ETOOLARGE, anything
// unreadable EINVALID.
func readBody(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		if strings.Contains(err.Error(), "too large") {
			return domain.Errorf(domain.ETOOLARGE, "The form is too large.")
		}
		return domain.Errorf(domain.EINVALID, "The form could not be read. Please try again.")
	}
	return nil
}

// sitePath reports whether next is a path on this site that a browser follows
// as written, and returns the path the browser resolves it to. Browsers drop
// tabs and newlines anywhere in a URL, read a backslash as a slash and resolve
// dot segments, percent-encoded ones too: "/<tab>/evil.example",
// "/./\evil.example" and "/a/%2e%2e/b" do not go where they seem to.
func sitePath(next string) (resolved string, ok bool) {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r < ' ' || r == 0x7f }) {
		return "", false
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "", false
	}
	return path.Clean(u.Path), true
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if _, ok := sitePath(next); !ok {
		return "/app/"
	}
	return url.QueryEscape(next)
}

// localNext returns next if it is a path on this site, else "/app/".
func localNext(next string) string {
	if _, ok := sitePath(next); !ok {
		return "/app/"
	}
	return next
}
