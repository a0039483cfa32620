package app

import (
	"bytes"
	"mime"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Uploads come from browsers, refusals from devices: neither is to be trusted.

// magic is what each allowed type starts with, written down apart from the
// sniffing code.
var magic = map[string]func([]byte) bool{
	"application/pdf": func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF-")) },
	"image/png":       func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) },
	"image/jpeg":      func(b []byte) bool { return bytes.HasPrefix(b, []byte("\xff\xd8\xff")) },
	"image/webp": func(b []byte) bool {
		return len(b) >= 14 && bytes.HasPrefix(b, []byte("RIFF")) && string(b[8:14]) == "WEBPVP"
	},
}

// FuzzSniffDocument: an upload is given one of the four allowed types, and
// only when its content starts as that type does and its name claims no other;
// anything else is refused with a message, and never both or neither.
func FuzzSniffDocument(f *testing.F) {
	f.Add("report.pdf", []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"))
	f.Add("plan.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"))
	f.Add("photo.JPG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
	f.Add("photo.webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x000\x01\x00\x9d\x01\x2a\x01\x00\x01\x00"))
	f.Add("picture.pdf", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	f.Add("notes.txt", []byte("Bait stations checked.\n"))
	f.Add("scan.pdf", []byte("<html><body>not a pdf</body></html>"))
	f.Add("archive.pdf", []byte("PK\x03\x04\x14\x00\x00\x00"))
	f.Add("anim.gif", []byte("GIF89a\x01\x00\x01\x00"))
	f.Add("", []byte{})
	f.Add("report.pdf.exe", []byte("MZ\x90\x00"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ct, problem := SniffDocument(name, data)
		if (ct == "") == (problem == "") {
			t.Fatalf("SniffDocument(%q) = %q, %q: exactly one of a type and a problem", name, ct, problem)
		}
		if problem != "" {
			if !utf8.ValidString(problem) || !strings.HasSuffix(problem, ".") {
				t.Fatalf("problem %q is not a sentence", problem)
			}
			return
		}
		starts, allowed := magic[ct]
		if !allowed {
			t.Fatalf("type %q is not one documents may have", ct)
		}
		if !starts(data) {
			t.Fatalf("%q given type %s, which its content does not start as: %q", name, ct, data[:min(len(data), 16)])
		}
		if claimed, named := claimedTypes[strings.ToLower(filepath.Ext(name))]; named && claimed != ct {
			t.Fatalf("%q named as %s accepted as %s", name, claimed, ct)
		}
	})
}

// FuzzCleanFileName: whatever the browser named the file, the stored name is
// printable, without path or quoting characters, at most 150 characters before
// its extension, ends with the extension of the type the content has, and can
// be put in a Content-Disposition header.
func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"report.pdf", `C:\Users\Eva\Desktop\plan.PNG`, "../../etc/passwd", "a\"b<c>d:e|f?g*h.jpg", "\x00\x1f\u202e.pdf",
		"photo.jpeg", ".", "..", "", "   ", "dokumentácia ŠÚ.pdf", strings.Repeat("ž", 200) + ".webp", "\xff\xfe.png"} {
		f.Add(s, uint8(len(s)))
	}
	types := []string{"application/pdf", "image/png", "image/jpeg", "image/webp"}
	f.Fuzz(func(t *testing.T, name string, which uint8) {
		ct := types[int(which)%len(types)]
		got := cleanFileName(name, ct)
		if got == "" || !utf8.ValidString(got) || strings.ContainsAny(got, `"/\<>:|?*`) || strings.IndexFunc(got, unicode.IsControl) >= 0 {
			t.Fatalf("cleanFileName(%q) = %q", name, got)
		}
		if claimedTypes[strings.ToLower(filepath.Ext(got))] != ct {
			t.Fatalf("cleanFileName(%q, %s) = %q: the extension is not the type's", name, ct, got)
		}
		if n := utf8.RuneCountInString(got); n > 150+len(".webp") {
			t.Fatalf("cleanFileName(%q) is %d characters", name, n)
		}
		if mime.FormatMediaType("attachment", map[string]string{"filename": got}) == "" {
			t.Fatalf("cleanFileName(%q) = %q cannot be a download's name", name, got)
		}
	})
}

// FuzzRefusal: whatever a device says when it refuses a command, the reason
// shown is one short sentence of printable text that says the device refused.
func FuzzRefusal(f *testing.F) {
	for _, s := range []string{"Argument 'id', value 1 not found!", "Unknown command", "No such relay", "", "   ", "...!!",
		"bad\x00\x1b[31mred", "\xff\xfe", strings.Repeat("é", 200), "line\nbreak", "\u202eevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		got := refusal(msg)
		if !strings.HasPrefix(got, "The device refused the command") || !strings.HasSuffix(got, ".") || strings.Count(got, "\n") > 0 {
			t.Fatalf("refusal(%q) = %q", msg, got)
		}
		if !utf8.ValidString(got) || strings.IndexFunc(got, unicode.IsControl) >= 0 || strings.ContainsRune(got, utf8.RuneError) {
			t.Fatalf("refusal(%q) = %q holds what is not printable", msg, got)
		}
		if len(got) > len("The device refused the command: .")+120+utf8.UTFMax {
			t.Fatalf("refusal(%q) is %d bytes long", msg, len(got))
		}
	})
}
