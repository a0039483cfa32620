package web

import (
	"net/http"
	"path/filepath"
	"strconv"
	"testing"

	"portico/internal/domain"
	"portico/internal/i18n"
)

// Every sentence an API error can carry has a Slovak entry: the title of every
// status an error code maps to, the answer to an unexpected failure, and every
// sentence the API's own code and the token code of the app set. (The other
// sentences of the app and the store that reach the API are those of the
// pages, which TestGoStringsHaveSlovak checks.)
func TestAPIErrorsHaveSlovak(t *testing.T) {
	codes := []string{domain.EINVALID, domain.ENOTFOUND, domain.ECONFLICT, domain.EFORBIDDEN, domain.EUNAUTHORIZED,
		domain.ETOOMANY, domain.ETOOLARGE, domain.EINTERNAL}
	for _, code := range codes {
		status := statusOf(code)
		if title := statusTitle(i18n.SK, status); title == http.StatusText(status) {
			t.Errorf("%s: the title of status %d has no Slovak: %q", code, status, title)
		}
	}
	if msg := domain.ErrorMessage(nil); !i18n.Has(i18n.SK, msg) {
		t.Errorf("the answer to an unexpected failure has no Slovak: %q", msg)
	}
	files, _ := filepath.Glob("api*.go")
	files = append(files, "../app/api_tokens.go")
	n := 0
	for _, file := range files {
		if filepath.Ext(file) != ".go" || len(file) > 8 && file[len(file)-8:] == "_test.go" {
			continue
		}
		for msg, where := range goMessages(t, file) {
			n++
			if !i18n.Has(i18n.SK, msg) {
				t.Errorf("%s: %s has no Slovak entry", where, strconv.Quote(msg))
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d sentences in the API's sources: the search is broken", n)
	}
}
