// Package markdown turns what editors write (campaign pages, newsletter issues) into HTML that
// is safe to put into a page or a mail. goldmark parses CommonMark with GitHub's tables,
// strike-through and autolinks; its output then passes bluemonday's policy for user content,
// so a `<script>`, a `javascript:` link or an event attribute never reaches a reader even if
// the parser ever let one through (raw HTML in the source is dropped by goldmark already).
package markdown

import (
	"bytes"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxLen is the longest Markdown text the portal accepts from an editor, in bytes; forms check
// it before they call HTML.
const MaxLen = 100_000

var (
	md = goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(pageShape{}, 100)),
		),
	)
	policy = newPolicy()
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	// Heading ids make a section linkable (a guide's step, a question); headingIDs makes them
	// from the heading's text as ASCII letters, digits and dashes. The class is ASCII on
	// purpose: with \p{L}\p{N} the bounded repeat compiled to 2 MB held by every process.
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[a-z0-9_-]{1,100}$`)).OnElements("h2", "h3", "h4", "h5", "h6")
	// Tables get the design system's class, set below, and nothing else.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^table$`)).OnElements("table")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^col$`)).OnElements("th")
	p.RequireNoFollowOnLinks(false)
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p
}

// HTML renders Markdown as sanitised HTML. Headings move one level down (an editor's "#" is
// the page's h2: the page's title is its only h1).
func HTML(src string) template.HTML {
	var buf bytes.Buffer
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{seen: map[string]bool{}}))
	if err := md.Convert([]byte(src), &buf, parser.WithContext(ctx)); err != nil {
		// goldmark's HTML renderer writes to a bytes.Buffer, which does not fail; keep
		// whatever was rendered rather than dropping the page.
		_ = err
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised above
}

// pageShape adjusts the parsed document to the portal's pages: headings one level down and
// the design system's table class with column headers scoped for screen readers.
type pageShape struct{}

func (pageShape) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.Level = min(n.Level+1, 6)
		case *east.Table:
			n.SetAttributeString("class", []byte("table"))
		case *east.TableHeader:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				c.SetAttributeString("scope", []byte("col"))
			}
		}
		return ast.WalkContinue, nil
	})
}

// headingIDs makes a heading's id from its text the Danish way (æ ae, ø oe, å aa), so that
// "#sådan-gør-du" reads as "#saadan-goer-du" rather than goldmark's "#sdan-gr-du".
type headingIDs struct{ seen map[string]bool }

var danish = strings.NewReplacer("æ", "ae", "ø", "oe", "å", "aa", "Æ", "ae", "Ø", "oe", "Å", "aa")

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(danish.Replace(string(value))) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.TrimSuffix(b.String(), "-")
	if len(id) > 80 {
		id = strings.TrimSuffix(id[:80], "-")
	}
	if id == "" {
		id = "afsnit"
	}
	base := id
	for i := 2; h.seen[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	h.seen[id] = true
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.seen[string(value)] = true }
