package site

import (
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// Op is what a line of a diff did.
type Op int

// The operations of a diff line.
const (
	Same Op = iota
	Added
	Removed
)

// Line is one line of a diff between two versions' Markdown.
type Line struct {
	Op   Op
	Text string
}

// Diff compares two texts line by line (difflib's matcher, the algorithm of Python's difflib)
// and returns every line of both in reading order: kept, removed from a, added in b.
func Diff(a, b string) []Line {
	al, bl := splitLines(a), splitLines(b)
	var out []Line
	for _, op := range difflib.NewMatcher(al, bl).GetOpCodes() {
		switch op.Tag {
		case 'e':
			for _, s := range al[op.I1:op.I2] {
				out = append(out, Line{Same, s})
			}
		case 'd', 'r', 'i':
			for _, s := range al[op.I1:op.I2] {
				out = append(out, Line{Removed, s})
			}
			for _, s := range bl[op.J1:op.J2] {
				out = append(out, Line{Added, s})
			}
		}
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
