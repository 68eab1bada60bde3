package support

import "testing"

// FuzzNormalizeRef feeds any text to NormalizeRef, as case links, searches and mail subjects
// do: it must never panic, and a code it accepts is one the store writes and reads back to
// itself.
func FuzzNormalizeRef(f *testing.F) {
	for _, s := range []string{"SATEBX", "satepx", "SA-TE BX", "S.A.T.E.B.X", "SATEBY", "SATEB", "SATEBXX",
		"SATE\x00BX", "ßATEBX", "\xff\xfe", "ＳＡＴＥＢＸ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, ok := NormalizeRef(s)
		if !ok {
			return
		}
		if !ValidRef(ref) {
			t.Fatalf("NormalizeRef(%q) = %q, which is not a valid code", s, ref)
		}
		if again, ok := NormalizeRef(ref); !ok || again != ref {
			t.Fatalf("%q does not read back: %q, %v", ref, again, ok)
		}
	})
}
