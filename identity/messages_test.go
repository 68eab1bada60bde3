package identity

import (
	"testing"

	"mitidportal/locales"
)

// TestMessagesExist checks the message IDs built at run time (kinds, statuses, levels, activity
// kinds, block reasons) and the errors' IDs in every language; the locales test only finds IDs
// written out as literals.
func TestMessagesExist(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := MessageIDs()
	if len(ids) < 50 {
		t.Fatalf("only %d message IDs", len(ids))
	}
	for _, id := range ids {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
	if got := cat.For("da").T(ErrThrottled.MsgID, map[string]any{"Minutes": ErrThrottled.After(90e9).Minutes()}); got != "Der har været for mange forsøg. Vent 2 min., og prøv igen." {
		t.Errorf("throttled message: %q", got)
	}
}
