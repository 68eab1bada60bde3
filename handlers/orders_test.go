package handlers_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/staff"
)

// importUnit puts a unit of kind in stock and returns its serial.
func importUnit(t *testing.T, env *apptest.Env, kind identity.Kind) string {
	t.Helper()
	secret := make([]byte, 20)
	_, _ = rand.Read(secret)
	serial := fmt.Sprintf("HT%03d%06d", unitSeq.Add(1), time.Now().UnixNano()%1000000)
	if _, err := env.App.Tokens.Import(context.Background(), []identity.TokenSeed{{Serial: serial, Kind: kind, Secret: secret}}); err != nil {
		t.Fatal(err)
	}
	return serial
}

var unitSeq atomic.Int64

// fulfilmentStaff are the input fixtures' fulfilment accounts and open orders, made once each.
var fulfilmentStaff sync.Map // *inputFixture → staff.User

func (fx *inputFixture) asFulfilment(t *testing.T) *browser {
	u, ok := fulfilmentStaff.Load(fx)
	if !ok {
		created, _, err := fx.env.App.Server.Staff.Create(context.Background(), "pakke@styrelsen.dk", "Pia Pakke", []string{"fulfilment"})
		if err != nil {
			t.Fatal(err)
		}
		u, _ = fulfilmentStaff.LoadOrStore(fx, created)
	}
	return staffSession(t, fx.env, u.(staff.User))
}

// openOrderPath is the send path of an open order of the fixture's citizen.
func (fx *inputFixture) openOrderPath() string {
	ctx := context.Background()
	var id int64
	err := fx.env.App.Pool.QueryRow(ctx, `SELECT id FROM token_order WHERE mitid_id = $1 AND status = 'ordered'`, fx.citizen.ID).Scan(&id)
	if err != nil {
		o, perr := fx.env.App.Orders.Place(ctx, fx.citizen.ID, identity.KindCodeDisplay, identity.OrderFirst, 0, identity.ActorCitizen)
		if perr != nil {
			panic(perr)
		}
		id = o.ID
	}
	return "/medarbejder/forsendelse/" + strconv.FormatInt(id, 10) + "/send"
}

