package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"portico/internal/domain"
)

// checkText refuses a parsed form holding a value (or a field name) that is
// not text: invalid UTF-8, or a control character other than tab and newline.
// A textarea's CRLF line breaks, which browsers send, are turned into newlines
// first, in every copy of the values the request holds. The error is EINVALID
// with a message per offending field, named as the form names it, for an error
// page shown instead of the form.
func checkText(r *http.Request) error {
	fields, _ := textProblems(r)
	if len(fields) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.EINVALID, Fields: fields,
		Message: "Nothing was saved: " + strings.Join(slices.Sorted(maps.Keys(fields)), ", ") +
			" contains control characters or bytes that are not text. Go back, correct the field and send the form again."}
}

// formTextError is the error of a form holding values that are not text, for
// the form drawn again: a message per offending field, both by name and by
// name and position ("line_desc.0", as fields sent once per row are named).
func formTextError(r *http.Request) error {
	fields, indexed := textProblems(r)
	if len(fields) == 0 {
		return nil
	}
	maps.Copy(indexed, fields)
	return &domain.Error{Code: domain.EINVALID, Fields: indexed,
		Message: "Nothing was saved. Please correct the highlighted fields."}
}

// textProblems does checkText's work: it turns CRLF into newlines and returns
// the offending fields by name, and by name and position.
func textProblems(r *http.Request) (fields, indexed map[string]string) {
	fields, indexed = map[string]string{}, map[string]string{}
	check := func(vs url.Values) {
		for name, list := range vs {
			for i, v := range list {
				if strings.Contains(v, "\r\n") {
					v = strings.ReplaceAll(v, "\r\n", "\n")
					list[i] = v
				}
				if !domain.CleanText(v) || !domain.CleanText(name) {
					fields[textFieldName(name)] = domain.InvalidTextMessage
					indexed[textFieldName(name)+"."+strconv.Itoa(i)] = domain.InvalidTextMessage
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
	return fields, indexed
}

// readForm parses a urlencoded form for a handler that draws its form again
// on validation errors. What keeps the form from being read at all (a body
// over the limit, a malformed one) is err, for the error page, as parseForm
// has it. Values that are not text are textErr, with the fields named (see
// formTextError): the handler saves nothing when it is set, through
// unlessText, and draws the form with it, whose values newForm makes
// displayable. A form with no such redraw reads itself with parseForm.
func readForm(r *http.Request) (textErr, err error) {
	if err := readBody(r); err != nil {
		return nil, err
	}
	return formTextError(r), nil
}

// unlessText runs save when the form read by readForm is text, and otherwise
// returns textErr without running it: nothing is stored.
func unlessText(textErr error, save func() error) error {
	if textErr != nil {
		return textErr
	}
	return save()
}

// errSignInText is a sign-in refused for values that are not text: the same
// answer as a wrong password (app's errBadCredentials), naming no field.
var errSignInText = domain.Errorf(domain.EUNAUTHORIZED, "The email or password is not correct.")

// signInUnlessText runs signIn when the sign-in form read by readForm is
// text, and otherwise refuses it like a wrong password: a sign-in form gives
// no hint about the credentials.
func signInUnlessText[T any](textErr error, signIn func() (T, error)) (T, error) {
	if textErr != nil {
		var zero T
		return zero, errSignInText
	}
	return signIn()
}

// displayText makes s safe to show in a form again: invalid bytes become
// U+FFFD and control characters other than tab and newline are dropped.
func displayText(s string) string {
	if domain.CleanText(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r != '\t' && r != '\n' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
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
