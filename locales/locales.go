// Package locales holds every user-visible string of the portal, in Danish (the default) and
// English, and picks the language of a request. Views and handlers translate through a
// Translator; no user-visible text lives outside the *.toml files here.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Messages live in one file per language for the shared parts (da.toml, en.toml) and one pair
// per area (identity.da.toml, identity.en.toml, ...): the language is the part of the name
// before ".toml", as go-i18n reads it.
//
//go:embed *.toml
var files embed.FS

// Default is the language of a request that states no preference.
const Default = "da"

// Supported lists the portal's languages in the order the language switch shows them.
var Supported = []string{"da", "en"}

var matcher = language.NewMatcher([]language.Tag{language.Danish, language.English})

// Catalog is the loaded message bundle with one Translator per supported language.
type Catalog struct {
	bundle      *i18n.Bundle
	translators map[string]*Translator
}

// Load parses the embedded locale files once per process, as assets.Load reads its files: they
// are embedded, so every call would build the same Catalog, and a Catalog is only read after it
// is built. A process that starts many portals (the handler tests start one per test) parses
// them once instead of once per portal.
func Load() (*Catalog, error) { return loadOnce() }

var loadOnce = sync.OnceValues(load)

func load() (*Catalog, error) {
	b := i18n.NewBundle(language.Danish)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, translators: map[string]*Translator{}}
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if !IsSupported(FileLang(name)) {
			return nil, fmt.Errorf("locale file %s: language %q is not supported", name, FileLang(name))
		}
		if _, err := b.LoadMessageFileFS(files, name); err != nil {
			return nil, fmt.Errorf("locale file %s: %w", name, err)
		}
	}
	for _, lang := range Supported {
		c.translators[lang] = &Translator{Lang: lang, loc: i18n.NewLocalizer(b, lang), own: map[string]message{}}
	}
	for _, name := range names {
		buf, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		mf, err := i18n.ParseMessageFileBytes(buf, name, map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			return nil, fmt.Errorf("locale file %s: %w", name, err)
		}
		own := c.translators[FileLang(name)].own
		for _, m := range mf.Messages {
			if msg, ok := prepare(m); ok {
				own[m.ID] = msg
			} else {
				delete(own, m.ID) // a later file's message of the same ID replaces it in the bundle too
			}
		}
	}
	return c, nil
}

// FileLang is the language of a locale file: "da" for da.toml and identity.da.toml.
func FileLang(name string) string {
	name = strings.TrimSuffix(path.Base(name), ".toml")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// For returns the Translator of lang, or of Default when lang is not supported.
func (c *Catalog) For(lang string) *Translator {
	if t, ok := c.translators[lang]; ok {
		return t
	}
	return c.translators[Default]
}

// Negotiate picks the language from, in order: an explicit choice (?lang=), the language
// cookie, and the Accept-Language header. It always returns a supported language.
func Negotiate(query, cookie, acceptLanguage string) string {
	for _, v := range []string{query, cookie} {
		if IsSupported(v) {
			return v
		}
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			_, idx, conf := matcher.Match(tags...)
			if conf != language.No {
				return Supported[idx]
			}
		}
	}
	return Default
}

// IsSupported reports whether lang is one of the portal's languages.
func IsSupported(lang string) bool {
	for _, l := range Supported {
		if l == lang {
			return true
		}
	}
	return false
}

// Translator translates message IDs into one language.
type Translator struct {
	Lang string
	loc  *i18n.Localizer
	// own are this language's messages that are plain text or fill {{.Name}} placeholders
	// only, prepared at load (prepare). go-i18n matches languages and executes a text/template
	// on every call, which showed up in the page benchmarks; these answer without it. A message
	// of another shape, or one asked for without the data it names, goes through go-i18n.
	own map[string]message
}

// T returns the message id, with data filled into its {{.Name}} placeholders. A missing id
// returns the id itself, so a gap shows as text rather than an error page; the completeness
// test keeps such gaps from landing.
func (t *Translator) T(id string, data ...map[string]any) string {
	if m, ok := t.own[id]; ok {
		var d map[string]any
		if len(data) > 0 {
			d = data[0]
		}
		if s, ok := m.fill(d); ok {
			return s
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// message is a prepared message: its text, or for one with placeholders the literal text
// around them (lits has one more element than keys).
type message struct {
	lits []string
	keys []string
}

// placeholder is the one template action prepare understands: a field of the data map.
var placeholder = regexp.MustCompile(`\{\{ *\.([A-Za-z_][A-Za-z0-9_]*) *\}\}`)

// prepare splits a message's text (its "other" form, the one T uses) at its {{.Name}}
// placeholders; false for a message that has no such form, other delimiters or another kind
// of template action.
func prepare(m *i18n.Message) (message, bool) {
	if m.Other == "" || m.LeftDelim != "" || m.RightDelim != "" {
		return message{}, false
	}
	var msg message
	rest := m.Other
	for {
		loc := placeholder.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		msg.lits = append(msg.lits, rest[:loc[0]])
		msg.keys = append(msg.keys, rest[loc[2]:loc[3]])
		rest = rest[loc[1]:]
	}
	msg.lits = append(msg.lits, rest)
	for _, l := range msg.lits {
		if strings.Contains(l, "{{") {
			return message{}, false
		}
	}
	return msg, true
}

// fill is the message with data's values in its placeholders, as text/template prints them;
// false when a placeholder's value is missing or of a type other than string or int, which
// go-i18n handles.
func (m message) fill(data map[string]any) (string, bool) {
	if len(m.keys) == 0 {
		return m.lits[0], true
	}
	var b strings.Builder
	for i, k := range m.keys {
		b.WriteString(m.lits[i])
		switch v := data[k].(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		default:
			return "", false
		}
	}
	b.WriteString(m.lits[len(m.lits)-1])
	return b.String(), true
}

// N is T for a message with plural forms, chosen by count; count is also available to the
// message as {{.Count}}.
func (t *Translator) N(id string, count int, data ...map[string]any) string {
	td := map[string]any{"Count": count}
	if len(data) > 0 {
		for k, v := range data[0] {
			td[k] = v
		}
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: td})
	if err != nil {
		return id
	}
	return s
}

// Has reports whether id exists in this language (not through the fallback to Danish).
func (c *Catalog) Has(lang, id string) bool {
	_, tag, err := c.For(lang).loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	return err == nil && strings.HasPrefix(tag.String(), lang)
}
