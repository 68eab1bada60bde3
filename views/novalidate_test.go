package views

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryFormIsNovalidate: every form leaves checking to the server, so that the browser's
// own validation bubble (not read by every screen reader, in the browser's language, and gone
// when it closes) never pre-empts the DKFDS error summary; the server checks every field
// anyway. The browsers' date inputs are not used either: they show mm/dd/yyyy on an English
// system while the portal asks for dd-mm-åååå.
func TestEveryFormIsNovalidate(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	formTag := regexp.MustCompile(`(?s)<form\b[^>]*>`)
	forms := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range formTag.FindAllString(string(src), -1) {
			forms++
			if !strings.Contains(tag, "novalidate") {
				t.Errorf("%s: a form without novalidate: %s", f, tag)
			}
		}
		if strings.Contains(string(src), `Type: "date"`) || strings.Contains(string(src), `type="date"`) {
			t.Errorf("%s: a browser date input; ask for dd-mm-åååå in a text field (web.ParseDate)", f)
		}
	}
	if forms < 50 {
		t.Fatalf("found only %d forms: the pattern no longer matches the templates", forms)
	}
}
