package web

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"mitidportal/identity"
	"mitidportal/session"
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

// EndCitizenSessionsTx ends every web session of a MitID inside the transaction that blocks it, so
// the block and the end of the sessions are one change, on every instance at once.
func (s *Site) EndCitizenSessionsTx(ctx context.Context, mitidID int64) identity.TxFunc {
	return func(tx pgx.Tx) error {
		_, err := s.Sessions.EndAllTx(ctx, tx, session.KindCitizen, mitidID)
		return err
	}
}
