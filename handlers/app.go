package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// The MitID app (DESIGN.md §3.2, identity/app.go) on three sides: the phone's app page with
// its JSON endpoints (authenticated by the device key's signatures, so the routes are public),
// the pages that show a pairing code (self-service and during creation), and the browser's
// side of a login with the app (waiting page, polled status, finish).

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

// appRoutes are the app's routes; routes() includes them.
func (s *Server) appRoutes() []Route {
	return []Route{
		{http.MethodGet, "/app", web.Public, s.appPage},
		{http.MethodPost, "/app/par", web.Public, s.appPair},
		{http.MethodPost, "/app/anmodninger", web.Public, s.appRequests},
		{http.MethodPost, "/app/svar", web.Public, s.appAnswer},

		{http.MethodGet, "/mitid/app/tilfoej", web.CitizenRecent, s.appAddPage},
		{http.MethodPost, "/mitid/app/tilfoej", web.CitizenRecent, s.appAddStart},
		{http.MethodGet, "/mitid/app/tilfoej/status", web.CitizenRecent, s.appAddStatus},
		{http.MethodGet, "/opret/app", web.Public, s.appCreatePage},
		{http.MethodPost, "/opret/app", web.Public, s.appCreateStart},
		{http.MethodGet, "/opret/app/status", web.Public, s.appCreateStatus},

		{http.MethodPost, "/log-ind/app", web.Public, s.appLoginStart},
		{http.MethodGet, "/log-ind/app", web.Public, s.appLoginPage},
		{http.MethodGet, "/log-ind/app/status", web.Public, s.appLoginStatus},
		// GET too: htmx's HX-Redirect arrives as a GET. Finishing is bound to this session's
		// secret, so a forged request can at most finish the victim's own approved login.
		{http.MethodGet, "/log-ind/app/fuldfoer", web.Public, s.appLoginFinish},
		{http.MethodPost, "/log-ind/app/fuldfoer", web.Public, s.appLoginFinish},
	}
}

// ---- The phone's app.

func (s *Server) appPage(c echo.Context) error {
	code, _ := identity.NormalizePairingCode(c.QueryParam("kode"))
	if code != "" {
		code = identity.FormatPairingCode(code)
	}
	return s.site.Render(c, http.StatusOK, views.AppPage(views.AppPageView{Code: code, ServerTime: s.Now().Unix()}))
}

// appPair pairs the phone: the one-time code, the device's public key (SPKI, base64url) and a
// name. The answer is the new means' id, which the app keeps beside its key.
func (s *Server) appPair(c echo.Context) error {
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
		Code: in.Code, PublicKey: key, DeviceName: in.Name, ClientAddr: s.site.ClientAddr(c)})
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

