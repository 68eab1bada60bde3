package support

import (
	"strings"
	"unicode/utf8"

	"mitidportal/fault"
)

// Limits of a canned reply's text, in characters (also CHECKs in migration 00024).
const (
	MaxCannedTitle = 120
	MaxCannedBody  = 5000
)

// Rules of a canned reply's text, each shown at its field.
var (
	ErrCannedTitleRequired = fault.New("support", fault.Invalid, "deskcanned.err.title_required")
	ErrCannedTitleTooLong  = fault.New("support", fault.Invalid, "deskcanned.err.title_too_long")
	ErrCannedBodyRequired  = fault.New("support", fault.Invalid, "deskcanned.err.body_required")
	ErrCannedBodyTooLong   = fault.New("support", fault.Invalid, "deskcanned.err.body_too_long")
	ErrCannedPlaceholder   = fault.New("support", fault.Invalid, "deskcanned.err.placeholder")
)

// Placeholders are written {{navn}} in Danish and {{name}} in English (either works in either
// language, in any case, with spaces inside the braces allowed). Each names one value of
// CannedValues.
var cannedPlaceholders = map[string]string{
	"navn": "name", "name": "name",
	"reference": "ref", "ref": "ref",
	"telefon": "phone", "phone": "phone",
}

// CannedValues are what a reply's placeholders are filled with on one case.
type CannedValues struct {
	Name  string // the citizen's name as the case has it; may be empty
	Ref   string // the case's reference code
	Phone string // the desk's phone number
}

func (v CannedValues) get(key string) string {
	switch key {
	case "name":
		return v.Name
	case "ref":
		return v.Ref
	}
	return v.Phone
}

// CannedProblem is one broken rule of a canned reply's text: the field ("title_da",
// "body_en", ...), the refusal and, for a placeholder, which one ({{.Placeholder}}).
type CannedProblem struct {
	Field string
	Err   *Error
	Data  map[string]any
}

// CheckCannedText trims t and returns it with every broken rule, in the order of the form's
// fields: titles and bodies are required and bounded, and a body may only use the known
// placeholders (an unknown or unclosed one is reported as typed).
func CheckCannedText(t CannedText) (CannedText, []CannedProblem) {
	var out []CannedProblem
	fields := []struct {
		name  string
		value *string
		body  bool
	}{{"title_da", &t.TitleDA, false}, {"body_da", &t.BodyDA, true}, {"title_en", &t.TitleEN, false}, {"body_en", &t.BodyEN, true}}
	for _, f := range fields {
		*f.value = strings.TrimSpace(*f.value)
		if f.body {
			*f.value = strings.ReplaceAll(*f.value, "\r\n", "\n")
		}
		n := utf8.RuneCountInString(*f.value)
		required, tooLong, max := ErrCannedTitleRequired, ErrCannedTitleTooLong, MaxCannedTitle
		if f.body {
			required, tooLong, max = ErrCannedBodyRequired, ErrCannedBodyTooLong, MaxCannedBody
		}
		switch {
		case n == 0:
			out = append(out, CannedProblem{Field: f.name, Err: required})
		case n > max:
			out = append(out, CannedProblem{Field: f.name, Err: tooLong})
		case f.body:
			if bad, ok := unknownPlaceholder(*f.value); ok {
				out = append(out, CannedProblem{Field: f.name, Err: ErrCannedPlaceholder, Data: map[string]any{"Placeholder": bad}})
			}
		}
	}
	return t, out
}

// placeholders calls fn for each "{{...}}" in s with its byte span and its key ("" when
// unknown), and for an unclosed "{{" with end -1.
func placeholders(s string, fn func(start, end int, key string)) {
	for i := 0; ; {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			return
		}
		start := i + j
		k := strings.Index(s[start+2:], "}}")
		if k < 0 {
			fn(start, -1, "")
			return
		}
		end := start + 2 + k + 2
		fn(start, end, cannedPlaceholders[strings.ToLower(strings.TrimSpace(s[start+2:end-2]))])
		i = end
	}
}

// unknownPlaceholder returns the first placeholder of s that names no value, as typed (at most
// 40 characters of it).
func unknownPlaceholder(s string) (string, bool) {
	bad, found := "", false
	placeholders(s, func(start, end int, key string) {
		if found || key != "" {
			return
		}
		found = true
		if end < 0 {
			end = len(s)
		}
		bad = s[start:end]
		if r := []rune(bad); len(r) > 40 {
			bad = string(r[:40]) + "…"
		}
	})
	return bad, found
}

// FillCanned fills the placeholders of body with v. An empty value takes the space before its
// placeholder with it, so "Hej {{navn}}," becomes "Hej," for a caller who gave no name. A
// placeholder that names no value stays as it is (the rules refuse it when saving).
func FillCanned(body string, v CannedValues) string {
	var b strings.Builder
	last := 0
	placeholders(body, func(start, end int, key string) {
		if end < 0 || key == "" {
			return
		}
		before := body[last:start]
		val := v.get(key)
		if val == "" {
			before = strings.TrimSuffix(before, " ")
		}
		b.WriteString(before)
		b.WriteString(val)
		last = end
	})
	b.WriteString(body[last:])
	return b.String()
}

// cannedMessageIDs are the messages of the canned replies' rules and refusals.
func cannedMessageIDs() []string {
	var ids []string
	for _, e := range []*Error{ErrCannedTitleRequired, ErrCannedTitleTooLong, ErrCannedBodyRequired, ErrCannedBodyTooLong,
		ErrCannedPlaceholder, ErrCannedForbidden, ErrCannedStale, ErrCannedRetired, ErrCannedTooMany} {
		ids = append(ids, e.MsgID)
	}
	return ids
}
