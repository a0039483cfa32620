package auth

import (
	"encoding/base64"
	"regexp"
	"testing"
)

var storedHashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// FuzzHashToken: the token of a one-time link or a session cookie is whatever
// the URL or cookie carries, and only its hash is ever looked up. Any string
// hashes to the stored form (64 lower-case hex digits, so no lookup can be
// steered by the token's text), the same string always to the same hash, two
// different strings to different hashes; and a token NewToken issues is 43
// URL-safe characters that hash to the hash it came with.
func FuzzHashToken(f *testing.F) {
	token, _ := NewToken()
	for _, s := range []string{token, token + "=", token[:42], "", "%00", "../../app/password", "' OR 1=1 --", "\xff\xfe", "Zm9v"} {
		f.Add(s, token)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ha := HashToken(a)
		if !storedHashRE.MatchString(ha) || HashToken(a) != ha {
			t.Fatalf("HashToken(%q) = %q", a, ha)
		}
		if a != b && HashToken(b) == ha {
			t.Fatalf("%q and %q hash alike", a, b)
		}
		tok, hash := NewToken()
		if raw, err := base64.RawURLEncoding.DecodeString(tok); err != nil || len(raw) != 32 || len(tok) != 43 || HashToken(tok) != hash {
			t.Fatalf("NewToken() = %q, %q", tok, hash)
		}
		if tok == a {
			t.Fatalf("NewToken repeated a token seen before")
		}
	})
}