// appRequests lists the requests the phone may answer; the app signs the listing with the
// time, so a copied request body is stale within minutes.
func (s *Server) appRequests(c echo.Context) error {
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
	if _, err := s.Identity.AuthenticateAppDevice(ctx, in.AuthenticatorID, in.Time, sig); err != nil {
		return s.appError(c, err)
	}
	list, err := s.Identity.PendingAppRequests(ctx, in.AuthenticatorID)
	if err != nil {
		return err
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

// appAnswer records an approval or rejection signed by the phone.
func (s *Server) appAnswer(c echo.Context) error {
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
func (s *Server) appFail(c echo.Context, status int, msgID string, data ...map[string]any) error {
	return c.JSON(status, map[string]string{"error": web.StateOf(c).Tr.T(msgID, data...)})
}

// appError maps a rule of the identity domain to the status the app acts on: 410 makes it
// forget its key (the means is gone), 409 drops a request that can no longer be answered.
func (s *Server) appError(c echo.Context, err error) error {
	var throttled *identity.ThrottledError
	if errors.As(err, &throttled) {
		web.MarkThrottled(c, err)
		return s.appFail(c, http.StatusTooManyRequests, throttled.Message(),
			map[string]any{"Minutes": throttled.Minutes()})
	}
	var rule *identity.Error
	if !errors.As(err, &rule) {
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

// ---- Pairing from the web.

// appPairing is the pairing code a session shows, for the MitID it was made for.
type appPairing struct {
	MitID   int64     `json:"mitid"`
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// pairingFlow is one of the two places that show a pairing code.
type pairingFlow struct {
	path     string
	create   bool
	doneHref string
	doneID   string
	backHref string
}

var (
	addAppFlow    = pairingFlow{path: "/mitid/app/tilfoej", doneHref: "/mitid", doneID: "app.add.done_overview", backHref: "/mitid"}
	createAppFlow = pairingFlow{path: "/opret/app", create: true, doneHref: "/opret/faerdig", doneID: "app.add.done_create", backHref: "/opret/middel"}
)

func (s *Server) appAddPage(c echo.Context) error {
	return s.pairingPage(c, addAppFlow, web.StateOf(c).Subject.ID, false)
}

func (s *Server) appAddStart(c echo.Context) error {
	return s.pairingStart(c, addAppFlow, web.StateOf(c).Subject.ID)
}

func (s *Server) appAddStatus(c echo.Context) error {
	return s.pairingPage(c, addAppFlow, web.StateOf(c).Subject.ID, true)
}

func (s *Server) appCreatePage(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.site.Redirect(c, "/opret")
	}
	return s.pairingPage(c, createAppFlow, id, false)
}

func (s *Server) appCreateStart(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.site.Redirect(c, "/opret")
	}
	return s.pairingStart(c, createAppFlow, id)
}

func (s *Server) appCreateStatus(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.site.Redirect(c, "/opret")
	}
	return s.pairingPage(c, createAppFlow, id, true)
}

// pairingStart makes a new code (the older one stops working) and shows it.
func (s *Server) pairingStart(c echo.Context, f pairingFlow, mitidID int64) error {
	code, expires, err := s.Identity.StartPairing(c.Request().Context(), mitidID)
	if errors.Is(err, identity.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return s.site.RenderIdentityError(c, err)
	}
	b, err := json.Marshal(appPairing{MitID: mitidID, Code: code, Expires: expires})
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	st.Sess.Values[keyAppPairing] = string(b)
	st.Dirty = true
	return s.site.Redirect(c, f.path)
}

// pairingPage shows the session's code for mitidID and whether the phone has used it: the
// whole page, or (fragment) the status part that htmx polls.
func (s *Server) pairingPage(c echo.Context, f pairingFlow, mitidID int64, fragment bool) error {
	v := views.AppPairingView{Action: f.path, AppURL: s.Config.BaseURL + "/app", DoneHref: f.doneHref,
		DoneLabelID: f.doneID, BackHref: f.backHref, Create: f.create}
	var p appPairing
	raw, _ := web.StateOf(c).Sess.Values[keyAppPairing].(string)
	if raw != "" && json.Unmarshal([]byte(raw), &p) == nil && p.MitID == mitidID {
		st, err := s.Identity.PairingStatus(c.Request().Context(), mitidID, p.Code)
		switch {
		case errors.Is(err, identity.ErrNotFound):
		case err != nil:
			return err
		default:
			v.Code, v.Status = identity.FormatPairingCode(p.Code), string(st)
			v.Expires = web.Clock(p.Expires.In(s.Schedule.Location()))
			if st == identity.PairingWaiting {
				v.QR, err = qrPath(s.Config.BaseURL + "/app?kode=" + p.Code)
				if err != nil {
					return err
				}
			}
		}
	}
	if fragment {
		if c.Request().Header.Get("HX-Request") != "true" || v.Code == "" {
			// Not htmx, or no code to wait for (the session ended): the whole page.
			return s.appRedirect(c, c.Request().Header.Get("HX-Request") == "true", f.path)
		}
		return s.site.Render(c, http.StatusOK, views.AppPairingStatus(v))
	}
	return s.site.Render(c, http.StatusOK, views.AppPairing(v))
}

// qrPath draws a QR code as one SVG path, a rectangle per run of dark modules in a row.
func qrPath(content string) (views.QRCode, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return views.QRCode{}, err
	}
	bits := q.Bitmap()
	var b strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			b.WriteString("M" + strconv.Itoa(start) + " " + strconv.Itoa(y) + "h" + strconv.Itoa(x-start) + "v1h-" +
				strconv.Itoa(x-start) + "z")
		}
	}
	return views.QRCode{Size: len(bits), Path: b.String()}, nil
}

// ---- Logging in with the app.

// appLogin is the login request this browser waits for.
type appLogin struct {
	ID     int64  `json:"id"`
	Secret []byte `json:"secret"`
	Code   string `json:"code"`
}

