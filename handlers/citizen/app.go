package citizen

import (
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// The MitID app (DESIGN.md §3.2, identity/app.go) on three sides: the phone's app page with
// its JSON endpoints (here; authenticated by the device key's signatures, so the routes are
// public), the pages that show a pairing code (self-service and during creation,
// app_pairing.go), and the browser's side of a login with the app (waiting page, polled status,
// finish; app_login.go).

const (
	// keyAppLogin holds the login request this browser started (appLogin as JSON), with the
	// secret that alone can see its status and finish it.
	keyAppLogin = "app_login"
	// keyAppPairing holds the pairing code this session shows (appPairing as JSON): the page
	// shows it again on reload and asks whether the phone has used it.
	keyAppPairing = "app_pairing"
	// appBodyLimit bounds the JSON the app sends; its largest message is a public key.
	appBodyLimit = 16 << 10
)

// AppPage is the phone's app page; a pairing code in ?kode= is filled in.
func (s *Handlers) AppPage(c echo.Context) error {
	code, _ := identity.NormalizePairingCode(c.QueryParam("kode"))
	if code != "" {
		code = identity.FormatPairingCode(code)
	}
	return s.Render(c, http.StatusOK, views.AppPage(views.AppPageView{Code: code, ServerTime: s.Now().Unix()}))
}

// AppPair pairs the phone: the one-time code, the device's public key (SPKI, base64url) and a
// name. The answer is the new means' id, which the app keeps beside its key.
func (s *Handlers) AppPair(c echo.Context) error {
	var in struct {
		Code      string `json:"code"`
		Name      string `json:"name"`
		PublicKey string `json:"publicKey"`
	}
	if err := decodeAppJSON(c, &in); err != nil {
		return s.appFail(c, http.StatusBadRequest, "app.err.failed")
	}
	key, err := base64.RawURLEncoding.DecodeString(in.PublicKey)
	if err != nil {
		return s.appError(c, identity.ErrAppKeyInvalid)
	}
	a, err := s.Identity.CompletePairing(c.Request().Context(), identity.PairingInput{
		Code: in.Code, PublicKey: key, DeviceName: in.Name, ClientAddr: s.ClientAddr(c)})
	if err != nil {
		return s.appError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"authenticatorId": a.ID, "deviceName": a.DeviceName})
}

// appRequest is one pending request as the app shows it; texts are in the page's language.
type appRequest struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Purpose   string `json:"purpose"`
	Service   string `json:"service"`
	Level     string `json:"level"`
	Challenge string `json:"challenge"`
}

// AppRequests lists the requests the phone may answer; the app signs the listing with the
// time, so a copied request body is stale within minutes.
func (s *Handlers) AppRequests(c echo.Context) error {
	var in struct {
		AuthenticatorID int64  `json:"authenticatorId"`
		Time            int64  `json:"time"`
		Signature       string `json:"signature"`
	}
	if err := decodeAppJSON(c, &in); err != nil {
		return s.appFail(c, http.StatusBadRequest, "app.err.failed")
	}
	sig, _ := base64.RawURLEncoding.DecodeString(in.Signature)
	ctx := c.Request().Context()
	a, aerr := s.Identity.AuthenticateAppDevice(ctx, in.AuthenticatorID, in.Time, sig)
	if aerr != nil && !(errors.Is(aerr, identity.ErrMitIDBlocked) && a.ID != 0) {
		return s.appError(c, aerr)
	}
	list, err := s.Identity.PendingAppRequests(ctx, in.AuthenticatorID)
	if err != nil {
		return err
	}
	if aerr != nil && len(list) == 0 {
		// A blocked MitID: the phone says so, unless support is asking who is calling.
		return s.appError(c, aerr)
	}
	tr := web.StateOf(c).Tr
	out := make([]appRequest, 0, len(list))
	for _, r := range list {
		purpose := tr.T("app.requests.purpose_login")
		if r.Purpose == identity.AppPurposeVerify {
			purpose = tr.T("app.requests.purpose_verify")
		}
		out = append(out, appRequest{ID: r.ID, Code: r.DisplayCode, Purpose: purpose, Service: r.Service,
			Level: tr.T(r.Level.MsgID()), Challenge: base64.RawURLEncoding.EncodeToString(r.Challenge)})
	}
	return c.JSON(http.StatusOK, map[string]any{"requests": out})
}

// AppAnswer records an approval or rejection signed by the phone.
func (s *Handlers) AppAnswer(c echo.Context) error {
	var in struct {
		AuthenticatorID int64  `json:"authenticatorId"`
		RequestID       int64  `json:"requestId"`
		Approve         bool   `json:"approve"`
		Signature       string `json:"signature"`
	}
	if err := decodeAppJSON(c, &in); err != nil {
		return s.appFail(c, http.StatusBadRequest, "app.err.failed")
	}
	sig, _ := base64.RawURLEncoding.DecodeString(in.Signature)
	err := s.Identity.DecideAppRequest(c.Request().Context(), in.RequestID, in.AuthenticatorID, in.Approve, sig)
	if err != nil {
		return s.appError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}

func decodeAppJSON(c echo.Context, v any) error {
	return web.DecodeJSON(c, appBodyLimit, v)
}

// appFail answers the app with a message in the page's language, which the app shows.
func (s *Handlers) appFail(c echo.Context, status int, msgID string, data ...map[string]any) error {
	return c.JSON(status, map[string]string{"error": web.StateOf(c).Tr.T(msgID, data...)})
}

// appError maps a rule of the identity domain to the status the app acts on: 410 makes it
// forget its key (the means is gone), 409 drops a request that can no longer be answered.
func (s *Handlers) appError(c echo.Context, err error) error {
	if throttled, ok := fault.OfKind(err, fault.Throttled); ok {
		web.MarkThrottled(c, err)
		return s.appFail(c, http.StatusTooManyRequests, throttled.MsgID,
			map[string]any{"Minutes": throttled.Minutes()})
	}
	rule, ok := fault.Rule(err)
	if !ok {
		return err
	}
	status := http.StatusBadRequest
	switch rule {
	case identity.ErrAppDevice:
		status = http.StatusGone
	case identity.ErrAppSignature:
		status = http.StatusUnauthorized
	case identity.ErrAppRequestExpired, identity.ErrAppRequestDecided, identity.ErrAppRequestInvalid,
		identity.ErrMitIDBlocked:
		status = http.StatusConflict
	}
	return s.appFail(c, status, rule.MsgID)
}
