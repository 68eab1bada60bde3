package session

import (
	"time"

	"github.com/gorilla/sessions"
)

// Subject is who an authenticated session belongs to. The zero Subject is anonymous.
type Subject struct {
	Kind  string // KindCitizen or KindStaff
	ID    int64
	Roles []string
	// Level is the assurance level the login reached (low, substantial, high) and
	// AuthenticatedAt when; pages that change means ask for a recent login.
	Level           string
	AuthenticatedAt time.Time
	// Name is shown in the header.
	Name string
	// MeansID and MeansKind are the citizen's means that made the login (the app, the chip, the
	// code display): unblocking a means asks for a login with another one, and the sessions page
	// shows them. Zero for staff.
	MeansID   int64
	MeansKind string
	// MustChangePassword marks a login with a temporary password from support: until a new
	// password is set, the session reaches nothing but the page that sets it.
	MustChangePassword bool
}

// Anonymous reports whether nobody is logged in.
func (s Subject) Anonymous() bool { return s.Kind == "" }

// SubjectOf returns the session's subject.
func SubjectOf(sess *sessions.Session) Subject {
	kind, id, roles := subjectOf(sess)
	if kind == nil {
		return Subject{}
	}
	sub := Subject{Kind: *kind, ID: *id, Roles: roles}
	sub.Level, _ = sess.Values[keyLevel].(string)
	sub.Name, _ = sess.Values[keyName].(string)
	sub.MeansID, _ = sess.Values[keyMeansID].(int64)
	sub.MeansKind, _ = sess.Values[keyMeansKind].(string)
	sub.MustChangePassword, _ = sess.Values[keyMustChange].(bool)
	if at, ok := sess.Values[keyAuthAt].(int64); ok {
		sub.AuthenticatedAt = time.Unix(at, 0)
	}
	return sub
}

// SetSubject records who logged in. Call Store.Rotate afterwards, never Save alone.
func SetSubject(sess *sessions.Session, sub Subject) {
	sess.Values[keySubjectKind] = sub.Kind
	sess.Values[keySubjectID] = sub.ID
	sess.Values[keyRoles] = append([]string(nil), sub.Roles...)
	sess.Values[keyLevel] = sub.Level
	sess.Values[keyName] = sub.Name
	sess.Values[keyAuthAt] = sub.AuthenticatedAt.Unix()
	sess.Values[keyMeansID] = sub.MeansID
	sess.Values[keyMeansKind] = sub.MeansKind
	sess.Values[keyMustChange] = sub.MustChangePassword
}

// ClearSubject makes the session anonymous again, keeping nothing of the login.
func ClearSubject(sess *sessions.Session) {
	for _, k := range []string{keySubjectKind, keySubjectID, keyRoles, keyLevel, keyName, keyAuthAt,
		keyMeansID, keyMeansKind, keyMustChange} {
		delete(sess.Values, k)
	}
}

func subjectOf(sess *sessions.Session) (kind *string, id *int64, roles []string) {
	k, ok1 := sess.Values[keySubjectKind].(string)
	i, ok2 := sess.Values[keySubjectID].(int64)
	if !ok1 || !ok2 || k == "" {
		return nil, nil, []string{}
	}
	r, _ := sess.Values[keyRoles].([]string)
	if r == nil {
		r = []string{}
	}
	return &k, &i, r
}
