// Package auth holds Portico's credentials logic: argon2id password hashes, random
// session and one-time-link tokens (only their hashes are stored), password rules and
// the sign-in limits. It does no I/O.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"portico/internal/domain"
)

// Lifetimes and limits of sign-in.
const (
	SessionIdle      = 12 * time.Hour      // a session unused this long ends
	SessionAbsolute  = 14 * 24 * time.Hour // and every session ends after this long
	ActivationTTL    = 7 * 24 * time.Hour
	ResetTTL         = time.Hour
	FailureWindow    = 15 * time.Minute
	MaxFailsAccount  = 5  // failed sign-ins per account within FailureWindow
	MaxFailsIP       = 30 // failed sign-ins per client IP within FailureWindow
	MinPasswordChars = 10
)

// argon2id parameters: the OWASP minimum (19 MiB, 2 passes), enough to make an
// offline guess expensive without making a sign-in slow on a small server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// hashSlots bounds how many argon2id computations run at once. Each takes
// argonMemory KiB; fifty simultaneous sign-ins must queue, not allocate a gigabyte.
var hashSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))

// idKey computes an argon2id key inside a hashing slot.
func idKey(pw, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(pw, salt, t, m, p, n)
}

// HashPassword returns an argon2id hash of pw in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := idKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is checked against when an account does not exist, so that an unknown
// email costs the same time as a wrong password. It is a well-formed hash with the
// current costs and a fixed salt and key that no password is known to give;
// CheckPassword never reports a match against it. Computing a real hash at start
// cost every process 20 MB and over 100 ms before it could answer.
var dummyHash = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
	"bm8gc3VjaCBhY2NvdW50IQ", "Y29uc3RhbnQtdGltZSBwbGFjZWhvbGRlciBrZXkgISE")

// CheckPassword reports whether pw matches hash. An empty or malformed hash never
// matches, but costs the same time as a real check.
func CheckPassword(hash, pw string) bool {
	ok, valid := checkHash(hash, pw)
	if !valid {
		checkHash(dummyHash, pw)
		return false
	}
	return ok
}

func checkHash(hash, pw string) (match, valid bool) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false
	}
	var m uint32
	var t uint32
	var p uint8
	// argon2 panics on zero passes or zero lanes; such a hash is malformed, not a
	// crash. Costs beyond what we ever write (a tampered row) are refused too, so
	// that a stored hash cannot make the server allocate gigabytes or spin.
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || t < 1 || p < 1 ||
		m > 256*1024 || t > 16 || p > 16 {
		return false, false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return false, false
	}
	got := idKey([]byte(pw), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, true
}

//go:embed common-passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Fields(commonPasswordList) {
		m[strings.ToLower(l)] = true
	}
	return m
}()

// ValidateNewPassword returns an EINVALID error (field "password") unless pw is at
// least MinPasswordChars characters long, at most 200, and not a commonly used password.
func ValidateNewPassword(pw string) error {
	var v domain.Validator
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordChars:
		v.Add("password", fmt.Sprintf("Use at least %d characters.", MinPasswordChars))
	case n > 200:
		v.Add("password", "Use at most 200 characters.")
	case commonPasswords[strings.ToLower(pw)]:
		v.Add("password", "This password is too common. Choose one that is harder to guess.")
	}
	return v.Err()
}

// NewToken returns a random 256-bit token for a cookie or a link, and its hash for storage.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error()) // never returns an error on supported platforms
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the stored form of a token: its SHA-256 in hex. Tokens carry 256
// random bits, so a fast hash is enough.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
