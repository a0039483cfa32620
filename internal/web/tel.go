package web

import "strings"

// telHref turns a phone number as people write it ("+421 905 123 456",
// "0905/123 456") into the target of a tel: link: the digits, with a leading
// plus kept; "" when no digit is left.
func telHref(phone string) string {
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
	return "tel:" + b.String()
}
