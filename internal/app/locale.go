package app

import (
	"context"

	"portico/internal/domain"
	"portico/internal/i18n"
)

type localeKey struct{}

// WithLocale returns ctx carrying the language of the person a document is
// made for (a PDF they download): the web layer sets the request's language.
func WithLocale(ctx context.Context, locale string) context.Context {
	return context.WithValue(ctx, localeKey{}, locale)
}

// readerLocale is the language ctx carries for the reader, else the tenant's.
func readerLocale(ctx context.Context, company *domain.Company) string {
	if l, ok := ctx.Value(localeKey{}).(string); ok && l != "" {
		return l
	}
	return i18n.Resolve("", "", company.Locale)
}
