package auth

import (
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 seed of RFC 6238's test vectors, "12345678901234567890", in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestTOTPStepMatchesRFC6238(t *testing.T) {
	for _, tc := range []struct {
		name string
		unix int64
		code string // the last 6 of the RFC's 8 digits
		want int64  // the accepted time step; 0 = refused
	}{
		{"T=59", 59, "287082", 1},
		{"T=1111111109", 1111111109, "081804", 37037036},
		{"T=1234567890", 1234567890, "005924", 41152263},
		{"one step late is accepted", 59 + 30, "287082", 1},
		{"one step early is accepted", 59 - 30, "287082", 1},
		{"two steps late is refused", 59 + 60, "287082", 0},
		{"wrong code", 59, "287083", 0},
		{"not six digits", 59, "28708", 0},
		{"letters", 59, "28708a", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TOTPStep(rfcSecret, tc.code, time.Unix(tc.unix, 0)); got != tc.want {
				t.Fatalf("TOTPStep = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("%d codes, %d hashes; want %d", len(codes), len(hashes), RecoveryCodeCount)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 19 || strings.Count(c, "-") != 3 || seen[c] {
			t.Fatalf("code %q: want xxxx-xxxx-xxxx-xxxx, all different", c)
		}
		seen[c] = true
		if strings.Contains(hashes[i], strings.ReplaceAll(c, "-", "")) {
			t.Fatalf("hash %q holds the code", hashes[i])
		}
		for _, typed := range []string{c, strings.ToUpper(c), " " + strings.ReplaceAll(c, "-", " ") + " ", strings.ReplaceAll(c, "-", "")} {
			if h, ok := RecoveryCodeHash(typed); !ok || h != hashes[i] {
				t.Fatalf("RecoveryCodeHash(%q) = %q, %v; want the stored hash", typed, h, ok)
			}
		}
	}
	for _, bad := range []string{"", "123456", "abcd-efgh-ijkm-npqr-stuv", "abcd-efgh-jkmn-pqr1"} {
		if _, ok := RecoveryCodeHash(bad); ok {
			t.Errorf("RecoveryCodeHash(%q) accepted", bad)
		}
	}
}

func TestTOTPKeyRoundTrip(t *testing.T) {
	k, err := NewTOTPKey("Portico (Acme)", "ana@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	again, err := TOTPKey("Portico (Acme)", "ana@acme.test", k.Secret())
	if err != nil || again.URL() != k.URL() {
		t.Fatalf("rebuilt key %v, %v; want %s", again, err, k.URL())
	}
	if len(k.Secret()) != 32 || !strings.HasPrefix(k.URL(), "otpauth://totp/") {
		t.Fatalf("key %s", k.URL())
	}
	qr, err := QRDataURI(k)
	if err != nil || !strings.HasPrefix(qr, "data:image/png;base64,iVBOR") {
		t.Fatalf("QR %.40q, %v; want a PNG data URI", qr, err)
	}
}
