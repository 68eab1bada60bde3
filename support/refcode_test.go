package support_test

import (
	"strings"
	"sync"
	"testing"

	"mitidportal/support"
)

// TestRefAlphabet checks the alphabet the doc comment promises: 14 distinct capital ASCII
// letters without those that are misread or misheard.
func TestRefAlphabet(t *testing.T) {
	t.Parallel()
	a := support.RefAlphabet
	if len(a) != 14 || support.RefLength != 6 {
		t.Fatalf("alphabet %q (%d letters), length %d", a, len(a), support.RefLength)
	}
	seen := map[rune]bool{}
	for _, r := range a {
		if r < 'A' || r > 'Z' || seen[r] {
			t.Errorf("letter %q is not a distinct capital A–Z", r)
		}
		seen[r] = true
	}
	for _, r := range "ILOQUVYWPDNFÆØÅ" {
		if strings.ContainsRune(a, r) {
			t.Errorf("alphabet has %q", r)
		}
	}
}

// TestNewRef checks the shape of drawn codes and that every letter is used about equally.
func TestNewRef(t *testing.T) {
	t.Parallel()
	const n = 30000
	counts := map[rune]int{}
	for range n {
		ref, err := support.NewRef()
		if err != nil {
			t.Fatal(err)
		}
		if !support.ValidRef(ref) {
			t.Fatalf("NewRef() = %q is not a valid code", ref)
		}
		for _, r := range ref {
			counts[r]++
		}
	}
	want := float64(n*support.RefLength) / float64(len(support.RefAlphabet))
	for _, r := range support.RefAlphabet {
		if got := float64(counts[r]); got < want*0.95 || got > want*1.05 {
			t.Errorf("letter %q drawn %.0f times, want about %.0f", r, got, want)
		}
	}
	if len(counts) != len(support.RefAlphabet) {
		t.Errorf("%d letters drawn, alphabet has %d", len(counts), len(support.RefAlphabet))
	}
}

func TestNormalizeRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" for not a code
	}{
		{"SATEBX", "SATEBX"},
		{"satebx", "SATEBX"},
		{" sat ebx ", "SATEBX"},
		{"SAT-EBX", "SATEBX"},
		{"s.a.t.e.b.x", "SATEBX"},
		{"SAT\u00a0EBX", "SATEBX"},
		{"SATEPX", "SATEBX"}, // P is heard for B
		{"dAMERK", "TAMERK"}, // D for T, and N for M below
		{"SANEXF", "SAMEXS"}, // N for M, F for S
		{"SATEBY", ""},       // the mock-up's code: Y is not in the alphabet
		{"SATEB", ""},
		{"SATEBXX", ""},
		{"SATEB1", ""},
		{"SATEBO", ""},
		{"SÆTEBX", ""},
		{"", ""},
		{"KODEVISER", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := support.NormalizeRef(tt.in)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("NormalizeRef(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
			}
		})
	}
	if support.ValidRef("satebx") || !support.ValidRef("SATEBX") || support.ValidRef("SATEPX") {
		t.Error("ValidRef accepts only codes as stored")
	}
}

// TestRefsUniqueUnderManyInserts opens cases from several goroutines and checks that every
// code is valid, distinct and finds its case.
func TestRefsUniqueUnderManyInserts(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	const workers, each = 8, 60
	var (
		mu   sync.Mutex
		refs = map[string]int64{}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for range each {
				c, err := e.cases.Open(e.ctx, newCase())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if prev, dup := refs[c.Ref]; dup {
					t.Errorf("cases %d and %d share %s", prev, c.ID, c.Ref)
				}
				refs[c.Ref] = c.ID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(refs) != workers*each {
		t.Fatalf("%d codes for %d cases", len(refs), workers*each)
	}
	n := 0
	for ref, id := range refs {
		if !support.ValidRef(ref) {
			t.Errorf("stored code %q is not valid", ref)
		}
		if n++; n%40 != 0 {
			continue
		}
		c, err := e.cases.ByRef(e.ctx, " "+strings.ToLower(ref[:3])+" "+ref[3:])
		if err != nil || c.ID != id {
			t.Errorf("ByRef(%s) = %d, %v; want %d", ref, c.ID, err, id)
		}
	}
}
