package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The accessibility tree is what a screen reader reads: Chromium's own computation of roles,
// names and properties from the DOM, the ARIA attributes and the CSS. axe checks rules on the
// DOM; these checks read the tree itself (DevTools' Accessibility.getFullAXTree), so a name that
// CSS hides, a label that points nowhere or a landmark that Chromium does not expose shows up as
// a screen reader would meet it.

// axNode is what the checks read of one node of the accessibility tree.
type axNode struct {
	ID       string
	Parent   string
	Children []string
	Role     string
	Name     string
	Ignored  bool
	Why      []string       // why an ignored node is ignored: "ariaHiddenElement", "notRendered", ...
	Props    map[string]any // "level": 1.0, "focusable": true, ...
	Backend  cdp.BackendNodeID
}

// axTree is the tree of the page loaded in a tab, in the order Chromium lists it.
type axTree struct {
	Nodes []*axNode
	ByID  map[string]*axNode
}

// axValue decodes an AX value's JSON; a missing value is nil.
func axValue(v *accessibility.Value) any {
	if v == nil || len(v.Value) == 0 {
		return nil
	}
	var x any
	if err := json.Unmarshal(v.Value, &x); err != nil {
		return nil
	}
	return x
}

func axString(v *accessibility.Value) string {
	s, _ := axValue(v).(string)
	return s
}

// fetchAXTree reads the whole accessibility tree of the page in the tab.
func fetchAXTree(t testing.TB, ctx context.Context) axTree {
	t.Helper()
	res, err := chromedp.Call(ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		t.Fatalf("Accessibility.getFullAXTree: %v", err)
	}
	tree := axTree{ByID: map[string]*axNode{}}
	for _, n := range res.Nodes {
		node := &axNode{ID: string(n.NodeID), Parent: string(n.ParentID), Role: axString(n.Role),
			Name: strings.TrimSpace(axString(n.Name)), Ignored: n.Ignored, Props: map[string]any{}, Backend: n.BackendDOMNodeID}
		for _, c := range n.ChildIDs {
			node.Children = append(node.Children, string(c))
		}
		for _, p := range n.IgnoredReasons {
			node.Why = append(node.Why, string(p.Name))
		}
		for _, p := range n.Properties {
			node.Props[string(p.Name)] = axValue(p.Value)
		}
		tree.Nodes = append(tree.Nodes, node)
		tree.ByID[node.ID] = node
	}
	return tree
}

// axLandmarks are the landmark roles a screen reader lists and jumps between.
var axLandmarks = []string{"banner", "navigation", "main", "contentinfo", "complementary", "region", "search", "form"}

// axControls are the roles of form controls a person operates, which must say what they are.
// Links are here too: a link without a name is read as its address or as "link".
var axControls = []string{"textbox", "searchbox", "combobox", "checkbox", "radio", "switch", "button",
	"spinbutton", "slider", "listbox", "link", "DisclosureTriangle"}

// axProblem is one thing on the page that a screen-reader user meets wrongly.
type axProblem struct {
	Check string // "h1", "landmark", "name", "table", "hidden-focusable", "image", "text"
	Text  string
}

func (p axProblem) String() string { return p.Check + ": " + p.Text }

// describe names a node for a failure message: its role and name and the start of its HTML.
func (tr axTree) describe(ctx context.Context, n *axNode) string {
	s := fmt.Sprintf("%s %q", n.Role, n.Name)
	if n.Backend != 0 {
		if res, err := chromedp.Call(ctx, dom.GetOuterHTML, dom.GetOuterHTMLParams{BackendNodeID: n.Backend}); err == nil {
			s += " " + clip(strings.Join(strings.Fields(res.OuterHTML), " "), 160)
		}
	}
	return s
}

// descendants are the nodes below n that are not ignored.
func (tr axTree) descendants(n *axNode) []*axNode {
	var out []*axNode
	var walk func(id string)
	walk = func(id string) {
		for _, c := range tr.ByID[id].Children {
			child := tr.ByID[c]
			if child == nil {
				continue
			}
			if !child.Ignored {
				out = append(out, child)
			}
			walk(c)
		}
	}
	walk(n.ID)
	return out
}

