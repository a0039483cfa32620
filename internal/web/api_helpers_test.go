package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"portico/internal/app"
	"portico/internal/web"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// The API's tests check every answer against the OpenAPI document the server
// itself serves, with a maintained validator (pb33f/libopenapi-validator): a
// field the document does not describe, a missing one, a wrong type or an
// undocumented status fails the test.

// openAPI is the validator of the served OpenAPI document, made once: the
// document is the same embedded file for every server.
var openAPI struct {
	once sync.Once
	v    validator.Validator
	err  error
}

func apiValidator(t testing.TB, base string) validator.Validator {
	t.Helper()
	openAPI.once.Do(func() {
		resp, err := http.Get(base + "/api/v1/openapi.json")
		if err != nil {
			openAPI.err = err
			return
		}
		defer resp.Body.Close()
		spec, _ := io.ReadAll(resp.Body)
		doc, err := libopenapi.NewDocument(spec)
		if err != nil {
			openAPI.err = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			openAPI.err = fmt.Errorf("validator: %v", errs)
			return
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			openAPI.err = fmt.Errorf("the OpenAPI document is not valid: %v", verrs)
			return
		}
		openAPI.v = v
	})
	if openAPI.err != nil {
		t.Fatal(openAPI.err)
	}
	return openAPI.v
}

// apiClient calls the API with a bearer token, as a program would: no cookie
// jar, no redirects followed.
type apiClient struct {
	base   string
	token  string
	v      validator.Validator
	fatalf func(format string, args ...any)
	hc     *http.Client
}

func newAPIClient(t testing.TB, base, token string) *apiClient {
	return &apiClient{base: base, token: token, v: apiValidator(t, base), fatalf: t.Fatalf,
		hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// apiResp is a read API answer.
type apiResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// json decodes the body into v.
func (r *apiResp) json(v any) error { return json.Unmarshal(r.Body, v) }

// call sends the request and checks request and answer against the OpenAPI
// document; header adds request headers.
func (c *apiClient) call(method, path string, body any, header ...string) *apiResp {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	build := func() *http.Request {
		req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
		if err != nil {
			c.fatalf("%v", err)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return req
	}
	resp, err := c.hc.Do(build())
	if err != nil {
		c.fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.fatalf("%v", err)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
		c.fatalf("%s %s set a cookie: %v", method, path, sc)
	}
	out := &apiResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
	if strings.HasPrefix(path, "/api/v1/openapi.json") {
		return out
	}
	// Validate the real answer: a fresh copy of the request, and the response
	// with its body. The request too when it was accepted; a refused one may
	// break the document on purpose (a missing field, a bad limit, no token).
	resp.Body = io.NopCloser(bytes.NewReader(b))
	validate := c.v.ValidateHttpResponse
	if resp.StatusCode < 400 {
		validate = c.v.ValidateHttpRequestResponse
	}
	if ok, errs := validate(build(), resp); !ok {
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
			for _, se := range e.SchemaValidationErrors {
				msgs = append(msgs, "  "+se.Reason+" at "+se.FieldPath)
			}
		}
		c.fatalf("%s %s: status %d does not match the OpenAPI document:\n%s\nbody: %.1500s", method, path, resp.StatusCode, strings.Join(msgs, "\n"), b)
	}
	return out
}

// get is call for a GET that must answer want.
func (c *apiClient) get(path string, want int) *apiResp {
	r := c.call(http.MethodGet, path, nil)
	if r.Status != want {
		c.fatalf("GET %s: status %d, want %d\n%.1500s", path, r.Status, want, r.Body)
	}
	return r
}

// listIDs reads every page of a list (limit items a page) and returns the ids
// of its items in order.
func (c *apiClient) listIDs(path string, limit int) []int64 {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var ids []int64
	next := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
	for pages := 0; ; pages++ {
		if pages > 1000 {
			c.fatalf("GET %s: the cursor never ends", path)
		}
		var page struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := c.get(next, http.StatusOK).json(&page); err != nil {
			c.fatalf("GET %s: %v", next, err)
		}
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		next = fmt.Sprintf("%s%scursor=%s", path, sep, page.NextCursor)
	}
}

// apiRoutes lists the server's API routes, portal and staff: those a token
// reaches.
func apiRoutes(t *testing.T, a *app.App) []web.RouteInfo {
	t.Helper()
	s, err := web.NewServer(web.Config{App: a})
	if err != nil {
		t.Fatal(err)
	}
	var out []web.RouteInfo
	for _, rt := range s.Routes() {
		if rt.Policy == "api:portal" || strings.HasPrefix(rt.Policy, "api:staff") {
			out = append(out, rt)
		}
	}
	return out
}
