package domain

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Validator collects per-field problems while a value is checked. Its zero value
// is ready to use.
type Validator struct {
	fields map[string]string
}

// Add records msg for field unless the field already has a message.
func (v *Validator) Add(field, msg string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = msg
	}
}

// Required checks that value is not blank.
func (v *Validator) Required(field, value, label string) {
	if strings.TrimSpace(value) == "" {
		v.Add(field, label+" is required.")
	}
}

// MaxLen checks that value has at most n characters.
func (v *Validator) MaxLen(field, value string, n int) {
	if utf8.RuneCountInString(value) > n {
		v.Add(field, "Use at most "+itoa(n)+" characters.")
	}
}

// Email checks that value, if not blank, is a plain email address.
func (v *Validator) Email(field, value string) {
	if value != "" && !ValidEmail(value) {
		v.Add(field, "Enter a valid email address, like name@example.com.")
	}
}

// OneOf checks that value is one of allowed.
func (v *Validator) OneOf(field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.Add(field, "Choose one of the offered values.")
}

// InvalidTextMessage is the field message for text that CleanText refuses.
const InvalidTextMessage = "Remove the control characters or invalid bytes: only text, tabs and line breaks can be saved."

// CleanText reports whether s is text that may be stored and shown: valid
// UTF-8 without control characters other than tab and newline. A carriage
// return is refused too; forms turn a textarea's CRLF into a newline first.
func CleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != '\t' && r != '\n' && unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// Text checks that value is CleanText.
func (v *Validator) Text(field, value string) {
	if !CleanText(value) {
		v.Add(field, InvalidTextMessage)
	}
}

// Err returns an EINVALID *Error holding every collected message, or nil.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Please correct the highlighted fields.", Fields: v.fields}
}

// ValidEmail reports whether s is a bare address (no display name) with a dotted domain.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// NormalizeEmail trims and lower-cases an email address so that one address has
// one spelling in the database.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
