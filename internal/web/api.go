package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/i18n"
	"portico/internal/store"
)

// The JSON API under /api/v1. A request carries a personal access token as
// "Authorization: Bearer ptc_…" and nothing else: no cookie is read or set, and
// since a bearer token is never sent by a browser on its own, the API takes no
// part in the forms' cross-origin protection. The token acts as its owner, with
// the owner's Scope or permissions loaded fresh on every request
// (app.APIAuthenticate). Errors are RFC 9457 problem details, whose sentences
// are in the owner's language (apiLocale); their type, status, code and field
// names are the same in every language.

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
		w.Header().Set("Vary", "Authorization, Accept-Language")
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
	// The caller is known from here on, so a refusal below is already in the
	// owner's language.
	ac := &apiCtx{caller: caller}
	*r = *r.WithContext(context.WithValue(r.Context(), keyAPI, ac))
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
	return nil
}

// apiLocale is the language an API request is answered in: its token owner's own
// choice (users.locale), else the request's Accept-Language when Portico speaks
// it, else the tenant's language. Before a token is known (none sent, or a dead
// one): the Accept-Language, else English. PDFs made for the request are in it
// too.
func apiLocale(r *http.Request) string {
	accept := r.Header.Get("Accept-Language")
	ac := apiOf(r)
	if ac == nil || ac.caller == nil || ac.caller.Company == nil {
		return i18n.Resolve("", accept, "")
	}
	own := ""
	switch {
	case ac.caller.PortalUser != nil:
		own = ac.caller.PortalUser.Locale
	case ac.caller.StaffUser != nil:
		own = ac.caller.StaffUser.Locale
	}
	return i18n.Resolve(own, accept, ac.caller.Company.Locale)
}

// apiContext is the request's context carrying its language for the documents
// made for it (PDFs).
func apiContext(r *http.Request) context.Context {
	return app.WithLocale(r.Context(), apiLocale(r))
}

