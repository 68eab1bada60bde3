package locales_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"mitidportal/locales"
)

// messageUse finds message IDs in source: T(ctx, "id"), .T("id"), .N("id", ...), message-ID
// fields in view models (TitleID: "id") and typed domain errors (MsgID: "id").
var messageUse = regexp.MustCompile(`(?:\bT\(ctx,\s*|\.T\(|\.N\(|\b[A-Za-z]*ID:\s*|MsgID:\s*)"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// anyLiteral finds every string literal shaped like a message ID; those whose first part is a
// top-level table of da.toml are message IDs too (map literals such as weekday names).
var anyLiteral = regexp.MustCompile(`"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// IDs built at run time from parts (information pages' sections, holidays) are checked by a
// test in the package that builds them (handlers' TestDynamicMessagesExist).

// TestEveryUsedMessageExists fails when source uses a message ID that either locale file lacks.
func TestEveryUsedMessageExists(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	used := usedIDs(t, "..", topLevel(t))
	if len(used) < 20 {
		t.Fatalf("found only %d message uses; the scanner is broken", len(used))
	}
	for _, id := range sortedKeys(used) {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("%s: message %q is missing in the %s files", used[id], id, lang)
			}
		}
	}
}

// TestLocaleFilesHaveTheSameKeys fails when a message is in one language only.
func TestLocaleFilesHaveTheSameKeys(t *testing.T) {
	keys := map[string]map[string]bool{}
	for _, lang := range locales.Supported {
		keys[lang] = langKeys(t, lang)
	}
	for _, a := range locales.Supported {
		for _, b := range locales.Supported {
			for _, k := range sortedKeys(keys[a]) {
				if !keys[b][k] {
					t.Errorf("message %q is in the %s files but not in the %s files", k, a, b)
				}
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct{ query, cookie, accept, want string }{
		{"", "", "", "da"},
		{"en", "", "", "en"},
		{"en", "da", "da", "en"},
		{"", "en", "da", "en"},
		{"", "", "en-GB,en;q=0.9", "en"},
		{"", "", "da-DK,da;q=0.9,en;q=0.8", "da"},
		{"", "", "de-DE", "da"},
		{"fr", "xx", "sv", "da"},
		{"", "", "nb-NO", "da"},
	}
	for _, tt := range tests {
		if got := locales.Negotiate(tt.query, tt.cookie, tt.accept); got != tt.want {
			t.Errorf("Negotiate(%q, %q, %q) = %q, want %q", tt.query, tt.cookie, tt.accept, got, tt.want)
		}
	}
}

func usedIDs(t *testing.T, root string, namespaces map[string]bool) map[string]string {
	t.Helper()
	used := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") {
			return nil
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".templ") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range messageUse.FindAllSubmatch(b, -1) {
			used[string(m[1])] = path
		}
		for _, m := range anyLiteral.FindAllSubmatch(b, -1) {
			id := string(m[1])
			if ns, _, _ := strings.Cut(id, "."); namespaces[ns] {
				used[id] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used
}

// topLevel returns the first parts of the Danish message IDs.
func topLevel(t *testing.T) map[string]bool {
	out := map[string]bool{}
	for k := range langKeys(t, locales.Default) {
		ns, _, _ := strings.Cut(k, ".")
		out[ns] = true
	}
	return out
}

// langKeys returns the message IDs of every locale file of lang; an ID defined in two files of
// one language is an error, because go-i18n would silently keep one of them.
func langKeys(t *testing.T, lang string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	from := map[string]string{}
	for _, f := range files {
		if locales.FileLang(f) != lang {
			continue
		}
		for k := range flatKeys(t, f) {
			if prev, dup := from[k]; dup {
				t.Errorf("message %q is in both %s and %s", k, prev, f)
			}
			from[k] = f
			out[k] = true
		}
	}
	if len(out) == 0 {
		t.Fatalf("no messages for %s", lang)
	}
	return out
}

// flatKeys returns the message IDs of a locale file: nested tables joined with dots.
func flatKeys(t *testing.T, file string) map[string]bool {
	t.Helper()
	var tree map[string]any
	if _, err := toml.DecodeFile(file, &tree); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			id := k
			if prefix != "" {
				id = prefix + "." + k
			}
			if sub, ok := v.(map[string]any); ok && !isPlural(sub) {
				walk(id, sub)
				continue
			}
			out[id] = true
		}
	}
	walk("", tree)
	return out
}

func isPlural(m map[string]any) bool {
	_, ok := m["other"]
	return ok
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
