package app

import (
	"context"
	"testing"

	"portico/internal/domain"
)

// A portal mail goes out in the recipient's own language, else the tenant's;
// a PDF in the language the request carries, else the tenant's.
func TestReaderLanguages(t *testing.T) {
	en, sk := &domain.Company{Locale: "en"}, &domain.Company{Locale: "sk"}
	for _, tc := range []struct {
		company *domain.Company
		user    *domain.PortalUser
		want    string
	}{
		{en, &domain.PortalUser{Locale: "sk"}, "sk"},
		{sk, &domain.PortalUser{Locale: "en"}, "en"},
		{sk, &domain.PortalUser{}, "sk"},
		{en, nil, "en"},
	} {
		if got := mailLocale(tc.company, tc.user); got != tc.want {
			t.Errorf("mailLocale(%s, %+v) = %q, want %q", tc.company.Locale, tc.user, got, tc.want)
		}
	}
	ctx := context.Background()
	if got := readerLocale(ctx, sk); got != "sk" {
		t.Errorf("readerLocale without a request language = %q, want the tenant's sk", got)
	}
	if got := readerLocale(WithLocale(ctx, "en"), sk); got != "en" {
		t.Errorf("readerLocale with en = %q", got)
	}
}
