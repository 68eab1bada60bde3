package support_test

import (
	"testing"

	"mitidportal/locales"
	"mitidportal/support"
)

// TestMessagesExist checks every message ID the package hands out in every language; the
// locales test only finds IDs written out as literals.
func TestMessagesExist(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := support.MessageIDs()
	if len(ids) < 80 {
		t.Fatalf("only %d message IDs", len(ids))
	}
	for _, id := range ids {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}
