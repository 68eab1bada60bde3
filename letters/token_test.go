package letters

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestRenderTokenLetter(t *testing.T) {
	s := sample()
	l := TokenLetter{To: s.To, Serial: "DK-KV-000123", Date: s.Date, SupportPhone: s.SupportPhone,
		ActivateURL: "https://mitid.example.dk/mitid/kodeviser/tilfoej"}
	for _, audio := range []bool{false, true} {
		l.AudioReader = audio
		pdf, err := RenderTokenLetter(l)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, pdf)
		want := []string{"DK-KV-000123", "kodeviser", "33 98 00 10"}
		if audio {
			want[1] = "kodeopl\xe6ser" // cp1252
		}
		for _, w := range want {
			if !bytes.Contains(text, []byte(w)) {
				t.Errorf("audio=%v: the letter lacks %q", audio, w)
			}
		}
	}
	for name, broken := range map[string]func(*TokenLetter){
		"no serial":  func(l *TokenLetter) { l.Serial = " " },
		"no address": func(l *TokenLetter) { l.To.AddressLine = "" },
		"no date":    func(l *TokenLetter) { l.Date = time.Time{} },
	} {
		t.Run(name, func(t *testing.T) {
			bad := l
			broken(&bad)
			if _, err := RenderTokenLetter(bad); !errors.Is(err, ErrIncomplete) {
				t.Errorf("RenderTokenLetter = %v, want ErrIncomplete", err)
			}
		})
	}
}
