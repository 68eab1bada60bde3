package views

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// Text is a string written as HTML text, escaped exactly as templ escapes `{ s }`:
// `@Text(s)` writes what `{ s }` writes. templ v0.3 passes every `{ s }` through
// templ.JoinStringErrs, which calls fmt.Sprint even on a string (a boxing and a copy, two
// allocations). `@Text(s)` calls Render on the concrete type, so it allocates nothing: the
// logged-in frame and /mitid use it for their text (docs/performance.md, "Overview, third
// pass"). Attribute values have no such way and stay `attr={ s }`.
type Text string

// Render writes t escaped.
func (t Text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(t)))
	return err
}
