package web

import (
	"encoding/json"
	"fmt"

	"github.com/labstack/echo/v4"
)

// KeepJSON stores v in the server-side session under key as JSON (a string, so gob needs no
// registration of the type), replacing any earlier value.
func KeepJSON(c echo.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("session value %s: %w", key, err)
	}
	st := StateOf(c)
	st.Sess.Values[key] = string(b)
	st.Dirty = true
	return nil
}

// TakeJSON removes the session's value under key and decodes it into v; false when there was
// none or it does not decode. Taking it whatever happens next makes a challenge single use.
func TakeJSON(c echo.Context, key string, v any) bool {
	st := StateOf(c)
	raw, _ := st.Sess.Values[key].(string)
	if _, ok := st.Sess.Values[key]; ok {
		delete(st.Sess.Values, key)
		st.Dirty = true
	}
	return raw != "" && json.Unmarshal([]byte(raw), v) == nil
}
