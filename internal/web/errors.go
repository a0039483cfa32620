package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"portico/internal/domain"
)

// handlerFunc is an HTTP handler that returns its error instead of writing it;
// the server's adapter turns the error into a status and a page.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// statusOf maps a domain error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case domain.EINVALID:
		return http.StatusBadRequest
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.ECONFLICT:
		return http.StatusConflict
	case domain.EFORBIDDEN:
		return http.StatusForbidden
	case domain.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case domain.ETOOMANY:
		return http.StatusTooManyRequests
	case domain.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// errorPage is the data of error.html.
type errorPage struct {
	Page
	Status  int
	Heading string
	Message string
	Fields  []fieldProblem // field messages of a form refused before it could be shown again
}

// serveError writes err as a page with the status its code maps to. Only
// unexpected errors are logged; their text never reaches the browser.
//
// A request whose client went away (its context cancelled, so whatever it was
// waiting for failed with context.Canceled) is no failure of ours and has no one
// to read a page: it is noted at debug level and left unanswered.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		s.log.DebugContext(r.Context(), "client went away", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
		return
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = domain.Errorf(domain.ETOOLARGE, "The request is too large.")
	}
	code := domain.ErrorCode(err)
	status := statusOf(code)
	setRetryAfter(w, err)
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	}
	if code == domain.EUNAUTHORIZED && r.Method == http.MethodGet && isStaffPath(r.URL.Path) {
		http.Redirect(w, r, "/app/login?next="+safeNext(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if code == domain.EUNAUTHORIZED && r.Method == http.MethodGet && portalOf(r) != nil {
		http.Redirect(w, r, portalLoginPath(r.URL.Path)+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	heading, message := errorText(status, code, err)
	if pc := portalOf(r); pc != nil {
		p := &portalErrorPage{PortalPage: s.portalPage(r, heading), Status: status, Heading: heading, Message: message, Fields: fieldProblems(err)}
		s.render(w, r, status, "portal_error", p)
		return
	}
	p := &errorPage{Page: s.page(r, heading), Status: status, Heading: heading, Message: message, Fields: fieldProblems(err)}
	s.render(w, r, status, "error", p)
}

// errorText is the heading and message of an error page.
func errorText(status int, code string, err error) (heading, message string) {
	message = domain.ErrorMessage(err)
	switch status {
	case http.StatusNotFound:
		heading = "Page not found"
		message = "The page you asked for does not exist, or you do not have access to it."
		if code == domain.ENOTFOUND {
			message = domain.ErrorMessage(err) + " It may have been deleted, or you may not have access to it."
		}
	case http.StatusForbidden:
		heading = "You don't have permission"
	case http.StatusTooManyRequests:
		heading = "Too many attempts"
	case http.StatusRequestEntityTooLarge:
		heading = "Too large"
	case http.StatusInternalServerError:
		heading = "Something went wrong"
	default:
		heading = "That didn't work"
	}
	return heading, message
}

// setRetryAfter sends Retry-After (whole seconds) when err says how long to wait.
func setRetryAfter(w http.ResponseWriter, err error) {
	if d := domain.RetryAfter(err); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}
