package citizen

import (
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

// Pairing a phone from the web: the self-service page and the creation step that show a
// pairing code and ask whether the phone has used it.

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

// AppAddPage shows the pairing code for a further app from the self-service pages.
func (s *Handlers) AppAddPage(c echo.Context) error {
	return s.pairingPage(c, addAppFlow, web.StateOf(c).Subject.ID, false)
}

// AppAddStart makes a new pairing code for a further app.
func (s *Handlers) AppAddStart(c echo.Context) error {
	return s.pairingStart(c, addAppFlow, web.StateOf(c).Subject.ID)
}

// AppAddStatus is the self-service pairing page's polled fragment.
func (s *Handlers) AppAddStatus(c echo.Context) error {
	return s.pairingPage(c, addAppFlow, web.StateOf(c).Subject.ID, true)
}

// AppCreatePage shows the pairing code of the app as the first means of the MitID being created.
func (s *Handlers) AppCreatePage(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.Redirect(c, "/opret")
	}
	return s.pairingPage(c, createAppFlow, id, false)
}

// AppCreateStart makes a new pairing code during creation.
func (s *Handlers) AppCreateStart(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.Redirect(c, "/opret")
	}
	return s.pairingStart(c, createAppFlow, id)
}

// AppCreateStatus is the creation pairing page's polled fragment.
func (s *Handlers) AppCreateStatus(c echo.Context) error {
	id, ok := s.creatingMitID(c)
	if !ok {
		return s.Redirect(c, "/opret")
	}
	return s.pairingPage(c, createAppFlow, id, true)
}

// pairingStart makes a new code (the older one stops working) and shows it.
func (s *Handlers) pairingStart(c echo.Context, f pairingFlow, mitidID int64) error {
	start := s.Identity.StartPairing
	if f.create {
		// The code pairs the first means only (identity checks again when the phone uses it).
		start = s.Identity.StartFirstPairing
	}
	code, expires, err := start(c.Request().Context(), mitidID)
	if errors.Is(err, identity.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return s.RenderIdentityError(c, err)
	}
	b, err := json.Marshal(appPairing{MitID: mitidID, Code: code, Expires: expires})
	if err != nil {
		return err
	}
	st := web.StateOf(c)
	st.Sess.Values[keyAppPairing] = string(b)
	st.Dirty = true
	return s.Redirect(c, f.path)
}

// pairingPage shows the session's code for mitidID and whether the phone has used it: the
// whole page, or (fragment) the status part that htmx polls.
func (s *Handlers) pairingPage(c echo.Context, f pairingFlow, mitidID int64, fragment bool) error {
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
		if web.PollUnchanged(c, v.Status) {
			return c.NoContent(http.StatusNoContent)
		}
		return s.Render(c, http.StatusOK, views.AppPairingStatus(v))
	}
	return s.Render(c, http.StatusOK, views.AppPairing(v))
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
