package campaigns

import (
	"errors"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// EditorRoundDeadline moves an open round's deadline (audited).
func (h *Handlers) EditorRoundDeadline(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := web.FormOf(c, "deadline_date", "deadline_time")
	deadline := h.deadline(&f)
	if f.HasErrors() {
		return h.renderRound(c, web.StatusInvalid, id, roundForms{deadline: f}, "")
	}
	if err := h.Rounds.SetDeadline(c.Request().Context(), staffID(c), id, deadline); err != nil {
		return h.roundRefusal(c, id, err, roundForms{deadline: f}, &f, "deadline_date")
	}
	return h.Redirect(c, editorRoundHref(id)+"?udfoert=frist")
}

// EditorRoundAddItem adds a draft to an open round (audited).
func (h *Handlers) EditorRoundAddItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := web.FormOf(c, "item")
	item := mustID(f.Values["item"])
	if !f.HasErrors() && item <= 0 {
		addError(&f, "item", "rounds.err.item_required")
	}
	if f.HasErrors() {
		return h.renderRound(c, web.StatusInvalid, id, roundForms{add: f}, "")
	}
	err = h.Rounds.AddItem(c.Request().Context(), staffID(c), id, item)
	if errors.Is(err, campaign.ErrRoundItemInvalid) { // at this form's one field
		addError(&f, "item", campaign.ErrRoundItemInvalid.MsgID)
		return h.renderRound(c, web.StatusInvalid, id, roundForms{add: f}, "")
	}
	if err != nil {
		return h.roundRefusal(c, id, err, roundForms{add: f}, &f, "item")
	}
	return h.Redirect(c, editorRoundHref(id)+"?udfoert=tilfoejet")
}

// EditorRoundRemoveItem takes an item out of an open round (audited); its comments stay.
func (h *Handlers) EditorRoundRemoveItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	item, err := pathID(c, "item")
	if err != nil {
		return err
	}
	if err := h.Rounds.RemoveItem(c.Request().Context(), staffID(c), id, item); err != nil {
		var f views.Form
		return h.roundRefusal(c, id, err, roundForms{add: f}, &f, "")
	}
	return h.Redirect(c, editorRoundHref(id)+"?udfoert=fjernet")
}

// EditorRoundClose closes a round (audited): its drafts are the editors' again.
func (h *Handlers) EditorRoundClose(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.Rounds.Close(c.Request().Context(), staffID(c), id); err != nil {
		var f views.Form
		return h.roundRefusal(c, id, err, roundForms{add: f}, &f, "")
	}
	return h.Redirect(c, editorRoundHref(id)+"?udfoert=lukket")
}

// EditorRoundHandle marks a comment handled or not handled, with an optional note (audited).
func (h *Handlers) EditorRoundHandle(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	f := web.FormOf(c, "handled", "handled_note")
	handled := f.Values["handled"]
	if handled != "yes" && handled != "no" {
		return echo.ErrBadRequest // a hidden field: the form only sends yes or no
	}
	forms := roundForms{handle: f, comment: c.Param("cid")}
	if f.HasErrors() {
		return h.renderRound(c, web.StatusInvalid, id, forms, "")
	}
	if err := h.Rounds.MarkHandled(c.Request().Context(), staffID(c), id, cid, handled == "yes", f.Values["handled_note"]); err != nil {
		return h.roundRefusal(c, id, err, forms, &forms.handle, "handled_note")
	}
	done := "behandlet"
	if handled == "no" {
		done = "ubehandlet"
	}
	return h.Redirect(c, editorRoundHref(id)+"?udfoert="+done+"#comment-"+c.Param("cid"))
}
