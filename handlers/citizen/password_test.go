package citizen

import (
	"reflect"
	"testing"

	"mitidportal/views"
)

func TestCheckNewPassword(t *testing.T) {
	pw := func(msg string) views.FieldError { return views.FieldError{Field: "password", MsgID: msg} }
	rep := func(msg string) views.FieldError { return views.FieldError{Field: "password_repeat", MsgID: msg} }
	for _, tc := range []struct {
		name, password, repeat string
		want                   []views.FieldError
	}{
		{"both given and equal", "Solsikke-Marts-88", "Solsikke-Marts-88", nil},
		{"both empty: both fields", "", "", []views.FieldError{pw("form.err.new_password_required"), rep("form.err.password_repeat_required")}},
		{"repeat only: the password is missing", "", "Solsikke-Marts-88", []views.FieldError{pw("form.err.new_password_required")}},
		{"repeat missing", "Solsikke-Marts-88", "", []views.FieldError{rep("form.err.password_repeat_required")}},
		{"different", "Solsikke-Marts-88", "Solsikke-Marts-89", []views.FieldError{rep("form.err.password_mismatch")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkNewPassword(tc.password, tc.repeat); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("checkNewPassword(%q, %q) = %v, want %v", tc.password, tc.repeat, got, tc.want)
			}
		})
	}
}