// problem is an RFC 9457 problem details object. Title, Detail and the
// messages of Errors are in the request's language (apiLocale); Type, Status,
// Code and the field names of Errors are not translated, for programs to read.
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
	locale := apiLocale(r)
	p := problem{Type: "about:blank", Title: statusTitle(locale, status), Status: status,
		Detail: i18n.Message(locale, domain.ErrorMessage(err)), Code: code}
	if fields := domain.FieldErrors(err); len(fields) > 0 {
		p.Errors = make(map[string]string, len(fields))
		for field, msg := range fields {
			p.Errors[field] = i18n.Message(locale, msg)
		}
	}
	if status == http.StatusNotFound {
		p.Detail = translate(locale, "Not found, or not visible to this token.")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", locale)
	w.Header().Del("ETag")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// statusTitle is the title of a problem with the status, in the locale: the
// status's reason phrase in English ("Not Found"), the same in the locale's
// words. Only the statuses statusOf gives have a Slovak title (see
// TestAPIErrorsHaveSlovak).
func statusTitle(locale string, status int) string {
	return translate(locale, http.StatusText(status))
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

// cursor is where a page starts: the sort key of the last row of the page
// before (its id last) in the list it was made for, and the page size. It
// travels as opaque base64url JSON. A page is the rows after that key — a
// keyset, not a count of rows — so rows added or removed before it move
// nothing, and since the key only narrows the list's own scoped query, no
// cursor, however made, reaches a row the token may not read.
type cursor struct {
	List  string `json:"l"` // the list (route) it was made for
	Limit int    `json:"n"`
	After []any  `json:"k"`
}

const (
	apiDefaultLimit = 50
	apiMaxLimit     = 100
)

var errBadCursor = domain.Errorf(domain.EINVALID, "The cursor is not valid; start again without one.")

// listTag names the list a request reads, for its cursors: a hash of the
// route's pattern.
func listTag(r *http.Request) string {
	h := fnv.New32a()
	h.Write([]byte(r.Pattern))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

// pageOf reads ?cursor= and ?limit= (1–100; 50 by default, or the size the
// cursor was made with). A cursor that is not one this list made is EINVALID.
func pageOf(r *http.Request) (cursor, error) {
	q := r.URL.Query()
	c := cursor{List: listTag(r), Limit: apiDefaultLimit}
	if v := q.Get("cursor"); v != "" {
		var in cursor
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil {
			return c, errBadCursor
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil || dec.More() || in.List != c.List || in.Limit < 1 || in.Limit > apiMaxLimit || len(in.After) == 0 {
			return c, errBadCursor
		}
		for i, k := range in.After {
			switch k := k.(type) {
			case json.Number:
				n, err := k.Int64()
				if err != nil {
					return c, errBadCursor
				}
				in.After[i] = n
			case string:
			default:
				return c, errBadCursor
			}
		}
		if _, ok := in.After[len(in.After)-1].(int64); !ok {
			return c, errBadCursor // the id is last
		}
		c.Limit, c.After = in.Limit, in.After
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > apiMaxLimit {
			return c, domain.Errorf(domain.EINVALID, "limit must be a whole number from 1 to %d.", apiMaxLimit)
		}
		c.Limit = n
	}
	return c, nil
}

// listOptions is the store's keyset page of the cursor.
func (c cursor) listOptions() domain.ListOptions {
	return domain.ListOptions{Keyset: true, PerPage: c.Limit, After: c.After}
}

// next returns the cursor of the page after the row whose key is key, or ""
// when key is nil (no page follows).
func (c cursor) next(key []any) string {
	if key == nil {
		return ""
	}
	b, _ := json.Marshal(cursor{List: c.List, Limit: c.Limit, After: key})
	return base64.RawURLEncoding.EncodeToString(b)
}

// pageStore returns a keyset page the store cut, with the next cursor if the
// store says more follow.
func pageStore[T any](items []T, info domain.PageInfo, c cursor) apiList[T] {
	if items == nil {
		items = []T{}
	}
	return apiList[T]{Items: items, NextCursor: c.next(info.NextKey)}
}

// pageSlice returns the cursor's page of a list held whole (a user's
// companies, a client's contacts): the list is put in the order of its key
// (strings by the language-neutral collation, ties by their bytes; key ends
// with the id), ascending, and the page is the rows after the cursor's key.
func pageSlice[T any](items []T, c cursor, key func(T) []any) (apiList[T], error) {
	col := collate.New(language.Und)
	var bad bool
	cmpKeys := func(a, b []any) int {
		if len(a) != len(b) {
			bad = true
			return 0
		}
		for i := range a {
			var d int
			switch x := a[i].(type) {
			case int64:
				y, ok := b[i].(int64)
				bad = bad || !ok
				d = cmp.Compare(x, y)
			case string:
				y, ok := b[i].(string)
				bad = bad || !ok
				if d = col.CompareString(x, y); d == 0 {
					d = strings.Compare(x, y)
				}
			}
			if d != 0 {
				return d
			}
		}
		return 0
	}
	keys := make(map[int][]any, len(items))
	order := make([]int, len(items))
	for i, it := range items {
		order[i], keys[i] = i, key(it)
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmpKeys(keys[i], keys[j]) })
	start := 0
	if c.After != nil {
		start = len(order)
		for n, i := range order {
			if cmpKeys(keys[i], c.After) > 0 {
				start = n
				break
			}
		}
	}
	if bad {
		return apiList[T]{}, errBadCursor
	}
	end := min(start+c.Limit, len(order))
	out := apiList[T]{Items: make([]T, 0, end-start)}
	for _, i := range order[start:end] {
		out.Items = append(out.Items, items[i])
	}
	if end < len(order) {
		out.NextCursor = c.next(keys[order[end-1]])
	}
	return out, nil
}

// apiSlice answers the cursor's page of a list held whole, ordered by key (see
// pageSlice).
func apiSlice[T any](w http.ResponseWriter, r *http.Request, items []T, c cursor, key func(T) []any) error {
	page, err := pageSlice(items, c, key)
	if err != nil {
		return err
	}
	return apiJSON(w, r, http.StatusOK, page)
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
		// The sentence is the caller's language; the field's name, as the
		// body spells it, is not translated.
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return domain.Errorf(domain.EINVALID, "The field %s has a value of the wrong type.", strconv.Quote(ute.Field))
		}
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return domain.Errorf(domain.EINVALID, "The field %s is not known to this endpoint.", field)
		}
		return domain.Errorf(domain.EINVALID, "The request body is not valid JSON for this endpoint.")
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
