package web

import (
	"fmt"
	"strings"
	"time"

	"mitidportal/identity"
	"mitidportal/views"
)

// The identity domain as both the citizen's pages and the desk show it: its block reasons and
// the activity log's lines.

// ActorID names who made a change.
func ActorID(actor string) string {
	switch {
	case strings.HasPrefix(actor, "staff:"):
		return "selfservice.actor.staff"
	case actor == identity.ActorCitizen || actor == identity.ActorSystem || actor == "public":
		return "selfservice.actor." + actor
	}
	return "selfservice.actor.system"
}

// ActivityDetails picks the facts of an entry worth showing, in a fixed order. Values that are
// kinds, levels or reasons are shown by their translated names.
func ActivityDetails(a identity.Activity) []views.ActivityDetail {
	var out []views.ActivityDetail
	for _, key := range []string{"service", "level", "means", "label", "from", "to", "reason", "serial", "device", "cause", "assurance", "via", "deadline"} {
		raw, ok := a.Detail[key]
		if !ok || raw == nil || raw == "" {
			continue
		}
		val := fmt.Sprint(raw)
		d := views.ActivityDetail{LabelID: "selfservice.detail." + key, Value: val}
		switch key {
		case "level", "assurance":
			d.ValueID = identity.Level(val).MsgID()
		case "means":
			d.ValueID = identity.Kind(val).MsgID()
		case "reason":
			if r, err := identity.ParseBlockReason(val); err == nil {
				d.ValueID = r.MsgID()
			}
		case "deadline":
			// Stored åååå-mm-dd; shown the way the portal writes dates.
			if t, err := time.Parse(time.DateOnly, val); err == nil {
				d.Value = t.Format(DateLayout)
			}
		case "via":
			// Only how an activation code was proven; a support look-up's "via" is not shown.
			id, ok := identity.ViaMsgID(val)
			if !ok {
				continue
			}
			d.ValueID = id
		}
		out = append(out, d)
	}
	return out
}

// BlockReasons are the reasons a person picks from.
func BlockReasons() []views.Option {
	var opts []views.Option
	for _, r := range identity.BlockChoices {
		opts = append(opts, views.Option{Value: string(r), LabelID: r.MsgID()})
	}
	return opts
}

// ParseChoice reads a block reason a person may choose (not "public", which the public page
// sets itself).
func ParseChoice(v string) (identity.BlockReason, error) {
	r, err := identity.ParseBlockReason(v)
	if err != nil || r == identity.BlockPublicPage {
		return "", identity.ErrBlockReasonInvalid
	}
	return r, nil
}
