package sitedata_test

import (
	"strconv"
	"testing"

	"mitidportal/audit"
	"mitidportal/campaign/sitedata"
	"mitidportal/locales"
)

// TestMessagesExist checks every message ID the package hands out, the month names of the
// timeline and the audit names of its events in every language; the locales test only finds
// IDs written out as literals.
func TestMessagesExist(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := sitedata.MessageIDs()
	for m := 1; m <= 12; m++ {
		ids = append(ids, "sitedata.month."+strconv.Itoa(m))
	}
	for _, e := range []string{sitedata.EventCategorySaved, sitedata.EventEntrySaved, sitedata.EventEntryShown, sitedata.EventMoved,
		sitedata.EventBrokerSaved, sitedata.EventActivitySaved, sitedata.EventActivityGone, sitedata.EventTextSaved} {
		ids = append(ids, audit.Action(e).MsgID())
	}
	for _, id := range ids {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}
