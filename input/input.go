// Package input holds the portal's rules for text that comes from outside (forms, query
// strings, mail): which characters a value may hold and how long it may be. The handlers check
// every form and query value with Check and show a field error for a broken rule; readers of
// text that has no one to show an error to (inbound mail) repair it with Clean. Either way no
// value reaches PostgreSQL that it refuses (a NUL byte, a byte sequence that is not UTF-8).
//
// The package knows no HTTP and no database, so it can be fuzzed on its own.
package input

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMax is the length of a one-line field that declares none: enough for any name, address
// or code a person types, small enough that a megabyte "username" is refused at once.
const DefaultMax = 200

// Rule is what one field accepts.
type Rule struct {
	Max       int  // most characters (runes) after trimming and newline normalisation; 0 is DefaultMax
	Multiline bool // a text area: tab and newlines allowed, CR LF and lone CR become LF
	Secret    bool // a password or code: taken as typed, not trimmed (a space may be part of it)
}

// Problem is the rule a value breaks, if any.
type Problem int

// The problems Check finds, in the order it looks for them.
const (
	OK      Problem = iota
	BadText         // not UTF-8, or holds NUL or another control character
	TooLong         // more than Rule.Max characters
)

// Check returns the value as the domain gets it (trimmed unless secret, newlines normalised)
// and the first rule it breaks. A value with a problem comes back made safe to show again: each
// byte that is not UTF-8 and each forbidden control character replaced by U+FFFD, so a person
// sees where the problem is and the page never carries a NUL. It is never cut: a value that is
// too long is refused, not shortened behind the person's back.
func Check(raw string, r Rule) (string, Problem) {
	v := raw
	if r.Multiline {
		v = normalizeNewlines(v)
	}
	if !r.Secret {
		v = strings.TrimSpace(v)
	}
	if !utf8.ValidString(v) || strings.IndexFunc(v, forbidden(r.Multiline)) >= 0 {
		return replaceBad(v, r.Multiline), BadText
	}
	limit := r.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	if utf8.RuneCountInString(v) > limit {
		return v, TooLong
	}
	return v, OK
}

// Clean repairs text that nobody can be asked to type again (a mail): newlines normalised when
// multiline, bytes that are not UTF-8 replaced by U+FFFD, forbidden control characters dropped,
// and the ends trimmed. The result always passes Check's character rule.
func Clean(s string, multiline bool) string {
	if multiline {
		s = normalizeNewlines(s)
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if forbidden(multiline)(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Valid reports whether s is text PostgreSQL takes and the portal allows on one line (or, with
// multiline, in a text area): UTF-8 without control characters.
func Valid(s string, multiline bool) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, forbidden(multiline)) < 0
}

// forbidden reports the characters no field may hold: every control character (C0, DEL, C1;
// NUL among them), except tab and line feed in a text area. Carriage returns are gone by then.
func forbidden(multiline bool) func(rune) bool {
	return func(r rune) bool {
		if multiline && (r == '\t' || r == '\n') {
			return false
		}
		return unicode.IsControl(r)
	}
}

// normalizeNewlines turns CR LF and lone CR into LF, as browsers differ in what a text area
// posts.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// replaceBad replaces each byte that is not UTF-8 and each forbidden control character with
// U+FFFD.
func replaceBad(s string, multiline bool) string {
	var b strings.Builder
	b.Grow(len(s))
	bad := forbidden(multiline)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || bad(r) {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