// TestOrderAndFulfilmentOverHTTP: a citizen orders (refused without a choice, refused a second
// open order of the kind), a member of the desk does not see the queue, the fulfilment role
// does, sends a unit typed loosely after a wrong serial, and the letter, the audit entry and the
// citizen's overview follow.
func TestOrderAndFulfilmentOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	m := env.NewCitizen(t)
	p, err := env.App.Persons.ByCPR(ctx, m.CPR)
	if err != nil {
		t.Fatal(err)
	}
	cit := citizenBrowser(t, env, m)

	body := cit.page(t, "/mitid/bestil")
	for _, want := range []string{p.AddressLine, p.Postcode + " " + p.City, `data-testid="order-limit"`, `name="kind"`, `name="reason"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the order page lacks %q", want)
		}
	}
	steps := []struct {
		name   string
		fields url.Values
		status int
		want   string // a message the answer shows
	}{
		{"nothing chosen", url.Values{}, http.StatusUnprocessableEntity, tr.T("orders.err.kind")},
		{"lost without a unit to replace", url.Values{"kind": {"code_display"}, "reason": {"lost"}}, http.StatusUnprocessableEntity, tr.T("orders.err.nothing_to_replace")},
		{"a kind that is not a device", url.Values{"kind": {"chip"}, "reason": {"first"}}, http.StatusUnprocessableEntity, tr.T("orders.err.kind")},
		{"a first kodeviser", url.Values{"kind": {"code_display"}, "reason": {"first"}}, http.StatusSeeOther, ""},
		{"a second one while the first is open", url.Values{"kind": {"code_display"}, "reason": {"first"}}, http.StatusUnprocessableEntity, tr.T("orders.err.open")},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res, body := cit.post(t, "/mitid/bestil", s.fields)
			if res.StatusCode != s.status {
				t.Fatalf("status %d, want %d", res.StatusCode, s.status)
			}
			if s.want != "" && (!strings.Contains(body, `data-testid="error-summary"`) || !strings.Contains(body, s.want)) {
				t.Errorf("the answer lacks the error summary with %q", s.want)
			}
		})
	}
	if body := cit.page(t, "/mitid?done=ordered"); !strings.Contains(body, `data-testid="order-row"`) ||
		!strings.Contains(body, tr.T("orders.notice.ordered")) {
		t.Error("the overview does not list the order")
	}

	agent, _, err := env.App.Server.Staff.Create(ctx, "alma@styrelsen.dk", "Alma Agent", []string{"agent", "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := staffSession(t, env, agent).get(t, "/medarbejder/forsendelse"); status != http.StatusForbidden {
		t.Errorf("an agent and admin sees the queue: %d", status)
	}
	pakker, _, err := env.App.Server.Staff.Create(ctx, "pakke@styrelsen.dk", "Pia Pakke", []string{"fulfilment"})
	if err != nil {
		t.Fatal(err)
	}
	staffB := staffSession(t, env, pakker)
	if home := staffB.page(t, "/medarbejder"); !strings.Contains(home, `href="/medarbejder/forsendelse"`) {
		t.Error("the staff home does not link the queue for the fulfilment role")
	}
	queue := staffB.page(t, "/medarbejder/forsendelse")
	if !strings.Contains(queue, p.FullName()) || !strings.Contains(queue, p.AddressLine) {
		t.Fatal("the queue does not show the order's name and address")
	}
	orders, err := env.App.Orders.Queue(ctx)
	if err != nil || len(orders) != 1 {
		t.Fatalf("queue %v, %v", orders, err)
	}
	path := "/medarbejder/forsendelse/" + strconv.FormatInt(orders[0].ID, 10)
	serial := importUnit(t, env, identity.KindCodeDisplay)
	reader := importUnit(t, env, identity.KindAudioReader)
	if page := staffB.page(t, path); !strings.Contains(page, serial) || strings.Contains(page, reader) {
		t.Error("the send page does not list exactly the units in stock of the order's kind")
	}
	res, body := staffB.post(t, path+"/send", url.Values{"serial": {reader}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tr.T("orders.err.unit")) || !strings.Contains(body, `href="#serial"`) {
		t.Fatalf("a unit of the wrong kind: %d", res.StatusCode)
	}
	loose := strings.ToLower(serial[:2]) + " " + serial[2:5] + "-" + serial[5:]
	if res, _ := staffB.post(t, path+"/send", url.Values{"serial": {loose}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send %q: %d", loose, res.StatusCode)
	}
	if status, _ := staffB.get(t, path); status != http.StatusNotFound {
		t.Errorf("the sent order's page: %d, want 404", status)
	}
	if n := count(t, env, `SELECT count(*) FROM letter WHERE cpr = $1 AND kind = 'token_sent'`, m.CPR); n != 1 {
		t.Errorf("%d letters with the unit", n)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'send_token' AND actor = $1 AND subject = $2`,
		"staff:"+strconv.FormatInt(pakker.ID, 10), "mitid:"+strconv.FormatInt(m.ID, 10)); n != 1 {
		t.Errorf("%d audit entries of the sending", n)
	}
	if n := count(t, env, `SELECT count(*) FROM mail_outbox WHERE kind = 'notification.token_sent'`); n != 1 {
		t.Errorf("%d notifications of the sending", n)
	}
	overview := cit.page(t, "/mitid")
	if !strings.Contains(overview, serial) || !strings.Contains(overview, `data-testid="order-activate"`) {
		t.Error("the overview does not show the sent unit with its activation link")
	}
	// Cancelling a sent order retires the unit; cancelling it twice is refused.
	cancel := "/mitid/bestil/" + strconv.FormatInt(orders[0].ID, 10) + "/annuller"
	if res, _ := cit.post(t, cancel, url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	if res, _ := cit.post(t, cancel, url.Values{}); res.StatusCode != http.StatusConflict {
		t.Errorf("cancel again: %d, want 409", res.StatusCode)
	}
	other := citizenBrowser(t, env, env.NewCitizen(t))
	if res, _ := other.post(t, cancel, url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another citizen cancels the order: %d, want 404", res.StatusCode)
	}

	// The limit: the sent and cancelled order counts; two more sent this year reach it.
	if _, err := env.App.Pool.Exec(ctx, `INSERT INTO token_order (mitid_id, kind, reason, status, sent_at, cancelled_at)
		VALUES ($1, 'audio_reader', 'first', 'cancelled', now(), now()), ($1, 'audio_reader', 'first', 'cancelled', now(), now())`, m.ID); err != nil {
		t.Fatal(err)
	}
	if body := cit.page(t, "/mitid/bestil"); !strings.Contains(body, `data-testid="order-limit-reached"`) || strings.Contains(body, `data-testid="order-form"`) {
		t.Error("the order page at the limit still offers the form")
	}
	res, body = cit.post(t, "/mitid/bestil", url.Values{"kind": {"audio_reader"}, "reason": {"first"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tr.T("orders.err.limit")) {
		t.Errorf("an order past the limit: %d", res.StatusCode)
	}
}
