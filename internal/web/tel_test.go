package web

import "testing"

// A phone number as people write it becomes the digits of a tel: link.
func TestTelHref(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+421 905 123 456", "tel:+421905123456"},
		{"0905/123 456", "tel:0905123456"},
		{" +421 (2) 1234-5678 ", "tel:+421212345678"},
		{"call us", ""},
		{"+", ""},
	} {
		if got := string(telHref(tc.in)); got != tc.want {
			t.Errorf("telHref(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
