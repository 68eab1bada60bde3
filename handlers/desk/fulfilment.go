package desk

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// Fulfilment (DESIGN.md §3.3, §4): staff with the fulfilment role send the code devices citizens
// ordered. Sending is audited by identity in the same transaction (identity.Orders.Send).

// stockShown is how many units in stock the send page lists.
const stockShown = 20

func (s *Handlers) fulfilmentRow(o identity.Order) views.FulfilmentRow {
	return views.FulfilmentRow{ID: o.ID, KindID: o.Kind.MsgID(), ReasonID: o.Reason.MsgID(),
		Ordered: s.When(o.CreatedAt), Name: o.Name, Address: o.Address}
}

// FulfilmentQueue lists the orders waiting to be sent, oldest first.
func (s *Handlers) FulfilmentQueue(c echo.Context) error {
	list, err := s.Orders.Queue(c.Request().Context())
	if err != nil {
		return err
	}
	v := views.FulfilmentQueueView{}
	if c.QueryParam("done") == "sent" {
		v.NoticeID = "fulfilment.notice.sent"
	}
	for _, o := range list {
		v.Rows = append(v.Rows, s.fulfilmentRow(o))
	}
	s.staffNav(c)
	return s.Render(c, http.StatusOK, views.FulfilmentQueue(v))
}

// orderOf returns the order waiting to be sent named by :id; one already sent or cancelled is
// not on the queue any more, so it is not found here either.
func (s *Handlers) orderOf(c echo.Context) (identity.Order, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return identity.Order{}, echo.ErrNotFound
	}
	o, err := s.Orders.Order(c.Request().Context(), id)
	if err == nil && o.Status != identity.OrderOrdered {
		err = identity.ErrNotFound
	}
	return o, err
}

func (s *Handlers) renderFulfilmentOrder(c echo.Context, status int, o identity.Order, f views.Form) error {
	stock, err := s.Orders.InStock(c.Request().Context(), o.Kind, stockShown)
	if err != nil {
		return err
	}
	s.staffNav(c)
	return s.Render(c, status, views.FulfilmentOrder(views.FulfilmentOrderView{
		Order: s.fulfilmentRow(o), InStock: stock, Form: f}))
}

// FulfilmentOrder shows one order with a serial field and the units in stock of its kind.
func (s *Handlers) FulfilmentOrder(c echo.Context) error {
	o, err := s.orderOf(c)
	if err != nil {
		return err
	}
	return s.renderFulfilmentOrder(c, http.StatusOK, o, views.Form{})
}

// FulfilmentSend sends the unit with the typed serial.
func (s *Handlers) FulfilmentSend(c echo.Context) error {
	o, err := s.orderOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "serial")
	again := func() error { return s.renderFulfilmentOrder(c, web.StatusInvalid, o, f) }
	web.Require(&f, f.Values, [2]string{"serial", "fulfilment.err.serial_required"})
	if f.HasErrors() {
		return again()
	}
	by := identity.StaffAct{StaffID: web.StateOf(c).Subject.ID}
	if _, err := s.Orders.Send(c.Request().Context(), o.ID, f.Values["serial"], by); err != nil {
		if errors.Is(err, identity.ErrNotFound) {
			return err
		}
		return s.FieldOrError(c, &f, err, "serial", again)
	}
	return s.Redirect(c, "/medarbejder/forsendelse?done=sent")
}
