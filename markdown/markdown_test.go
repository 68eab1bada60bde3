package markdown

import (
	"strings"
	"testing"
)

func TestHTMLSanitises(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // substrings the output must have
		never     []string // substrings it must not have (checked case-insensitively)
	}{
		{"script element", "Hej\n\n<script>alert(1)</script>\n", []string{"<p>Hej</p>"}, []string{"<script", "alert(1)"}},
		{"inline script", "a <script>alert(1)</script> b", []string{"a "}, []string{"<script"}},
		{"javascript link", "[klik](javascript:alert(1))", []string{"klik"}, []string{"javascript:"}},
		{"javascript link, mixed case and entities", "[klik](JaVaScRiPt&#58;alert(1))", []string{"klik"}, []string{"javascript"}},
		{"event attribute", `<img src="x" onerror="alert(1)">`, nil, []string{"onerror", "alert"}},
		{"event attribute in a link", `<a href="/x" onclick="alert(1)">x</a>`, nil, []string{"onclick"}},
		{"data URL image", "![x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"data:"}},
		{"style attribute", `<p style="position:fixed">x</p>`, nil, []string{"style="}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
		{"link kept, external gets nofollow", "[MitID](https://www.mitid.dk/)", []string{`href="https://www.mitid.dk/"`, `rel="nofollow"`}, nil},
		{"relative link kept", "[Spørgsmål](/kampagne/spoergsmaal)", []string{`href="/kampagne/spoergsmaal"`}, []string{"nofollow"}},
		{"heading one level down with id", "# Sådan gør du\n", []string{"<h2", `id="saadan-goer-du"`}, []string{"<h1"}},
		{"repeated headings get distinct ids", "## Trin\n\n## Trin\n", []string{`id="trin"`, `id="trin-2"`}, nil},
		{"numbered steps", "1. Åbn appen\n2. Scan koden\n", []string{"<ol>", "<li>Åbn appen</li>"}, nil},
		{"table with headers", "| Middel | Passer til |\n|---|---|\n| App | De fleste |\n", []string{`<table class="table">`, `<th scope="col">Middel</th>`}, nil},
		{"NUL and control characters", "a\x00b\x07c", []string{"a\ufffdb"}, []string{"\x00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := string(HTML(c.src))
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML(%q) = %q, want it to contain %q", c.src, got, w)
				}
			}
			for _, n := range c.never {
				if strings.Contains(strings.ToLower(got), strings.ToLower(n)) {
					t.Errorf("HTML(%q) = %q, must not contain %q", c.src, got, n)
				}
			}
		})
	}
}

func TestHTMLLongInput(t *testing.T) {
	src := strings.Repeat("[", MaxLen) // deeply nested brackets: a classic parser stress case
	if got := HTML(src); len(got) == 0 {
		t.Fatal("no output for a long input")
	}
}
