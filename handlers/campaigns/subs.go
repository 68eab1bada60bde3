package campaigns

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/views"
)

// subsPath is an organisation's subscriptions page.
func subsPath(orgID int64) string {
	return "/organisationer/" + strconv.FormatInt(orgID, 10) + "/abonnementer"
}

// orgID reads the organisation's id from the path; anything but a positive number is a 404.
func orgID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// SubsPage shows the packs with a checkbox each: those the organisation subscribes to are
// ticked. Only an admin of the organisation gets it (campaign.Orgs.Subscriptions checks).
func (h *Handlers) SubsPage(c echo.Context) error {
	id, err := orgID(c)
	if err != nil {
		return err
	}
	return h.renderSubs(c, http.StatusOK, id, web.Field(c, "gemt") == "1")
}

func (h *Handlers) renderSubs(c echo.Context, status int, id int64, saved bool) error {
	st := web.StateOf(c)
	org, subs, err := h.Orgs.Subscriptions(c.Request().Context(), id, st.Subject.ID)
	if err != nil {
		return err
	}
	v := views.CampaignSubsView{OrgName: org.Name, Action: subsPath(id), Saved: saved}
	for _, s := range subs {
		v.Packs = append(v.Packs, views.SubsPack{ID: strconv.FormatInt(s.Pack.ID, 10), Title: s.Pack.Title(st.Lang),
			Summary: s.Pack.Summary(st.Lang), AudienceID: s.Pack.Audience.MsgID(), Checked: s.Subscribed})
	}
	return h.Render(c, status, views.CampaignSubs(v))
}

// SubsSave makes the ticked packs the organisation's subscriptions. The values are pack ids
// from the page's own checkboxes; anything else was not typed by a person and is a 400.
func (h *Handlers) SubsSave(c echo.Context) error {
	id, err := orgID(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.ErrBadRequest
	}
	var ids []int64
	for _, raw := range form["pakke"] {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 || len(ids) >= 1000 {
			return echo.ErrBadRequest
		}
		ids = append(ids, n)
	}
	if err := h.Orgs.Subscribe(c.Request().Context(), id, web.StateOf(c).Subject.ID, ids); err != nil {
		return err
	}
	return h.Redirect(c, subsPath(id)+"?gemt=1")
}

// UnsubscribePage is where a notice's unsubscribe link leads: it names the pack and shows a
// button, since a GET changes nothing (and mail scanners follow links).
func (h *Handlers) UnsubscribePage(c echo.Context) error {
	pk, err := h.Notices.UnsubscribeTarget(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return h.Render(c, http.StatusOK, views.Unsubscribe(views.UnsubscribeView{
		Pack: pk.Title(web.StateOf(c).Lang), Action: c.Request().URL.Path}))
}

// Unsubscribe stops the member's mails about the pack. It is the button's POST and RFC 8058's
// one-click POST from the mail client, which carries no CSRF token: the route is marked
// TokenInURL, the token in the path being what authorises it.
func (h *Handlers) Unsubscribe(c echo.Context) error {
	pk, err := h.Notices.Unsubscribe(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return h.Render(c, http.StatusOK, views.Unsubscribe(views.UnsubscribeView{
		Pack: pk.Title(web.StateOf(c).Lang), Done: true}))
}
