package views

import (
	"context"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/a-h/templ"
)

// Chart colours: the bars are DKFDS's primary blue on white (7:1, where graphics need 3:1)
// and the text is near black (17:1). Every value is also written as text, so nothing is told
// by colour alone.
const (
	chartBar  = "#0059b3"
	chartText = "#1a1a1a"
	chartAxis = "#747474"
)

// Bar is one bar of a chart: its label, its value, and the value as the chart writes it
// ("3", "67 %").
type Bar struct {
	Label string
	Value int
	Text  string
}

// Chart is a chart drawn on the server as an SVG image. Screen readers get its title and a
// description that lists every figure; the page also shows the figures in a table.
type Chart struct {
	ID    string // id prefix of the title and description; unique on the page
	Title string
	Desc  string
	Bars  []Bar
	// Max is the value of a full bar (100 for percentages); 0 takes the largest value.
	Max int
	// TestID is the svg's data-testid.
	TestID string
}

func (c Chart) scale() int {
	if c.Max > 0 {
		return c.Max
	}
	m := 0
	for _, b := range c.Bars {
		m = max(m, b.Value)
	}
	return max(m, 1)
}

// esc escapes text for an SVG text node or a quoted attribute.
func esc(s string) string { return html.EscapeString(s) }

// svgOpen writes the svg element with its accessible name and description.
func svgOpen(w io.Writer, c Chart, width, height int) {
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="100%%" `+
		`preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="%s-title %s-desc" data-testid="%s">`,
		width, height, esc(c.ID), esc(c.ID), esc(c.TestID))
	fmt.Fprintf(w, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`,
		esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
}

// Geometry of the bar chart, in SVG units.
const (
	barLabelWidth = 220
	barAreaWidth  = 340
	barRow        = 32
	barHeight     = 20
	barFont       = 14
)

// BarChart draws horizontal bars, one row per Bar: the label on the left, the bar, and the
// value as text right after it.
func BarChart(c Chart) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		width := barLabelWidth + barAreaWidth + 80
		height := len(c.Bars)*barRow + 8
		svgOpen(&b, c, width, height)
		scale := c.scale()
		fmt.Fprintf(&b, `<line x1="%d" y1="0" x2="%d" y2="%d" stroke="%s" stroke-width="1"/>`,
			barLabelWidth, barLabelWidth, height, chartAxis)
		for i, bar := range c.Bars {
			y := i*barRow + 6
			length := barAreaWidth * min(bar.Value, scale) / scale
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="%d" fill="%s">%s</text>`,
				barLabelWidth-8, y+barHeight-5, barFont, chartText, esc(bar.Label))
			if length > 0 {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`,
					barLabelWidth, y, length, barHeight, chartBar)
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" fill="%s" font-weight="bold">%s</text>`,
				barLabelWidth+length+6, y+barHeight-5, barFont, chartText, esc(bar.Text))
		}
		b.WriteString(`</svg>`)
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// Geometry of the column chart, in SVG units.
const (
	colLeft     = 40
	colTop      = 24
	colHeight   = 160
	colBottom   = 40
	colMinWidth = 6
	colWidthMax = 36
	colLabels   = 16 // at most this many day labels under the columns
)

// ColumnChart draws one column per Bar, left to right (the days of a period): the value
// over each column that has one, and labels under every column or, for long periods, under
// every few.
func ColumnChart(c Chart) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		n := max(len(c.Bars), 1)
		colW := max(colMinWidth, min(colWidthMax, 640/n))
		width := colLeft + n*colW + 16
		height := colTop + colHeight + colBottom
		svgOpen(&b, c, width, height)
		scale := c.scale()
		base := colTop + colHeight
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1"/>`,
			colLeft, base, colLeft+n*colW, base, chartAxis)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="%d" fill="%s">0</text>`,
			colLeft-6, base, barFont, chartText)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="%d" fill="%s">%d</text>`,
			colLeft-6, colTop+barFont/2, barFont, chartText, scale)
		every := (len(c.Bars) + colLabels - 1) / colLabels
		showValues := colW >= 16
		for i, bar := range c.Bars {
			x := colLeft + i*colW
			h := colHeight * min(bar.Value, scale) / scale
			if h > 0 {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`,
					x+1, base-h, colW-2, h, chartBar)
			}
			if showValues && bar.Value > 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="%d" fill="%s" font-weight="bold">%s</text>`,
					x+colW/2, base-h-4, barFont-2, chartText, esc(bar.Text))
			}
			if every > 0 && i%every == 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="%d" fill="%s" transform="rotate(-45 %d %d)">%s</text>`,
					x+colW/2, base+14, barFont-2, chartText, x+colW/2, base+14, esc(bar.Label))
			}
		}
		b.WriteString(`</svg>`)
		_, err := io.WriteString(w, b.String())
		return err
	})
}
