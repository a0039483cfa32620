package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor sign-in uses time-based one-time codes (TOTP, RFC 6238) with the
// parameters every authenticator app understands: HMAC-SHA1, 6 digits, 30-second
// steps, a 160-bit secret.
const (
	TOTPPeriod          = 30              // seconds per time step
	RecoveryCodeCount   = 10              // recovery codes issued at a time
	TwoFactorPendingTTL = 5 * time.Minute // from the password to the code
)

var (
	secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)
	totpOpts       = totp.ValidateOpts{Period: TOTPPeriod, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	// Recovery codes are lower-case base32 without the letters people confuse.
	recoveryEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)
)

// NewTOTPKey returns a new key with a random secret for the account, labelled
// with issuer in the authenticator app.
func NewTOTPKey(issuer, account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: TOTPPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// TOTPKey rebuilds the key of a stored base32 secret, for showing it again.
func TOTPKey(issuer, account, secret string) (*otp.Key, error) {
	raw, err := secretEncoding.DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("auth: totp secret: %w", err)
	}
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: TOTPPeriod, Secret: raw,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// QRDataURI renders the key's otpauth:// URL as a QR code, a PNG in a data: URI,
// so that the page needs no request to anyone else.
func QRDataURI(k *otp.Key) (string, error) {
	img, err := k.Image(240, 240)
	if err != nil {
		return "", fmt.Errorf("auth: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("auth: qr code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// IsTOTPCode reports whether code (spaces removed) has the shape of a TOTP code.
func IsTOTPCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// TOTPStep returns the time step whose code for the secret is code, looking at
// the step of now and one step either side (clocks drift, people type slowly);
// 0 when none matches. A caller refuses a step it has accepted before, so each
// code works once.
func TOTPStep(secret, code string, now time.Time) int64 {
	if !IsTOTPCode(code) {
		return 0
	}
	cur := now.Unix() / TOTPPeriod
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		ok, err := totp.ValidateCustom(code, secret, time.Unix(step*TOTPPeriod, 0).UTC(), totpOpts)
		if err == nil && ok {
			return step
		}
	}
	return 0
}

// CleanCode removes what people type around a code: spaces and hyphens.
func CleanCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
}

// NewRecoveryCodes returns RecoveryCodeCount recovery codes to show once
// ("abcd-efgh-jkmn-pqrs", 80 random bits each) and the hashes to store.
func NewRecoveryCodes() (codes, hashes []string) {
	for range RecoveryCodeCount {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			panic("auth: no randomness: " + err.Error())
		}
		c := recoveryEncoding.EncodeToString(b)
		codes = append(codes, c[0:4]+"-"+c[4:8]+"-"+c[8:12]+"-"+c[12:16])
		hashes = append(hashes, HashToken(c))
	}
	return codes, hashes
}

// RecoveryCodeHash returns the stored hash of a typed recovery code, and false
// when it cannot be one.
func RecoveryCodeHash(code string) (string, bool) {
	c := strings.ToLower(CleanCode(code))
	if len(c) != 16 {
		return "", false
	}
	if _, err := recoveryEncoding.DecodeString(c); err != nil {
		return "", false
	}
	return HashToken(c), true
}
