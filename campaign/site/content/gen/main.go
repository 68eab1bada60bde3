//go:build ignore

// Command gen draws the step pictures of the campaign's guides (content/images/*.png): a phone
// or a code display in outline with the step's number and the step's screen as large text, in
// each language. The pictures are committed; run it again after changing a step:
//
//	go run campaign/site/content/gen/main.go campaign/site/content/images
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// step is one picture: its file name (without language and extension), whether it shows a code
// display instead of a phone, and the screen's lines in Danish and English.
type step struct {
	name   string
	device bool
	da, en []string
}

var steps = []step{
	{"app-1", false, []string{"Hent", "MitID-appen", "", "App Store /", "Google Play"}, []string{"Get the", "MitID app", "", "App Store /", "Google Play"}},
	{"app-2", false, []string{"Åbn appen", "", "Skriv dit", "bruger-ID"}, []string{"Open the app", "", "Type your", "user ID"}},
	{"app-3", false, []string{"Vis hvem", "du er", "", "NemID eller", "pas med chip"}, []string{"Show who", "you are", "", "NemID or", "chip passport"}},
	{"app-4", false, []string{"Vælg en", "PIN-kode", "", "* * * *"}, []string{"Choose a", "PIN code", "", "* * * *"}},
	{"app-5", false, []string{"Færdig!", "", "Appen er", "aktiveret"}, []string{"Done!", "", "The app is", "activated"}},
	{"kodeviser-1", true, []string{"Brev +", "kodeviser"}, []string{"Letter +", "code display"}},
	{"kodeviser-2", false, []string{"Aktivér", "", "CPR-nummer", "+ kode fra", "brevet"}, []string{"Activate", "", "CPR number", "+ code from", "the letter"}},
	{"kodeviser-3", true, []string{"Serienr.", "på bagsiden"}, []string{"Serial no.", "on the back"}},
	{"kodeviser-4", true, []string{"Tryk:", "123 456"}, []string{"Press:", "123 456"}},
	{"kodeviser-5", false, []string{"Vælg", "adgangs-", "kode", "", "Færdig!"}, []string{"Choose a", "password", "", "", "Done!"}},
}

// The palette: few colours keep each file small.
var (
	white = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink   = color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
	blue  = color.RGBA{0x00, 0x44, 0x8c, 0xff} // DKFDS primary
	pale  = color.RGBA{0xe6, 0xef, 0xf8, 0xff}
	pal   = color.Palette{white, ink, blue, pale}
)

const scale = 3 // basicfont's 7×13 glyphs drawn three times as large

func main() {
	dir := "campaign/site/content/images"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for _, s := range steps {
		for lang, lines := range map[string][]string{"da": s.da, "en": s.en} {
			img := draw(s, lines)
			name := filepath.Join(dir, s.name+"-"+lang+".png")
			f, err := os.Create(name)
			if err != nil {
				panic(err)
			}
			enc := png.Encoder{CompressionLevel: png.BestCompression}
			if err := enc.Encode(f, img); err != nil {
				panic(err)
			}
			f.Close()
			fmt.Println(name)
		}
	}
}

func rect(img *image.Paletted, r image.Rectangle, c color.Color) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.Set(x, y, c)
		}
	}
}

// frame draws an outline of width w inside r.
func frame(img *image.Paletted, r image.Rectangle, w int, c color.Color) {
	rect(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), c)
	rect(img, image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), c)
	rect(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), c)
	rect(img, image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), c)
}

func draw(s step, lines []string) image.Image {
	const W, H = 320, 480
	img := image.NewPaletted(image.Rect(0, 0, W, H), pal)
	rect(img, img.Bounds(), white)
	var screen image.Rectangle
	if s.device {
		// A code display: a small case with a display window and a button.
		body := image.Rect(40, 90, 280, 400)
		frame(img, body, 8, ink)
		screen = image.Rect(60, 120, 260, 300)
		rect(img, screen, pale)
		frame(img, screen, 4, blue)
		rect(img, image.Rect(130, 330, 190, 370), blue)
	} else {
		// A phone: a tall outline with a screen and a home bar.
		body := image.Rect(50, 20, 270, 460)
		frame(img, body, 8, ink)
		screen = image.Rect(66, 60, 254, 410)
		rect(img, screen, pale)
		rect(img, image.Rect(130, 428, 190, 436), ink)
	}
	// The step number in the top left corner, large.
	num := s.name[strings.LastIndex(s.name, "-")+1:]
	rect(img, image.Rect(4, 4, 44, 56), blue)
	text(img, num, 10, 10, 2*scale/2+1, white)
	// The screen's lines, centred, as large as fit.
	lineH := 13 * scale
	top := screen.Min.Y + (screen.Dy()-len(lines)*lineH)/2
	for i, l := range lines {
		w := len([]rune(l)) * 7 * scale
		sc := scale
		if w > screen.Dx()-8 {
			sc, w = 2, len([]rune(l))*7*2
		}
		text(img, l, screen.Min.X+(screen.Dx()-w)/2, top+i*lineH, sc, ink)
	}
	return img
}

// text draws s at (x, y) with basicfont enlarged sc times.
func text(dst *image.Paletted, s string, x, y, sc int, c color.Color) {
	w := len([]rune(s)) * 7
	if w == 0 {
		return
	}
	small := image.NewRGBA(image.Rect(0, 0, w, 13))
	d := font.Drawer{Dst: small, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(0, 11)}
	d.DrawString(s)
	big := image.NewRGBA(image.Rect(0, 0, w*sc, 13*sc))
	xdraw.NearestNeighbor.Scale(big, big.Bounds(), small, small.Bounds(), xdraw.Src, nil)
	for yy := 0; yy < big.Bounds().Dy(); yy++ {
		for xx := 0; xx < big.Bounds().Dx(); xx++ {
			if _, _, _, a := big.At(xx, yy).RGBA(); a > 0x8000 {
				dst.Set(x+xx, y+yy, c)
			}
		}
	}
}
