package locales

import (
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestPreparedMessagesAsGoI18n compares every prepared message, in both languages, with what
// go-i18n makes of it: without data, with string values and with int values for its
// placeholders.
func TestPreparedMessagesAsGoI18n(t *testing.T) {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	placeholders := 0
	for _, lang := range Supported {
		tr := c.For(lang)
		if len(tr.own) < 500 {
			t.Fatalf("%s: only %d prepared messages", lang, len(tr.own))
		}
		for id, m := range tr.own {
			datas := []map[string]any{nil}
			if len(m.keys) > 0 {
				placeholders++
				strs, ints := map[string]any{}, map[string]any{}
				for i, k := range m.keys {
					strs[k] = "<" + k + " & værdi>"
					ints[k] = 1000*i - 7
				}
				datas = append(datas, strs, ints)
			}
			for _, d := range datas {
				want, err := tr.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d})
				if err != nil {
					t.Fatalf("%s %s: %v", lang, id, err)
				}
				var got string
				if d == nil {
					got = tr.T(id)
				} else {
					got = tr.T(id, d)
				}
				if got != want {
					t.Errorf("%s %s with %v: got %q, go-i18n %q", lang, id, d, got, want)
				}
			}
		}
	}
	if placeholders < 50 {
		t.Fatalf("only %d prepared messages with placeholders", placeholders)
	}
}

// TestUnpreparedMessagesStillTranslate: a message prepare leaves to go-i18n (a literal "{{",
// a placeholder's value of another type, a missing value) gives go-i18n's text.
func TestUnpreparedMessagesStillTranslate(t *testing.T) {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	tr := c.For("da")
	if _, ok := prepare(&i18n.Message{ID: "x", Other: `a {{"{{"}} b`}); ok {
		t.Fatal(`a literal "{{" was prepared`)
	}
	if m, ok := prepare(&i18n.Message{ID: "x", Other: "Hej {{.Name}}, {{ .N }} nye"}); !ok ||
		strings.Join(m.lits, "|") != "Hej |, | nye" || strings.Join(m.keys, "|") != "Name|N" {
		t.Fatalf("prepare: %+v %v", m, ok)
	}
	for id, m := range tr.own {
		if len(m.keys) == 0 {
			continue
		}
		d := map[string]any{m.keys[0]: 2.5}
		want, _ := tr.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d})
		if got := tr.T(id, d); got != want || !strings.Contains(got, "2.5") {
			t.Errorf("%s with a float: got %q, go-i18n %q", id, got, want)
		}
		if got, want := tr.T(id), "<no value>"; !strings.Contains(got, want) {
			t.Errorf("%s without data: got %q, want go-i18n's %q", id, got, want)
		}
		return
	}
	t.Fatal("no prepared message with a placeholder")
}
