package auth

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"portico/internal/domain"
)

// hashOf hashes pw or fails the test; argon2id is slow on purpose, so tests hash
// as few times as they can.
func hashOf(t *testing.T, pw string) string {
	t.Helper()
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	return h
}

func TestHashPasswordIsArgon2idPHC(t *testing.T) {
	h := hashOf(t, "correct horse battery")
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=19456,t=2,p=1" {
		t.Fatalf("hash = %q, want $argon2id$v=19$m=19456,t=2,p=1$SALT$KEY", h)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, err %v; want 16 bytes of unpadded base64", parts[4], len(salt), err)
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) != 32 {
		t.Errorf("key %q: %d bytes, err %v; want 32 bytes of unpadded base64", parts[5], len(key), err)
	}
}

func TestCheckPassword(t *testing.T) {
	const pw = "correct horse battery"
	h := hashOf(t, pw)
	// A hash whose salt is not base64: well-formed at first sight, broken inside.
	badSalt := strings.Join(append(strings.Split(h, "$")[:4], "!!!", strings.Split(h, "$")[5]), "$")

	for _, tc := range []struct {
		name string
		hash string
		pw   string
		want bool
	}{
		{"the right password matches", h, pw, true},
		{"a wrong password does not", h, "correct horse battery!", false},
		{"case matters", h, strings.ToUpper(pw), false},
		{"an empty password does not", h, "", false},
		{"an empty hash never matches", "", pw, false},
		{"an empty hash does not match an empty password", "", "", false},
		{"a bcrypt hash never matches", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", pw, false},
		{"another algorithm never matches", strings.Replace(h, "argon2id", "argon2i", 1), pw, false},
		{"missing parts never match", strings.Join(strings.Split(h, "$")[:5], "$"), pw, false},
		{"unparsable parameters never match", strings.Replace(h, "m=19456,t=2,p=1", "m=x,t=2,p=1", 1), pw, false},
		// argon2 panics on these; a corrupt row must fail the sign-in, not the server.
		{"zero passes never match", strings.Replace(h, "t=2", "t=0", 1), pw, false},
		{"zero lanes never match", strings.Replace(h, "p=1", "p=0", 1), pw, false},
		{"a salt that is not base64 never matches", badSalt, pw, false},
		{"an empty key never matches", h[:strings.LastIndex(h, "$")+1], pw, false},
		{"plain text is not a hash", pw, pw, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckPassword(tc.hash, tc.pw); got != tc.want {
				t.Fatalf("CheckPassword(%q, %q) = %v, want %v", tc.hash, tc.pw, got, tc.want)
			}
		})
	}
}

func TestHashPasswordSaltsEveryHash(t *testing.T) {
	const pw = "the same password twice"
	a, b := hashOf(t, pw), hashOf(t, pw)
	if a == b {
		t.Fatalf("two hashes of one password are equal (%q): the salt is not random", a)
	}
	if !CheckPassword(a, pw) || !CheckPassword(b, pw) {
		t.Fatalf("each salted hash must still match the password")
	}
}

func TestValidateNewPassword(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pw      string
		wantErr string // part of Fields["password"]; "" = accepted
	}{
		{"empty", "", "at least 10 characters"},
		{"nine characters", "abcdefghi", "at least 10 characters"},
		{"exactly ten characters", "kestrel-42", ""},
		{"a common ten-character password", "abcdefghij", "too common"},
		{"ten characters counted as letters, not bytes", "žluťoučkýk", ""},
		{"nine multi-byte letters are too short", "ččččččččč", "at least 10 characters"},
		{"exactly 200 characters", strings.Repeat("x", 200), ""},
		{"201 characters", strings.Repeat("x", 201), "at most 200 characters"},
		{"a common password", "1234567890", "too common"},
		{"a common password in other case", "QWERTYUIOP", "too common"},
		{"a long unusual phrase", "correct horse battery staple", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateNewPassword(tc.pw)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateNewPassword(%q) = %v, want nil", tc.pw, err)
				}
				return
			}
			if code := domain.ErrorCode(err); code != domain.EINVALID {
				t.Fatalf("ErrorCode = %q, want %q (err: %v)", code, domain.EINVALID, err)
			}
			msg := domain.FieldErrors(err)["password"]
			if !strings.Contains(msg, tc.wantErr) {
				t.Fatalf(`Fields["password"] = %q, want it to mention %q`, msg, tc.wantErr)
			}
		})
	}
}

// TestCommonPasswordListIsLowerCased guards the lookup: the list is folded when
// loaded, so every entry must be found whatever its case in the file.
func TestCommonPasswordListIsLowerCased(t *testing.T) {
	entries := strings.Fields(commonPasswordList)
	if len(entries) == 0 {
		t.Fatal("common-passwords.txt is empty")
	}
	for _, e := range entries {
		if !commonPasswords[strings.ToLower(e)] {
			t.Errorf("%q is in the file but not in the set", e)
		}
	}
}

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		token, hash := NewToken()
		if len(token) != 43 {
			t.Fatalf("token %q has %d characters, want 43 (32 bytes, unpadded base64url)", token, len(token))
		}
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) != 32 {
			t.Fatalf("token %q is not 32 bytes of unpadded base64url: %d bytes, %v", token, len(b), err)
		}
		if seen[token] {
			t.Fatalf("token %q issued twice", token)
		}
		seen[token] = true
		if hash != HashToken(token) {
			t.Fatalf("NewToken hash %q != HashToken(token) %q", hash, HashToken(token))
		}
		if h, err := hex.DecodeString(hash); err != nil || len(hash) != 64 || len(h) != 32 {
			t.Fatalf("hash %q is not 64 hex characters (err %v)", hash, err)
		}
		if hash == token || strings.Contains(hash, token) {
			t.Fatalf("hash %q reveals the token", hash)
		}
	}
}

func TestHashToken(t *testing.T) {
	// SHA-256 of "abc", the FIPS 180-2 test vector: the stored form must stay stable,
	// or every session and link in the database stops working.
	if got, want := HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Fatalf("HashToken(abc) = %s, want %s", got, want)
	}
	if HashToken("a") == HashToken("b") {
		t.Fatal("different tokens hash alike")
	}
}

// The placeholder an unknown account is checked against is a well-formed hash
// with the costs of a real one, so that checking it takes as long as a wrong
// password does; the check itself always fails.
func TestDummyHashCostsWhatARealHashCosts(t *testing.T) {
	real := strings.Split(hashOf(t, "correct horse battery"), "$")
	dummy := strings.Split(dummyHash, "$")
	if len(dummy) != 6 || dummy[1] != real[1] || dummy[2] != real[2] || dummy[3] != real[3] {
		t.Fatalf("dummyHash = %q, want the algorithm, version and costs of %q", dummyHash, strings.Join(real, "$"))
	}
	for i, want := range map[int]int{4: 16, 5: 32} {
		if b, err := base64.RawStdEncoding.DecodeString(dummy[i]); err != nil || len(b) != want {
			t.Errorf("dummyHash part %d: %d bytes, err %v; want %d bytes of unpadded base64", i, len(b), err, want)
		}
	}
	if match, valid := checkHash(dummyHash, "no such account; constant-time placeholder"); match || !valid {
		t.Errorf("checkHash(dummyHash) = match %v, valid %v; want a full check that fails", match, valid)
	}
	if CheckPassword("", "") {
		t.Error("CheckPassword with no hash matched")
	}
}
