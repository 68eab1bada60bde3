package desk

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/support"
	"mitidportal/views"
)

// Merging a duplicate case into another and relating cases (issue 9 item 4): the case page's
// merge panel (views/desk_merge.templ) and its three forms. The rules are support's
// (support/case_merge.go, support/case_related.go).

// mergeNotices are the notices a ?udfoert= value may ask for after a merge or a link.
var mergeNotices = map[string]string{
	"flettet": "deskmerge.notice.merged", "relateret": "deskmerge.notice.linked", "fjernet": "deskmerge.notice.unlinked",
}

// caseLink is another case as the merge panel names it.
func caseLink(cs support.Case) views.DeskCaseLink {
	return views.DeskCaseLink{ID: cs.ID, Ref: cs.Ref, Href: deskPath + "/" + cs.Ref, Subject: cs.Subject,
		StatusID: cs.Status.MsgID()}
}

// mergePanel fills the case page's merge panel: where a merged case went, the cases merged
// into it and related to it, the forms in state v.Form, and the facts of the timeline entries
// the panel is about (entries are in the order of v.Timeline).
func (s *Handlers) mergePanel(c echo.Context, cs support.Case, entries []support.Entry, v *views.DeskCaseView) error {
	ctx := c.Request().Context()
	m := views.DeskMergeView{Href: v.Href, Version: cs.Version, Closed: cs.Status == support.StatusClosed,
		Form: v.Form, Active: v.Active}
	if v.NoticeID == "" && v.Active == "" {
		v.NoticeID = mergeNotices[c.QueryParam("udfoert")]
	}
	into, err := s.Cases.MergedInto(ctx, cs.ID)
	switch {
	case err == nil:
		m.MergedInto = caseLink(into)
	case !errors.Is(err, support.ErrNotFound):
		return err
	}
	from, err := s.Cases.MergedFrom(ctx, cs.ID)
	if err != nil {
		return err
	}
	refs := map[int64]string{}
	for _, f := range from {
		m.MergedFrom = append(m.MergedFrom, caseLink(f))
		refs[f.ID] = f.Ref
	}
	related, err := s.Cases.Related(ctx, cs.ID)
	if err != nil {
		return err
	}
	for _, r := range related {
		m.Related = append(m.Related, caseLink(r))
	}
	for i, e := range entries {
		if i >= len(v.Timeline) {
			break
		}
		add := func(label, value, valueID string) {
			v.Timeline[i].Facts = append(v.Timeline[i].Facts, views.DeskFact{LabelID: label, Value: value, ValueID: valueID})
		}
		if e.CaseID != cs.ID {
			add("deskmerge.fact.from_case", refs[e.CaseID], "")
		}
		switch e.Kind {
		case support.EntryMerge:
			if ref, ok := e.Detail["into"].(string); ok {
				add("deskmerge.fact.into", ref, "")
			}
			if ref, ok := e.Detail["from"].(string); ok {
				add("deskmerge.fact.from", ref, "")
			}
		case support.EntryRelated:
			ref, _ := e.Detail["ref"].(string)
			if linked, _ := e.Detail["linked"].(bool); linked {
				add("deskmerge.fact.linked", ref, "")
			} else {
				add("deskmerge.fact.unlinked", ref, "")
			}
		}
	}
	v.Merge = m
	return nil
}

// Merge closes this case as a duplicate of the case whose reference code was typed, and goes
// to that case, which now shows both timelines.
func (s *Handlers) Merge(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "merge_into")
	web.Require(&f, f.Values, [2]string{"merge_into", "deskmerge.err.ref_required"})
	if f.HasErrors() {
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "merge", "")
	}
	into, err := s.Cases.Merge(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, f.Values["merge_into"], version(c))
	if err == nil {
		return s.Redirect(c, deskPath+"/"+into.Ref+"?udfoert=flettet")
	}
	return s.mergeRefused(c, cs, f, "merge", "merge_into", err)
}

// mergeRefused shows the case as it now is with the rule the merge or link broke at field; a
// conflict (the case changed meanwhile) is 409.
func (s *Handlers) mergeRefused(c echo.Context, cs support.Case, f views.Form, active, field string, err error) error {
	status := web.StatusInvalid
	if errors.Is(err, support.ErrConflict) {
		status = http.StatusConflict
	}
	if err := web.SupportError(&f, err, nil, field); err != nil {
		return err
	}
	fresh, err := s.Cases.Get(c.Request().Context(), cs.ID)
	if err != nil {
		return err
	}
	return s.renderDeskCase(c, status, fresh, f, active, "")
}

// Link relates this case to the case whose reference code was typed.
func (s *Handlers) Link(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "related_ref")
	web.Require(&f, f.Values, [2]string{"related_ref", "deskmerge.err.ref_required"})
	if f.HasErrors() {
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "related", "")
	}
	if _, err := s.Cases.Link(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, f.Values["related_ref"]); err != nil {
		return s.mergeRefused(c, cs, f, "related", "related_ref", err)
	}
	return s.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert=relateret")
}

// Unlink ends the relation of this case and another (by id, from the list's button).
func (s *Handlers) Unlink(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	other, err := strconv.ParseInt(c.FormValue("other"), 10, 64)
	if err != nil || other <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	err = s.Cases.Unlink(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, other)
	switch {
	case errors.Is(err, support.ErrNotFound):
		return echo.ErrNotFound
	case err != nil:
		return s.mergeRefused(c, cs, views.Form{Values: map[string]string{}}, "related", "related_ref", err)
	}
	return s.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert=fjernet")
}
