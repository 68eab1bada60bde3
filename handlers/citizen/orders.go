package citizen

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// Ordering a kodeviser or kodeoplæser (DESIGN.md §3.3): the form, the order, cancelling an open
// one, and the overview's list of orders.

// orderForm builds the order page for the MitID with the form state f.
func (s *Handlers) orderForm(c echo.Context, m identity.MitID, f views.Form) (views.OrderView, error) {
	ctx := c.Request().Context()
	p, err := s.Persons.ByCPR(ctx, m.CPR)
	if err != nil {
		return views.OrderView{}, err
	}
	usage, err := s.Orders.Usage(ctx, m.ID)
	if err != nil {
		return views.OrderView{}, err
	}
	means, err := s.Identity.Means(ctx, m.ID)
	if err != nil {
		return views.OrderView{}, err
	}
	v := views.OrderView{Name: p.FullName(), Address: []string{p.AddressLine, p.Postcode + " " + p.City},
		Max: identity.MaxOrdersPerPeriod, Left: usage.Left(), Disabled: usage.Left() == 0, Form: f}
	for _, k := range []identity.Kind{identity.KindCodeDisplay, identity.KindAudioReader} {
		v.Kinds = append(v.Kinds, views.Option{Value: string(k), LabelID: k.MsgID()})
	}
	for _, r := range identity.OrderReasons {
		v.Reasons = append(v.Reasons, views.Option{Value: string(r), LabelID: r.MsgID(), HintID: "orders.reason_hint." + string(r)})
	}
	for _, a := range means {
		if a.Kind.IsToken() && a.Status != identity.AuthRevoked {
			v.Units = append(v.Units, views.UnitOption{Value: strconv.FormatInt(a.ID, 10), KindID: a.Kind.MsgID(),
				Label: a.Label, Serial: a.TokenSerial, StatusID: a.Status.MsgID()})
		}
	}
	if len(v.Units) == 0 {
		// No unit to name: the form has no such question, so the answer to fix is the reason.
		for i, e := range v.Form.Errors {
			if e.MsgID == identity.ErrOrderReplaces.MsgID {
				v.Form.Errors[i] = views.FieldError{Field: "reason", MsgID: "orders.err.nothing_to_replace"}
			}
		}
	}
	if len(v.Units) == 1 && f.Value("replaces") == "" {
		// The only unit there is: chosen already, still shown.
		f.Values["replaces"] = v.Units[0].Value
	}
	return v, nil
}

// OrderPage shows the order form.
func (s *Handlers) OrderPage(c echo.Context) error {
	m, err := s.mitidOf(c)
	if err != nil {
		return err
	}
	v, err := s.orderForm(c, m, views.Form{Values: map[string]string{}})
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.OrderToken(v))
}

// OrderSubmit places the order.
func (s *Handlers) OrderSubmit(c echo.Context) error {
	m, err := s.mitidOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "kind", "reason", "replaces")
	again := func() error {
		v, err := s.orderForm(c, m, f)
		if err != nil {
			return err
		}
		return s.Render(c, web.StatusInvalid, views.OrderToken(v))
	}
	kind := identity.Kind(f.Values["kind"])
	if f.ErrorFor("kind") == nil && !slices.Contains([]identity.Kind{identity.KindCodeDisplay, identity.KindAudioReader}, kind) {
		f.Errors = append(f.Errors, views.FieldError{Field: "kind", MsgID: "orders.err.kind"})
	}
	reason, rerr := identity.ParseOrderReason(f.Values["reason"])
	if f.ErrorFor("reason") == nil && rerr != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "reason", MsgID: "orders.err.reason"})
	}
	var replaces int64
	if reason == identity.OrderLost || reason == identity.OrderBroken {
		var perr error
		replaces, perr = strconv.ParseInt(f.Values["replaces"], 10, 64)
		if f.ErrorFor("replaces") == nil && perr != nil {
			f.Errors = append(f.Errors, views.FieldError{Field: "replaces", MsgID: "orders.err.replaces"})
		}
	}
	if f.HasErrors() {
		return again()
	}
	_, err = s.Orders.Place(c.Request().Context(), m.ID, kind, reason, replaces, identity.ActorCitizen)
	if err != nil {
		field := "kind"
		switch {
		case errors.Is(err, identity.ErrOrderReplaces):
			field = "replaces"
		case errors.Is(err, identity.ErrOrderLimit):
			field = "" // the page then shows no form: the message stands alone
		}
		return s.FieldOrError(c, &f, err, field, again)
	}
	return s.Redirect(c, "/mitid?done=ordered")
}

// OrderCancel cancels one of the citizen's open orders; another person's order is not found.
func (s *Handlers) OrderCancel(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if err := s.Orders.Cancel(c.Request().Context(), web.StateOf(c).Subject.ID, id, identity.ActorCitizen); err != nil {
		return err
	}
	return s.Redirect(c, "/mitid?done=order_cancelled")
}

// orderRowsOf are the overview's rows of the MitID's orders.
func (s *Handlers) orderRowsOf(list []identity.Order) []views.OrderRow {
	rows := make([]views.OrderRow, 0, len(list))
	for _, o := range list {
		r := views.OrderRow{ID: o.ID, KindID: o.Kind.MsgID(), ReasonID: o.Reason.MsgID(), StatusID: o.Status.MsgID(),
			When: s.When(o.CreatedAt), Serial: o.Serial, CanActivate: o.Status == identity.OrderSent,
			CanCancel: o.Status.Open()}
		switch {
		case o.Status == identity.OrderSent && o.SentAt != nil:
			r.When = s.When(*o.SentAt)
		case o.Status == identity.OrderActivated && o.ActivatedAt != nil:
			r.When = s.When(*o.ActivatedAt)
		case o.Status == identity.OrderCancelled && o.CancelledAt != nil:
			r.When = s.When(*o.CancelledAt)
		}
		rows = append(rows, r)
	}
	return rows
}
