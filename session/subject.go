package session

import "github.com/gorilla/sessions"

// Subject is who an authenticated session belongs to. The zero Subject is anonymous.
type Subject struct {
	Kind  string // KindCitizen or KindStaff
	ID    int64
	Roles []string
}

// Anonymous reports whether nobody is logged in.
func (s Subject) Anonymous() bool { return s.Kind == "" }

// SubjectOf returns the session's subject.
func SubjectOf(sess *sessions.Session) Subject {
	kind, id, roles := subjectOf(sess)
	if kind == nil {
		return Subject{}
	}
	return Subject{Kind: *kind, ID: *id, Roles: roles}
}

// SetSubject records who logged in. Call Store.Rotate afterwards, never Save alone.
func SetSubject(sess *sessions.Session, sub Subject) {
	sess.Values[keySubjectKind] = sub.Kind
	sess.Values[keySubjectID] = sub.ID
	sess.Values[keyRoles] = append([]string(nil), sub.Roles...)
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
