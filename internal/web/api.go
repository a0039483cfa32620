package web

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
)

// The JSON API under /api/v1. A request carries a personal access token as
// "Authorization: Bearer ptc_…" and nothing else: no cookie is read or set, and
// since a bearer token is never sent by a browser on its own, the API takes no
// part in the forms' cross-origin protection. The token acts as its owner, with
// the owner's Scope or permissions loaded fresh on every request
// (app.APIAuthenticate). Errors are RFC 9457 problem details.

//go:embed api/openapi.json
var openAPIDocument []byte

// Policies of API routes: a portal user's token, a staff user's token (with
// the permission, "" for any staff member), or no token (the OpenAPI document).
func apiPortal() policy           { return policy{kind: "apiportal"} }
func apiStaff(perm string) policy { return policy{kind: "apistaff", perm: perm} }
func apiOpen() policy             { return policy{kind: "apiopen"} }

// keyAPI is the context key of the API caller.
const keyAPI ctxKey = 100

// apiCtx is the caller of an API request and the store view bound to its
// principal.
type apiCtx struct {
	caller *app.APICaller
	portal *store.PortalView // for a portal user's token
	staff  *store.StaffView  // for a staff user's token
}

func apiOf(r *http.Request) *apiCtx {
	ac, _ := r.Context().Value(keyAPI).(*apiCtx)
	return ac
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

var (
	errAPINoToken    = domain.Errorf(domain.EUNAUTHORIZED, "Send a personal access token as \"Authorization: Bearer ptc_…\".")
	errAPIPortalOnly = domain.Errorf(domain.EFORBIDDEN, "This endpoint is for portal users' tokens; staff endpoints are under /api/v1/staff/.")
	errAPIStaffOnly  = domain.Errorf(domain.EFORBIDDEN, "This endpoint is for staff users' tokens.")
)

// apiGuard authenticates an API request by its bearer token and enforces the
// route's policy; every error is answered as problem details.
func (s *Server) apiGuard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-cache")
		w.Header().Set("Vary", "Authorization")
		err := s.apiAuthorize(r, rt.policy)
		if err == nil {
			err = rt.h(w, r)
		}
		if err != nil {
			s.apiError(w, r, err)
		}
	})
}

// apiAuthorize loads the caller into the request's context (r is changed in
// place) and checks the policy.
func (s *Server) apiAuthorize(r *http.Request, p policy) error {
	if p.kind == "apiopen" {
		return nil
	}
	token := bearerToken(r)
	if token == "" {
		return errAPINoToken
	}
	caller, err := s.app.APIAuthenticate(r.Context(), token, s.apiRate)
	if err != nil {
		return err
	}
	ac := &apiCtx{caller: caller}
	switch p.kind {
	case "apiportal":
		if caller.PortalUser == nil {
			return errAPIPortalOnly
		}
		ac.portal = s.app.PortalView(caller.Scope)
	case "apistaff":
		if caller.StaffUser == nil {
			return errAPIStaffOnly
		}
		if caller.Company.RequireTwoFactor && !caller.StaffUser.TwoFactor {
			return errEnrolFirst
		}
		if err := caller.Staff.Require(p.perm); err != nil {
			return err
		}
		ac.staff = s.app.StaffView(caller.Staff)
	}
	*r = *r.WithContext(context.WithValue(r.Context(), keyAPI, ac))
	return nil
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Code   string            `json:"code,omitempty"`
	Errors map[string]string `json:"errors,omitempty"` // per-field messages of a refused body
}

// apiError answers err as problem details with the status its code maps to.
// Only unexpected errors are logged; their text is never sent.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = domain.Errorf(domain.ETOOLARGE, "The request is too large.")
	}
	code := domain.ErrorCode(err)
	status := statusOf(code)
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="portico"`)
	}
	setRetryAfter(w, err)
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: domain.ErrorMessage(err), Code: code, Errors: domain.FieldErrors(err)}
	if status == http.StatusNotFound {
		p.Detail = "Not found, or not visible to this token."
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Del("ETag")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// apiJSON writes v as JSON with an ETag of its bytes; a GET whose
// If-None-Match names the same ETag gets 304 Not Modified and no body.
func apiJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	if r.Method == http.MethodGet && status == http.StatusOK && etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(body)
	return err
}

// etagMatch reports whether an If-None-Match header names etag (or is "*").
func etagMatch(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == etag || part == "*" {
			return true
		}
	}
	return false
}

// apiList is one page of a list: its items and, when more follow, the cursor
// of the next page.
type apiList[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// cursor is where a page starts. It travels as opaque base64url JSON, and
// carries the page size it was made with, so that pages join up.
type cursor struct {
	Offset int `json:"o"`
	Limit  int `json:"n"`
}

const (
	apiDefaultLimit = 50
	apiMaxLimit     = 100
)

// pageOf reads ?cursor= and ?limit= (1–100, 50 by default; a cursor keeps the
// size it was made with).
func pageOf(r *http.Request) (cursor, error) {
	q := r.URL.Query()
	c := cursor{Limit: apiDefaultLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > apiMaxLimit {
			return c, domain.Errorf(domain.EINVALID, "limit must be a whole number from 1 to %d.", apiMaxLimit)
		}
		c.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || json.Unmarshal(raw, &c) != nil || c.Offset < 0 || c.Limit < 1 || c.Limit > apiMaxLimit || c.Offset%c.Limit != 0 {
			return c, domain.Errorf(domain.EINVALID, "The cursor is not valid; start again without one.")
		}
	}
	return c, nil
}

// listOptions is the store's page of the cursor.
func (c cursor) listOptions() domain.ListOptions {
	return domain.ListOptions{Page: c.Offset/c.Limit + 1, PerPage: c.Limit}
}

// next returns the cursor of the following page, or "" when more is false.
func (c cursor) next(more bool) string {
	if !more {
		return ""
	}
	b, _ := json.Marshal(cursor{Offset: c.Offset + c.Limit, Limit: c.Limit})
	return base64.RawURLEncoding.EncodeToString(b)
}

// pageSlice returns the cursor's page of a list held whole.
func pageSlice[T any](items []T, c cursor) apiList[T] {
	start := min(c.Offset, len(items))
	end := min(start+c.Limit, len(items))
	out := apiList[T]{Items: items[start:end], NextCursor: c.next(end < len(items))}
	if out.Items == nil {
		out.Items = []T{}
	}
	return out
}

// pageStore returns a page the store cut, with the next cursor if the store
// says more follow.
func pageStore[T any](items []T, info domain.PageInfo, c cursor) apiList[T] {
	if items == nil {
		items = []T{}
	}
	return apiList[T]{Items: items, NextCursor: c.next(info.HasNext())}
}

// decodeJSON reads a JSON request body into v, refusing unknown fields.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return domain.Errorf(domain.EINVALID, "The request body is empty; send a JSON object.")
		}
		return domain.Errorf(domain.EINVALID, "The request body is not valid JSON for this endpoint: %s", err.Error())
	}
	return nil
}

// openAPI serves GET /api/v1/openapi.json: the API's description.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDocument)
	return err
}

// apiNotFound answers any other path under /api/ as problem details.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) error {
	return domain.Errorf(domain.ENOTFOUND, "Not found.")
}