// appLoginStart starts a request to the app of the pending login's username, with a fresh
// secret that only this session holds.
func (s *Server) appLoginStart(c echo.Context) error {
	ls, ok := s.site.PendingLogin(c)
	if !ok {
		return s.site.Redirect(c, "/log-ind")
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	r, err := s.Identity.StartAppRequest(c.Request().Context(), identity.AppRequestInput{
		Username: ls.Username, Purpose: identity.AppPurposeLogin, Service: ls.Service,
		ClientAddr: s.site.ClientAddr(c), BrowserSecret: secret})
	if err != nil {
		return s.site.RenderIdentityError(c, err)
	}
	b, err := json.Marshal(appLogin{ID: r.ID, Secret: secret, Code: r.DisplayCode})
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	st.Sess.Values[keyAppLogin] = string(b)
	st.Dirty = true
	return s.site.Redirect(c, "/log-ind/app")
}

// appLoginOf returns the request this session waits for.
func appLoginOf(c echo.Context) (appLogin, bool) {
	var l appLogin
	raw, _ := web.StateOf(c).Sess.Values[keyAppLogin].(string)
	if raw == "" || json.Unmarshal([]byte(raw), &l) != nil {
		return appLogin{}, false
	}
	return l, true
}

func dropAppLogin(c echo.Context) {
	st := web.StateOf(c)
	delete(st.Sess.Values, keyAppLogin)
	st.Dirty = true
}

// appLoginPage is the waiting page; appLoginStatus its part that htmx polls, which sends the
// browser on to the finish once the app has approved.
func (s *Server) appLoginPage(c echo.Context) error {
	return s.appLoginView(c, false)
}

func (s *Server) appLoginStatus(c echo.Context) error {
	if c.Request().Header.Get("HX-Request") != "true" {
		return s.site.Redirect(c, "/log-ind/app")
	}
	return s.appLoginView(c, true)
}

func (s *Server) appLoginView(c echo.Context, fragment bool) error {
	l, ok := appLoginOf(c)
	if !ok {
		return s.appRedirect(c, fragment, "/log-ind")
	}
	st, err := s.Identity.AppRequestState(c.Request().Context(), l.ID, l.Secret)
	switch {
	case errors.Is(err, identity.ErrNotFound):
		dropAppLogin(c)
		return s.appRedirect(c, fragment, "/log-ind")
	case err != nil && fragment:
		// The full page shows the error (a blocked MitID's page).
		return s.appRedirect(c, true, "/log-ind/app")
	case err != nil:
		return s.site.RenderIdentityError(c, err)
	}
	v := views.AppLoginView{DisplayCode: l.Code, Status: appLoginState(st)}
	if !fragment {
		return s.site.Render(c, http.StatusOK, views.AppLogin(v))
	}
	if st == identity.AppApproved {
		c.Response().Header().Set("HX-Redirect", "/log-ind/app/fuldfoer")
	}
	return s.site.Render(c, http.StatusOK, views.AppLoginStatus(v))
}

// appLoginState is what the waiting page shows for a request's status.
func appLoginState(st identity.AppRequestStatus) string {
	switch st {
	case identity.AppPending, identity.AppApproved, identity.AppRejected:
		return string(st)
	}
	return "expired" // expired, cancelled by a newer request, or used
}

// appRedirect sends an htmx fragment request to url with HX-Redirect, a page with a redirect.
func (s *Server) appRedirect(c echo.Context, fragment bool, url string) error {
	if !fragment {
		return s.site.Redirect(c, url)
	}
	if err := s.site.SaveSession(c); err != nil {
		return err
	}
	c.Response().Header().Set("HX-Redirect", url)
	return c.NoContent(http.StatusOK)
}

// appLoginFinish turns the approved request into a logged-in session; otherwise it shows the
// waiting page with what stands in the way.
func (s *Server) appLoginFinish(c echo.Context) error {
	l, ok := appLoginOf(c)
	if !ok {
		return s.site.Redirect(c, "/log-ind")
	}
	login, err := s.Identity.FinishAppLogin(c.Request().Context(), l.ID, l.Secret, s.site.ClientAddr(c))
	v := views.AppLoginView{DisplayCode: l.Code}
	switch {
	case err == nil:
		dropAppLogin(c)
		return s.completeLogin(c, login)
	case errors.Is(err, identity.ErrAppPending):
		v.Status, v.Notice = "pending", identity.ErrAppPending.MsgID
	case errors.Is(err, identity.ErrAppRejected):
		v.Status = "rejected"
	case errors.Is(err, identity.ErrAppRequestExpired):
		v.Status = "expired"
	case errors.Is(err, identity.ErrAppRequestInvalid):
		dropAppLogin(c)
		return s.site.Redirect(c, "/log-ind")
	default:
		return s.site.RenderIdentityError(c, err)
	}
	return s.site.Render(c, http.StatusOK, views.AppLogin(v))
}
