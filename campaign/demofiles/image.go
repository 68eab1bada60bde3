package demofiles

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// fonts are the parsed Go fonts, parsed once.
var fonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var out [2]*opentype.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return out, fmt.Errorf("demofiles: font: %w", err)
		}
		out[i] = f
	}
	return out, nil
})

// canvas is an image being drawn, with the first error kept.
type canvas struct {
	img  *image.RGBA
	fnts [2]*opentype.Font
	err  error
}

func (c *canvas) face(bold bool, size float64) font.Face {
	f := c.fnts[0]
	if bold {
		f = c.fnts[1]
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil && c.err == nil {
		c.err = err
	}
	return face
}

// text writes s wrapped to width from (x, y) downwards and returns the y below it.
func (c *canvas) text(s string, x, y, width int, size float64, bold bool, col color.Color) int {
	face := c.face(bold, size)
	if face == nil {
		return y
	}
	defer face.Close()
	lineH := int(size * 1.25)
	d := &font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face}
	for _, line := range wrap(d, s, width) {
		y += lineH
		d.Dot = fixed.P(x, y-int(size*0.25))
		d.DrawString(line)
	}
	return y
}

// wrap breaks s into lines no wider than width.
func wrap(d *font.Drawer, s string, width int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			try := strings.TrimSpace(line + " " + w)
			if line != "" && d.MeasureString(try).Ceil() > width {
				lines = append(lines, line)
				line = w
				continue
			}
			line = try
		}
		lines = append(lines, line)
	}
	return lines
}

func (c *canvas) fill(r image.Rectangle, col color.Color) {
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Src)
}

// renderImage draws a poster or social-media image: the MitID band at the top, the headline,
// the lead and the call to action in a bar at the bottom.
func renderImage(t Text, w, h int, pal colours) ([]byte, error) {
	fnts, err := fonts()
	if err != nil {
		return nil, err
	}
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), fnts: fnts}
	unit := float64(min(w, h)) / 1080
	pad := int(70 * unit)
	white := color.RGBA{255, 255, 255, 255}
	c.fill(c.img.Bounds(), color.RGBA{246, 247, 250, 255})
	band := int(150 * unit)
	c.fill(image.Rect(0, 0, w, band), pal.dark)
	c.fill(image.Rect(0, band, w, band+int(12*unit)), pal.accent)
	c.text("MitID", pad, int(35*unit), w-2*pad, 64*unit, true, white)

	headline := 84 * unit
	if h > w*3/2 {
		headline = 110 * unit
	}
	y := c.text(t.Title, pad, band+int(60*unit), w-2*pad, headline, true, pal.dark)
	y = c.text(t.Lead, pad, y+int(40*unit), w-2*pad, 40*unit, false, color.RGBA{30, 30, 30, 255})

	bar := int(170 * unit)
	c.fill(image.Rect(0, h-bar, w, h), pal.accent)
	c.text(t.Call, pad, h-bar+int(40*unit), w-2*pad, 40*unit, true, white)
	if c.err != nil {
		return nil, fmt.Errorf("demofiles: %s: %w", t.Title, c.err)
	}
	if y > h-bar {
		return nil, fmt.Errorf("demofiles: %q does not fit its %d×%d image", t.Title, w, h)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil {
		return nil, fmt.Errorf("demofiles: %s: %w", t.Title, err)
	}
	return buf.Bytes(), nil
}
