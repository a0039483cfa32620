package web

import (
	"net/http"
	"reflect"

	"portico/internal/i18n"
)

// requestLocale is the language a request is answered in. In the portal: the
// user's own choice, else the browser's Accept-Language when Portico speaks it,
// else the tenant's language (a staff member viewing as a user: their own choice,
// else the tenant's). In the staff app: the staff member's own choice, else the
// tenant's. Signed out of both: the browser's, else English.
func requestLocale(r *http.Request) string {
	if pc := portalOf(r); pc != nil {
		if pc.viewer != nil {
			return i18n.Resolve(pc.viewer.Locale, "", pc.company.Locale)
		}
		own := ""
		if pc.user != nil {
			own = pc.user.Locale
		}
		return i18n.Resolve(own, r.Header.Get("Accept-Language"), pc.company.Locale)
	}
	if sess := staffOf(r); sess != nil {
		return i18n.Resolve(sess.user.Locale, "", sess.company.Locale)
	}
	return i18n.Resolve("", r.Header.Get("Accept-Language"), "")
}

// localizeForms translates, in place, the messages of every form a page holds in
// a field of type *Form (its own or an embedded struct's): the messages are made
// in Go, in English, before the page knows its language.
func localizeForms(data any, locale string) {
	if locale == i18n.EN {
		return
	}
	v := reflect.ValueOf(data)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	localizeStruct(v, locale, 2)
}

var formType = reflect.TypeFor[*Form]()

func localizeStruct(v reflect.Value, locale string, depth int) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		switch {
		case f.Type == formType && f.IsExported():
			if form := fv.Interface().(*Form); form != nil {
				form.localize(locale)
			}
		case f.Anonymous && f.Type.Kind() == reflect.Struct && depth > 0:
			localizeStruct(fv, locale, depth-1)
		}
	}
}

// localize translates the form's messages once.
func (f *Form) localize(locale string) {
	if f.localized {
		return
	}
	f.localized = true
	f.Error = i18n.Message(locale, f.Error)
	if len(f.Errors) == 0 {
		return
	}
	out := make(map[string]string, len(f.Errors))
	for k, m := range f.Errors {
		out[k] = i18n.Message(locale, m)
	}
	f.Errors = out
}
