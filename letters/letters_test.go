package letters

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func sample() ActivationLetter {
	return ActivationLetter{
		To:   Recipient{Name: "Søren René Æbelø Åberg", AddressLine: "Æblehaven 7, 2. tv.", Postcode: "8000", City: "Aarhus C"},
		Code: "K7QM-4XPA-9TRE",
		// 23:30 UTC is already the next day in Copenhagen: the letter must show Danish time.
		Expires:      time.Date(2026, 12, 9, 23, 30, 0, 0, time.UTC),
		Date:         time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		SupportPhone: "33 98 00 10",
		PortalURL:    "https://mitid.example.dk",
	}
}

// pdfText returns the strings that the page content streams show (the operands of Tj),
// inflated and unescaped, so a test sees the bytes a PDF reader maps to glyphs.
func pdfText(t *testing.T, pdf []byte) []byte {
	t.Helper()
	var content []byte
	streams := regexp.MustCompile(`/Filter /FlateDecode /Length (\d+)>>\nstream\n`)
	for _, m := range streams.FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			t.Fatalf("stream at %d: %v", m[1], err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("stream at %d: %v", m[1], err)
		}
		content = append(content, b...)
	}
	if len(content) == 0 {
		t.Fatal("no compressed content stream")
	}
	var text []byte
	for _, m := range regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\) ?Tj`).FindAllSubmatch(content, -1) {
		s := m[1]
		for i := 0; i < len(s); i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			text = append(text, s[i])
		}
		// A space, not a newline, between shown strings: wrapped lines then read as the
		// sentence they were.
		text = append(text, ' ')
	}
	return text
}

func TestRenderActivationLetter(t *testing.T) {
	pdf, err := RenderActivationLetter(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimRight(pdf, "\r\n"), []byte("%%EOF")) {
		t.Fatal("not a PDF: missing header or trailer")
	}
	m := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	if off, _ := strconv.Atoi(string(m[1])); off >= len(pdf) || !bytes.HasPrefix(pdf[off:], []byte("xref")) {
		t.Errorf("startxref %d does not point at the xref table", off)
	}
	if n := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(pdf, -1)); n != 1 {
		t.Errorf("%d pages, want the letter on one", n)
	}
	if !bytes.Contains(pdf, []byte("/Lang (da-DK)")) || !bytes.Contains(pdf, []byte("/Title")) {
		t.Error("metadata: language or title missing")
	}

	text := pdfText(t, pdf)
	// Expected bytes are spelled in cp1252 here, independent of the encoder under test:
	// æ E6, ø F8, å E5, Æ C6, Ø D8, Å C5, é E9, » BB, « AB, – 96.
	for _, want := range []string{
		"K7QM-4XPA-9TRE",
		"S\xf8ren Ren\xe9 \xc6bel\xf8 \xc5berg",
		"\xc6blehaven 7, 2. tv.",
		"8000 Aarhus C",
		"25. november 2026",
		"10. december 2026 kl. 00.30",
		"Din aktiveringskode til MitID",
		"Indtast dit CPR-nummer eller brugernavn og aktiveringskoden.",
		"virker den ikke l\xe6ngere",
		"S\xe5dan opretter du dit MitID",
		"f\xf8lg vejledningen p\xe5 sk\xe6rmen",
		"kun bruges \xe9n gang",
		"andre\xa0\x96 heller", // no break before the dash
		"33 98 00 10",
		"https://mitid.example.dk",
		"In English",
		"10 December 2026 at 00:30",
		"Digitaliseringsstyrelsen",
	} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("text lacks %q", want)
		}
	}
	// UTF-8 bytes in the content mean the text was not translated for the core fonts.
	for _, utf8 := range []string{"æ", "ø", "å", "Æ", "Ø", "Å", "é"} {
		if bytes.Contains(text, []byte(utf8)) {
			t.Errorf("text has UTF-8 %q, want cp1252", utf8)
		}
	}
}

func TestRenderIsReproducible(t *testing.T) {
	a, err := RenderActivationLetter(sample())
	if err != nil {
		t.Fatal(err)
	}
	b, err := RenderActivationLetter(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same letter rendered to different bytes")
	}
}

func TestRenderRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ActivationLetter)
		want   error
	}{
		{"empty code", func(l *ActivationLetter) { l.Code = "" }, ErrIncomplete},
		{"blank code", func(l *ActivationLetter) { l.Code = "  " }, ErrIncomplete},
		{"empty name", func(l *ActivationLetter) { l.To.Name = "" }, ErrIncomplete},
		{"no address", func(l *ActivationLetter) { l.To.AddressLine = "" }, ErrIncomplete},
		{"no postcode", func(l *ActivationLetter) { l.To.Postcode = "" }, ErrIncomplete},
		{"no city", func(l *ActivationLetter) { l.To.City = "" }, ErrIncomplete},
		{"no support phone", func(l *ActivationLetter) { l.SupportPhone = "" }, ErrIncomplete},
		{"no portal URL", func(l *ActivationLetter) { l.PortalURL = "" }, ErrIncomplete},
		{"no date", func(l *ActivationLetter) { l.Date = time.Time{} }, ErrIncomplete},
		{"no expiry", func(l *ActivationLetter) { l.Expires = time.Time{} }, ErrIncomplete},
		{"expired before the date", func(l *ActivationLetter) { l.Expires = l.Date.Add(-time.Hour) }, ErrIncomplete},
		{"code with other characters", func(l *ActivationLetter) { l.Code = "K7QM-4XPA-9TRÉ" }, ErrUnprintable},
		{"name in a script the font lacks", func(l *ActivationLetter) { l.To.Name = "Дмитрий Иванов" }, ErrUnprintable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := sample()
			tt.change(&l)
			pdf, err := RenderActivationLetter(l)
			if !errors.Is(err, tt.want) || pdf != nil {
				t.Fatalf("err = %v (%d bytes), want %v", err, len(pdf), tt.want)
			}
			if strings.Contains(err.Error(), "K7QM") || strings.Contains(err.Error(), "9TR") {
				t.Errorf("error %q contains the code", err)
			}
		})
	}
}

func TestNamesOutsideCP1252(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Søren Åberg", "S\xf8ren \xc5berg"},
		{"Sa\u030aren", "S\xe5ren"}, // decomposed å, as some keyboards send it
		{"Łukasz Wałęsa", "Lukasz Walesa"},
		{"Şükrü Öztürk", "S\xfckr\xfc \xd6zt\xfcrk"},
		{"Erdős Pál", "Erdos P\xe1l"},
		{"Dvořák", "Dvor\xe1k"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cp1252("name", tt.in)
			if err != nil || got != tt.want {
				t.Errorf("cp1252(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDanishDate(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), "1. januar 2026"},
		{time.Date(2026, 3, 31, 22, 30, 0, 0, time.UTC), "1. april 2026"}, // summer time: 00:30
		{time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC), "15. maj 2026"},
		{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), "25. november 2026"},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), "1. januar 2027"},
	}
	for _, tt := range tests {
		if got := danishDate(tt.t); got != tt.want {
			t.Errorf("danishDate(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
	if got := danishTime(time.Date(2026, 7, 1, 7, 5, 0, 0, time.UTC)); got != "kl. 09.05" {
		t.Errorf("danishTime = %q, want kl. 09.05", got)
	}
}

// TestActivationLetterPurposes: each purpose's letter says what the code does, on one page.
func TestActivationLetterPurposes(t *testing.T) {
	tests := []struct {
		purpose Purpose
		want    string // cp1252, like TestRenderActivationLetter
	}{
		{"", "S\xe5dan opretter du dit MitID"},
		{PurposeCreate, "S\xe5dan opretter du dit MitID"},
		{PurposeRecover, "S\xe5dan kommer du ind i dit MitID igen"},
		{PurposeLift, "S\xe5dan oph\xe6ver du sp\xe6rringen af dit MitID"},
	}
	for _, tt := range tests {
		t.Run(string(tt.purpose), func(t *testing.T) {
			l := sample()
			l.Purpose = tt.purpose
			pdf, err := RenderActivationLetter(l)
			if err != nil {
				t.Fatal(err)
			}
			if text := pdfText(t, pdf); !bytes.Contains(text, []byte(tt.want)) {
				t.Errorf("the letter lacks %q", tt.want)
			}
		})
	}
}
