package citizen

import (
	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
)

// The hand-over between the ways a person proves who they are (the code from a letter or from
// borgerservice, typed on /aktiver; the identification app's signed result) and what the proof
// is used for (create, recover, lift; DESIGN.md §3.4–§3.6): the session holds the checked,
// still unused activation code, and /aktiver/videre continues from it. The code is spent only
// by the step that uses it, in that step's transaction.
const (
	keyGrantID  = "grant_activation" // id of the checked activation code
	keyGrantCPR = "grant_cpr"        // the person it was checked for
)

// grantActivation records in the session that ac was checked for its person and sends the
// browser on to what the code is for. The grant is worth a MitID: it goes under a new session
// ID and CSRF token, as a login does, so that a session ID planted in this browser earlier
// (session fixation) does not carry it.
func (s *Handlers) grantActivation(c echo.Context, ac identity.ActivationCode) error {
	st := web.StateOf(c)
	st.Sess.Values[keyGrantID] = ac.ID
	st.Sess.Values[keyGrantCPR] = string(ac.CPR)
	st.Sess.Values[web.KeyCSRF] = web.NewCSRFToken()
	s.DropCSRFCookie(c)
	if err := s.Sessions.Rotate(c.Request(), c.Response(), st.Sess); err != nil {
		return err
	}
	st.Dirty = true
	return s.Redirect(c, "/aktiver/videre")
}

// grantedActivation returns the checked activation code's id and person from the session.
func (s *Handlers) grantedActivation(c echo.Context) (int64, identity.CPR, bool) {
	v := web.StateOf(c).Sess.Values
	id, ok1 := v[keyGrantID].(int64)
	cpr, ok2 := v[keyGrantCPR].(string)
	return id, identity.CPR(cpr), ok1 && ok2 && id > 0 && cpr != ""
}

// dropGrant forgets the checked code (used, replaced, or the flow is done).
func (s *Handlers) dropGrant(c echo.Context) {
	st := web.StateOf(c)
	delete(st.Sess.Values, keyGrantID)
	delete(st.Sess.Values, keyGrantCPR)
	st.Dirty = true
}
