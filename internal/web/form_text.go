package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"portico/internal/domain"
)

// checkText refuses a parsed form holding a value (or a field name) that is
// not text: invalid UTF-8, or a control character other than tab and newline.
// A textarea's CRLF line breaks, which browsers send, are turned into newlines
// first, in every copy of the values the request holds. The error is EINVALID
// with a message per offending field, named as the form names it.
func checkText(r *http.Request) error {
	fields := map[string]string{}
	check := func(vs url.Values) {
		for name, list := range vs {
			for i, v := range list {
				if strings.Contains(v, "\r\n") {
					v = strings.ReplaceAll(v, "\r\n", "\n")
					list[i] = v
				}
				if !domain.CleanText(v) || !domain.CleanText(name) {
					fields[textFieldName(name)] = domain.InvalidTextMessage
				}
			}
		}
	}
	check(r.Form)
	check(r.PostForm)
	if r.MultipartForm != nil {
		check(r.MultipartForm.Value)
		for name := range r.MultipartForm.File {
			if !domain.CleanText(name) {
				fields[textFieldName(name)] = domain.InvalidTextMessage
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.EINVALID, Fields: fields,
		Message: "Nothing was saved: " + strings.Join(slices.Sorted(maps.Keys(fields)), ", ") +
			" contains control characters or bytes that are not text. Go back, correct the field and send the form again."}
}

// textFieldName is how a field is named in an error: as the form names it, or
// quoted in ASCII when the name itself is not text.
func textFieldName(name string) string {
	if domain.CleanText(name) {
		return name
	}
	return strconv.QuoteToASCII(name)
}

// fieldProblem is one field's message on an error page.
type fieldProblem struct {
	Field, Message string
}

// fieldProblems lists err's field messages by field name, for an error page
// shown instead of the form (a form that could not be read as text).
func fieldProblems(err error) []fieldProblem {
	fields := domain.FieldErrors(err)
	var out []fieldProblem
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		out = append(out, fieldProblem{Field: f, Message: fields[f]})
	}
	return out
}
