package support_test

import (
	"strings"
	"testing"

	"mitidportal/locales"
	"mitidportal/support"
)

// TestCannedReplies renders every canned reply in both languages with and without a name and
// checks that the placeholders are filled in.
func TestCannedReplies(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(support.CannedReplies) < 5 {
		t.Fatalf("%d canned replies", len(support.CannedReplies))
	}
	for _, c := range support.CannedReplies {
		if got, ok := support.CannedByID(c.ID); !ok || got != c {
			t.Errorf("CannedByID(%q) = %+v, %v", c.ID, got, ok)
		}
		for _, lang := range locales.Supported {
			for _, name := range []string{"Ane Hansen", ""} {
				t.Run(c.ID+"/"+lang+"/"+name, func(t *testing.T) {
					tr := cat.For(lang)
					data := support.CannedData(support.Case{Name: name, Ref: "SATEBX"}, "72 20 60 00")
					body := tr.T(c.BodyID, data)
					if tr.T(c.TitleID) == c.TitleID || body == c.BodyID {
						t.Fatal("missing message")
					}
					if !strings.Contains(body, "SATEBX") || strings.Contains(body, "{{") || strings.Contains(body, "<no value>") {
						t.Errorf("body without the code or with a placeholder left:\n%s", body)
					}
					if strings.Contains(body, "Ane Hansen") != (name != "") || strings.Contains(body, " ,") {
						t.Errorf("name not filled in as given (%q):\n%s", name, body)
					}
					if !strings.Contains(body, "72 20 60 00") {
						t.Errorf("body without the phone number:\n%s", body)
					}
				})
			}
		}
	}
	if _, ok := support.CannedByID("nope"); ok {
		t.Error("CannedByID found an unknown reply")
	}
}
