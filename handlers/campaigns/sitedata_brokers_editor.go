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

const brokersEditorPath = "/redaktion/brokere"

var brokerFieldNames = []string{"broker_name", "broker_url", "broker_description_da", "broker_description_en", "broker_certified"}

// brokerFields name the field a rule of the broker form belongs to.
var brokerFields = map[*fault.Error]string{sitedata.ErrURLInvalid: "broker_url", sitedata.ErrNameRequired: "broker_name"}

// EditorBrokers lists the brokers with the forms that add one and edit the introduction.
func (h *Handlers) EditorBrokers(c echo.Context) error {
	t, err := h.SiteData.Text(c.Request().Context(), sitedata.TextBrokersIntro)
	if err != nil {
		return err
	}
	intro := views.Form{Values: map[string]string{"intro_da": t.BodyDA, "intro_en": t.BodyEN}}
	return h.renderBrokers(c, http.StatusOK, views.Form{}, intro, siteDataNotices[c.QueryParam("udfoert")])
}

func (h *Handlers) renderBrokers(c echo.Context, status int, f, intro views.Form, notice string) error {
	list, err := h.SiteData.Brokers(c.Request().Context(), false)
	if err != nil {
		return err
	}
	v := views.EditorBrokersView{Form: f, IntroForm: intro, NoticeID: notice}
	for i, b := range list {
		href := brokersEditorPath + "/" + strconv.FormatInt(b.ID, 10)
		v.Brokers = append(v.Brokers, views.EditorBrokerRow{Name: b.Name, URL: b.URL, Href: href, MoveHref: href + "/flyt",
			Certified: b.Certified, First: i == 0, Last: i == len(list)-1})
	}
	return h.siteDataRender(c, status, brokersEditorPath, views.EditorBrokers(v))
}

// brokerForm reads the broker form; f has the errors of what no broker may be.
func brokerForm(c echo.Context) (views.Form, sitedata.Broker) {
	f := web.FormOf(c, brokerFieldNames...)
	web.Require(&f, f.Values, [2]string{"broker_name", sitedata.ErrNameRequired.MsgID}, [2]string{"broker_url", sitedata.ErrURLInvalid.MsgID})
	return f, sitedata.Broker{Name: f.Values["broker_name"], URL: f.Values["broker_url"],
		DescriptionDA: f.Values["broker_description_da"], DescriptionEN: f.Values["broker_description_en"],
		Certified: f.Values["broker_certified"] == "yes"}
}

// EditorBrokerCreate adds a broker at the end of the list.
func (h *Handlers) EditorBrokerCreate(c echo.Context) error {
	f, b := brokerForm(c)
	if !f.HasErrors() {
		_, err := h.SiteData.SaveBroker(c.Request().Context(), staffID(c), b)
		if err == nil {
			return h.Redirect(c, brokersEditorPath+"?udfoert=gemt")
		}
		if err := fieldError(&f, err, brokerFields, "broker_description_da"); err != nil {
			return err
		}
	}
	t, err := h.SiteData.Text(c.Request().Context(), sitedata.TextBrokersIntro)
	if err != nil {
		return err
	}
	return h.renderBrokers(c, web.StatusInvalid, f, views.Form{Values: map[string]string{"intro_da": t.BodyDA, "intro_en": t.BodyEN}}, "")
}

// EditorBroker shows a broker's form.
func (h *Handlers) EditorBroker(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	b, err := h.SiteData.Broker(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"broker_name": b.Name, "broker_url": b.URL,
		"broker_description_da": b.DescriptionDA, "broker_description_en": b.DescriptionEN}}
	if b.Certified {
		f.Values["broker_certified"] = "yes"
	}
	return h.siteDataRender(c, http.StatusOK, brokersEditorPath, views.EditorBroker(views.EditorBrokerView{Action: c.Request().URL.Path, Form: f}))
}

// EditorBrokerSave changes a broker; unticking "certified" takes it off the public page.
func (h *Handlers) EditorBrokerSave(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	if _, err := h.SiteData.Broker(c.Request().Context(), id); err != nil {
		return err
	}
	f, b := brokerForm(c)
	if !f.HasErrors() {
		b.ID = id
		_, err := h.SiteData.SaveBroker(c.Request().Context(), staffID(c), b)
		if err == nil {
			return h.Redirect(c, brokersEditorPath+"?udfoert=gemt")
		}
		if err := fieldError(&f, err, brokerFields, "broker_description_da"); err != nil {
			return err
		}
	}
	return h.siteDataRender(c, web.StatusInvalid, brokersEditorPath, views.EditorBroker(views.EditorBrokerView{Action: c.Request().URL.Path, Form: f}))
}

// EditorBrokerMove moves a broker one place up or down.
func (h *Handlers) EditorBrokerMove(c echo.Context) error {
	return h.moveRow(c, "broker", brokersEditorPath)
}

// EditorBrokersIntro saves the introduction of the page for service providers.
func (h *Handlers) EditorBrokersIntro(c echo.Context) error {
	f := web.FormOf(c, "intro_da", "intro_en")
	if !f.HasErrors() {
		err := h.SiteData.SaveText(c.Request().Context(), staffID(c), sitedata.Text{Name: sitedata.TextBrokersIntro,
			BodyDA: f.Values["intro_da"], BodyEN: f.Values["intro_en"]})
		if err == nil {
			return h.Redirect(c, brokersEditorPath+"?udfoert=gemt")
		}
		if err := fieldError(&f, err, nil, "intro_da"); err != nil {
			return err
		}
	}
	return h.renderBrokers(c, web.StatusInvalid, views.Form{}, f, "")
}
