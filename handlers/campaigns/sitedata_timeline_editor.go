package campaigns

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign/sitedata"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

const timelineEditorPath = "/redaktion/tidsplan"

var activityFieldNames = []string{"activity_title_da", "activity_title_en", "activity_audience", "activity_start", "activity_end"}

// activityFields name the field a rule of the activity form belongs to.
var activityFields = map[*fault.Error]string{sitedata.ErrAudienceInvalid: "activity_audience",
	sitedata.ErrMonthInvalid: "activity_start", sitedata.ErrMonthOrder: "activity_end"}

func audienceOptions() []views.Option {
	var out []views.Option
	for _, a := range sitedata.Audiences {
		out = append(out, views.Option{Value: string(a), LabelID: a.MsgID()})
	}
	return out
}

// EditorTimeline lists the activities and the form that adds one.
func (h *Handlers) EditorTimeline(c echo.Context) error {
	return h.renderTimeline(c, http.StatusOK, views.Form{}, siteDataNotices[c.QueryParam("udfoert")])
}

func (h *Handlers) renderTimeline(c echo.Context, status int, f views.Form, notice string) error {
	acts, err := h.SiteData.Activities(c.Request().Context())
	if err != nil {
		return err
	}
	v := views.EditorTimelineView{Form: f, Audiences: audienceOptions(), NoticeID: notice}
	for _, a := range acts {
		v.Rows = append(v.Rows, views.EditorActivityRow{Title: a.Title(lang(c)), Period: a.Start.String() + " – " + a.End.String(),
			AudienceID: a.Audience.MsgID(), Href: timelineEditorPath + "/" + strconv.FormatInt(a.ID, 10)})
	}
	return h.siteDataRender(c, status, timelineEditorPath, views.EditorTimeline(v))
}

// activityForm reads the activity form; months are typed mm-åååå.
func activityForm(c echo.Context) (views.Form, sitedata.Activity) {
	f := web.FormOf(c, activityFieldNames...)
	web.Require(&f, f.Values, [2]string{"activity_title_da", sitedata.ErrNameRequired.MsgID},
		[2]string{"activity_title_en", sitedata.ErrNameRequired.MsgID}, [2]string{"activity_audience", sitedata.ErrAudienceInvalid.MsgID},
		[2]string{"activity_start", sitedata.ErrMonthInvalid.MsgID}, [2]string{"activity_end", sitedata.ErrMonthInvalid.MsgID})
	a := sitedata.Activity{TitleDA: f.Values["activity_title_da"], TitleEN: f.Values["activity_title_en"],
		Audience: sitedata.Audience(f.Values["activity_audience"])}
	for _, m := range []struct {
		name string
		to   *sitedata.Month
	}{{"activity_start", &a.Start}, {"activity_end", &a.End}} {
		if f.ErrorFor(m.name) != nil {
			continue
		}
		v, err := sitedata.ParseMonth(f.Values[m.name])
		if err != nil {
			f.Errors = append(f.Errors, views.FieldError{Field: m.name, MsgID: sitedata.ErrMonthInvalid.MsgID})
		}
		*m.to = v
	}
	return f, a
}

// EditorTimelineCreate adds an activity.
func (h *Handlers) EditorTimelineCreate(c echo.Context) error {
	f, a := activityForm(c)
	if !f.HasErrors() {
		_, err := h.SiteData.SaveActivity(c.Request().Context(), staffID(c), a)
		if err == nil {
			return h.Redirect(c, timelineEditorPath+"?udfoert=gemt")
		}
		if err := fieldError(&f, err, activityFields, "activity_title_da"); err != nil {
			return err
		}
	}
	return h.renderTimeline(c, web.StatusInvalid, f, "")
}

func (h *Handlers) activityView(c echo.Context, f views.Form) views.EditorActivityView {
	return views.EditorActivityView{Action: c.Request().URL.Path, DeleteHref: c.Request().URL.Path + "/slet",
		Form: f, Audiences: audienceOptions()}
}

// EditorActivity shows an activity's form.
func (h *Handlers) EditorActivity(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	a, err := h.SiteData.Activity(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"activity_title_da": a.TitleDA, "activity_title_en": a.TitleEN,
		"activity_audience": string(a.Audience), "activity_start": a.Start.String(), "activity_end": a.End.String()}}
	return h.siteDataRender(c, http.StatusOK, timelineEditorPath, views.EditorActivity(h.activityView(c, f)))
}

// EditorActivitySave changes an activity.
func (h *Handlers) EditorActivitySave(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	if _, err := h.SiteData.Activity(c.Request().Context(), id); err != nil {
		return err
	}
	f, a := activityForm(c)
	if !f.HasErrors() {
		a.ID = id
		_, err := h.SiteData.SaveActivity(c.Request().Context(), staffID(c), a)
		if err == nil {
			return h.Redirect(c, timelineEditorPath+"?udfoert=gemt")
		}
		if err := fieldError(&f, err, activityFields, "activity_title_da"); err != nil {
			return err
		}
	}
	return h.siteDataRender(c, web.StatusInvalid, timelineEditorPath, views.EditorActivity(h.activityView(c, f)))
}

// EditorActivityDelete removes an activity from the plan.
func (h *Handlers) EditorActivityDelete(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	if err := h.SiteData.DeleteActivity(c.Request().Context(), staffID(c), id); err != nil {
		return err
	}
	return h.Redirect(c, timelineEditorPath+"?udfoert=slettet")
}