// axProblems checks the tree of the loaded page: one h1; one main, and a name for every
// landmark whose role occurs more than once; a name for every focusable control; column or row
// headers and a name for every table; nothing focusable hidden from the tree; a name for every
// image that is not presentational.
func axProblems(t testing.TB, ctx context.Context, tr axTree) []axProblem {
	t.Helper()
	var ps []axProblem
	add := func(check, format string, args ...any) {
		ps = append(ps, axProblem{Check: check, Text: fmt.Sprintf(format, args...)})
	}
	var h1s []string
	landmarks := map[string][]*axNode{}
	for _, n := range tr.Nodes {
		if n.Ignored {
			continue
		}
		switch {
		case n.Role == "heading" && n.Props["level"] == 1.0:
			h1s = append(h1s, fmt.Sprintf("%q", n.Name))
		case slices.Contains(axLandmarks, n.Role):
			landmarks[n.Role] = append(landmarks[n.Role], n)
		case n.Role == "table" || n.Role == "grid" || n.Role == "treegrid":
			headers := 0
			for _, d := range tr.descendants(n) {
				if d.Role == "columnheader" || d.Role == "rowheader" {
					headers++
				}
			}
			if headers == 0 {
				add("table", "a table without column or row headers: %s", tr.describe(ctx, n))
			}
			if n.Name == "" {
				add("table", "a table without a name (caption): %s", tr.describe(ctx, n))
			}
		case n.Role == "image" || n.Role == "img":
			if n.Name == "" {
				add("image", "an image without a name (alt) that is not presentational: %s", tr.describe(ctx, n))
			}
		}
		if slices.Contains(axControls, n.Role) && n.Props["focusable"] == true && n.Name == "" {
			add("name", "a focusable %s without a name: %s", n.Role, tr.describe(ctx, n))
		}
	}
	if len(h1s) != 1 {
		add("h1", "%d headings of level 1, want one: %s", len(h1s), strings.Join(h1s, ", "))
	}
	if n := len(landmarks["main"]); n != 1 {
		add("landmark", "%d main landmarks, want one", n)
	}
	for _, role := range axLandmarks {
		ls := landmarks[role]
		if len(ls) < 2 {
			continue
		}
		names := map[string]bool{}
		for _, n := range ls {
			switch {
			case n.Name == "":
				add("landmark", "%d %s landmarks and this one has no name: %s", len(ls), role, tr.describe(ctx, n))
			case names[n.Name]:
				add("landmark", "two %s landmarks named %q", role, n.Name)
			}
			names[n.Name] = true
		}
	}
	for _, n := range hiddenFocusable(t, ctx, tr) {
		add("hidden-focusable", "focusable by keyboard but hidden from screen readers (%s): %s",
			strings.Join(n.Why, ", "), tr.describe(ctx, n))
	}
	return ps
}

// hiddenReasons are the reasons Chromium leaves a rendered node out of the tree that do not
// stop the keyboard from reaching it: a focusable node with one of them is a tab stop a screen
// reader says nothing about.
var hiddenReasons = []string{"ariaHiddenElement", "ariaHiddenSubtree", "presentationalRole", "probablyPresentational", "emptyAlt"}

// notReachable are the reasons that also take a node out of the tab order.
var notReachable = []string{"notRendered", "notVisible", "inertElement", "inertSubtree"}

// isFocusable is true for an element the Tab key reaches.
const isFocusable = `function() {
	return this.nodeType === 1 && this.tabIndex >= 0 && !this.disabled && !this.closest('[inert]') &&
		this.getClientRects().length > 0 && getComputedStyle(this).visibility !== 'hidden';
}`

// hiddenFocusable returns the ignored nodes of the tree that the keyboard still reaches.
func hiddenFocusable(t testing.TB, ctx context.Context, tr axTree) []*axNode {
	t.Helper()
	var out []*axNode
	byValue := true
	for _, n := range tr.Nodes {
		if !n.Ignored || n.Backend == 0 || !slices.ContainsFunc(n.Why, func(w string) bool { return slices.Contains(hiddenReasons, w) }) ||
			slices.ContainsFunc(n.Why, func(w string) bool { return slices.Contains(notReachable, w) }) {
			continue
		}
		obj, err := chromedp.Call(ctx, dom.ResolveNode, dom.ResolveNodeParams{BackendNodeID: n.Backend})
		if err != nil || obj.Object == nil || obj.Object.ObjectID == "" {
			continue // a text node or a node gone since the tree was read
		}
		res, err := chromedp.Call(ctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
			FunctionDeclaration: isFocusable, ObjectID: obj.Object.ObjectID, ReturnByValue: &byValue})
		if err != nil {
			t.Fatalf("is %s focusable: %v", tr.describe(ctx, n), err)
		}
		if res.Result != nil && string(res.Result.Value) == "true" {
			out = append(out, n)
		}
	}
	return out
}

// readableText reports whether text is in the tree as text a screen reader reads: a static text
// node that is not ignored (not aria-hidden, not only an image's or a hidden element's).
func readableText(tr axTree, text string) bool {
	for _, n := range tr.Nodes {
		if !n.Ignored && n.Role == "StaticText" && strings.Contains(strings.Join(strings.Fields(n.Name), ""), text) {
			return true
		}
	}
	return false
}

// checkAXTree fails the test with every problem of the loaded page's accessibility tree and
// returns the tree for the page's own checks.
func checkAXTree(t testing.TB, ctx context.Context, page string) axTree {
	t.Helper()
	tr := fetchAXTree(t, ctx)
	if len(tr.Nodes) < 10 {
		t.Fatalf("%s: the accessibility tree has %d nodes; the page did not load", page, len(tr.Nodes))
	}
	for _, p := range axProblems(t, ctx, tr) {
		t.Errorf("accessibility tree of %s: %s", page, p)
	}
	return tr
}
