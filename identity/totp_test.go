package identity

import (
	"context"
	"testing"
	"time"
)

// TestTOTPVectors checks the RFC 6238 appendix B test vectors (8 digits, 30-second steps).
func TestTOTPVectors(t *testing.T) {
	t.Parallel()
	seeds := map[string][]byte{
		"SHA1":   []byte("12345678901234567890"),
		"SHA256": []byte("12345678901234567890123456789012"),
		"SHA512": []byte("1234567890123456789012345678901234567890123456789012345678901234"),
	}
	tests := []struct {
		unix int64
		alg  string
		want string
	}{
		{59, "SHA1", "94287082"}, {59, "SHA256", "46119246"}, {59, "SHA512", "90693936"},
		{1111111109, "SHA1", "07081804"}, {1111111109, "SHA256", "68084774"}, {1111111109, "SHA512", "25091201"},
		{1111111111, "SHA1", "14050471"}, {1111111111, "SHA256", "67062674"}, {1111111111, "SHA512", "99943326"},
		{1234567890, "SHA1", "89005924"}, {1234567890, "SHA256", "91819424"}, {1234567890, "SHA512", "93441116"},
		{2000000000, "SHA1", "69279037"}, {2000000000, "SHA256", "90698825"}, {2000000000, "SHA512", "38618901"},
		{20000000000, "SHA1", "65353130"}, {20000000000, "SHA256", "77737706"}, {20000000000, "SHA512", "47863826"},
	}
	for _, tt := range tests {
		t.Run(tt.alg+"@"+time.Unix(tt.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			got, err := hotp(seeds[tt.alg], uint64(totpStep(time.Unix(tt.unix, 0), 30)), tt.alg, 8)
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
			six, _ := hotp(seeds[tt.alg], uint64(totpStep(time.Unix(tt.unix, 0), 30)), tt.alg, 6)
			if six != tt.want[2:] {
				t.Errorf("6 digits: got %q, want %q", six, tt.want[2:])
			}
		})
	}
	if _, err := hotp(seeds["SHA1"], 1, "MD5", 6); err == nil {
		t.Error("MD5 accepted")
	}
	if _, err := hotp(seeds["SHA1"], 1, "SHA1", 7); err == nil {
		t.Error("7 digits accepted")
	}
}

// TestTOTPWindowAndReplay checks which steps verify accepts: now-1, now and now+1, each once,
// and never one older than a step accepted before.
func TestTOTPWindowAndReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	codeAt := func(serial string, at time.Time) string {
		c, err := e.tokens.Code(ctx, serial, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	step := 30 * time.Second
	// Each case starts from a fresh unit at the clock's time now, verifies the codes of the
	// given offsets in order, and expects the given results.
	tests := []struct {
		name    string
		offsets []time.Duration
		want    []bool
	}{
		{"current step", []time.Duration{0}, []bool{true}},
		{"previous step", []time.Duration{-step}, []bool{true}},
		{"next step", []time.Duration{step}, []bool{true}},
		{"two steps back", []time.Duration{-2 * step}, []bool{false}},
		{"two steps ahead", []time.Duration{2 * step}, []bool{false}},
		{"same code twice", []time.Duration{0, 0}, []bool{true, false}},
		{"older after newer", []time.Duration{0, -step}, []bool{true, false}},
		{"newer after older", []time.Duration{-step, 0, step}, []bool{true, true, true}},
		{"next step used, then current refused", []time.Duration{step, 0}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serial := e.importToken(KindCodeDisplay)
			now := e.clock.Now()
			for i, off := range tt.offsets {
				code := codeAt(serial, now.Add(off))
				tx, err := e.pool.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				u, err := e.tokens.unit(ctx, tx, serial, "FOR UPDATE")
				if err != nil {
					t.Fatal(err)
				}
				ok, err := e.tokens.verify(ctx, tx, u, code, now)
				if err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(ctx); err != nil {
					t.Fatal(err)
				}
				if ok != tt.want[i] {
					t.Errorf("attempt %d (offset %s): accepted %v, want %v", i, off, ok, tt.want[i])
				}
			}
		})
	}
}

func TestTokensImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	seeds := []TokenSeed{
		{Serial: "CD-1", Kind: KindCodeDisplay, Secret: []byte("12345678901234567890")},
		{Serial: "AR-1", Kind: KindAudioReader, Secret: []byte("12345678901234567890123456789012"),
			Algorithm: "SHA256", Digits: 8, Period: 60},
	}
	n, err := e.tokens.Import(ctx, seeds)
	if err != nil || n != 2 {
		t.Fatalf("first import: %d, %v", n, err)
	}
	n, err = e.tokens.Import(ctx, seeds)
	if err != nil || n != 0 {
		t.Fatalf("second import: %d, %v; want 0 added", n, err)
	}
	// The seed is not stored in the clear, and the code comes out right.
	enc := one[[]byte](t, e.pool, `SELECT secret_enc FROM hw_token WHERE serial = 'CD-1'`)
	if string(enc) == "12345678901234567890" || len(enc) != 12+20+16 {
		t.Errorf("secret_enc has %d bytes: not nonce||sealed", len(enc))
	}
	code, err := e.tokens.Code(ctx, "CD-1", time.Unix(59, 0))
	if err != nil || code != "287082" {
		t.Errorf("code = %q, %v; want 287082", code, err)
	}
	code, err = e.tokens.Code(ctx, "AR-1", time.Unix(1111111111, 0))
	want, _ := hotp([]byte("12345678901234567890123456789012"), 1111111111/60, "SHA256", 8)
	if err != nil || code != want {
		t.Errorf("code = %q, %v; want %q", code, err, want)
	}
	// A seed sealed for one serial does not open as another's.
	if _, err := e.pool.Exec(ctx, `UPDATE hw_token SET secret_enc = $1 WHERE serial = 'AR-1'`, enc); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tokens.Code(ctx, "AR-1", time.Now()); err == nil {
		t.Error("a seed moved to another serial decrypted")
	}
	// Another key cannot read the inventory.
	other, _ := NewTokens(e.pool, []byte("0123456789abcdef0123456789abcdef"))
	if _, err := other.Code(ctx, "CD-1", time.Now()); err == nil {
		t.Error("another key decrypted the seed")
	}
	bad := []TokenSeed{
		{Serial: "", Kind: KindCodeDisplay, Secret: make([]byte, 20)},
		{Serial: "X", Kind: KindChip, Secret: make([]byte, 20)},
		{Serial: "X", Kind: KindCodeDisplay, Secret: make([]byte, 10)},
		{Serial: "X", Kind: KindCodeDisplay, Secret: make([]byte, 20), Digits: 7},
		{Serial: "X", Kind: KindCodeDisplay, Secret: make([]byte, 20), Algorithm: "MD5"},
	}
	for i, s := range bad {
		if _, err := e.tokens.Import(ctx, []TokenSeed{s}); err == nil {
			t.Errorf("bad seed %d imported", i)
		}
	}
	if _, err := NewTokens(e.pool, make([]byte, 16)); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}
