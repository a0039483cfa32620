package web

import (
	"html/template"
	"strings"
)

// telHref turns a phone number as people write it ("+421 905 123 456",
// "0905/123 456") into the target of a tel: link: the digits, with a leading
// plus kept; "" when no digit is left. It is a template.URL because
// html/template lets only http, https and mailto through on its own; what it
// holds is built from digits and "+" alone.
func telHref(phone string) template.URL {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	if strings.Trim(b.String(), "+") == "" {
		return ""
	}
	return template.URL("tel:" + b.String())
}
