package handlers_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/session"
	"mitidportal/support"
)

// upload is one file of a multipart form: the name the browser sends and the content.
type upload struct{ name, content string }

// multipartPost sends fields and files (field "files") as a browser sends a form with a file
// input.
func (b *browser) multipartPost(t *testing.T, path string, fields url.Values, files []upload) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fields.Set("csrf_token", b.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="files"; filename="`+f.name+`"`)
		h.Set("Content-Type", "application/octet-stream")
		p, _ := w.CreatePart(h)
		_, _ = io.WriteString(p, f.content)
	}
	_ = w.Close()
	res, err := b.client.Post(b.env.URL+path, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, string(out)
}

const testPDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n"

// TestContactFormFiles: the contact form keeps files by their content under the limits, with a
// field error in the error summary for what it refuses; staff download a kept file as an
// attachment that is never sniffed, and only through its own case.
func TestContactFormFiles(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	env := d.env
	ctx := context.Background()
	b := citizenBrowser(t, env, d.citizen)
	many := make([]upload, support.MaxAttachments+1)
	for i := range many {
		many[i] = upload{"f" + strconv.Itoa(i) + ".txt", "tekst"}
	}
	tests := []struct {
		name    string
		files   []upload
		status  int
		errText string // the field error shown, or "" when the case opens
		kept    string // the name a kept file has
	}{
		{"pdf", []upload{{"kvittering.pdf", testPDF}}, http.StatusOK, "", "kvittering.pdf"},
		{"hostile name", []upload{{"..\\..\\windows\\\u202eevil\xff.pdf", testPDF}}, http.StatusOK, "", "evil_.pdf"},
		{"no file", nil, http.StatusOK, "", ""},
		{"executable", []upload{{"faktura.pdf", "MZ\x90\x00\x03\x00\x00\x00" + strings.Repeat("\x00", 60)}}, http.StatusUnprocessableEntity, "Filen har en type", ""},
		{"empty", []upload{{"tom.pdf", ""}}, http.StatusUnprocessableEntity, "Filen er tom", ""},
		{"too many", many, http.StatusUnprocessableEntity, "højst sende 10 filer", ""},
		{"too large", []upload{{"stor.txt", strings.Repeat("a", support.MaxAttachmentBytes+1)}}, http.StatusUnprocessableEntity, "højst fylde 10 MB", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.page(t, "/kontakt/skriv")
			res, body := b.multipartPost(t, "/kontakt/skriv", caseForm("Filer: "+tt.name), tt.files)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.errText != "" {
				if !strings.Contains(body, tt.errText) || !strings.Contains(body, `href="#files"`) {
					t.Errorf("no error %q at the file field", tt.errText)
				}
				return
			}
			ref := shownRef.FindStringSubmatch(body)
			if ref == nil {
				t.Fatal("no case opened")
			}
			cs, err := env.App.Cases.ByRef(ctx, ref[1])
			if err != nil {
				t.Fatal(err)
			}
			files, err := env.App.Cases.Attachments(ctx, cs.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.kept == "" {
				if len(files) != 0 {
					t.Errorf("%d files kept, want none", len(files))
				}
				return
			}
			if len(files) != 1 || files[0].Name != tt.kept || files[0].ContentType != "application/pdf" {
				t.Fatalf("files %+v, want one PDF named %q", files, tt.kept)
			}
			// Staff see it on the timeline and download it; the download writes nothing and is
			// never shown inline.
			page := d.agent.page(t, "/medarbejder/sager/"+cs.Ref)
			href := "/medarbejder/sager/" + cs.Ref + "/fil/" + strconv.FormatInt(files[0].ID, 10)
			if !strings.Contains(page, `href="`+href+`"`) {
				t.Fatalf("the case page has no link to %s", href)
			}
			res, err = d.agent.client.Get(env.URL + href)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(res.Body)
			res.Body.Close()
			h := res.Header
			if res.StatusCode != http.StatusOK || string(got) != testPDF || h.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || h.Get("Content-Type") != "application/pdf" {
				t.Errorf("download: %d %q %v", res.StatusCode, got, h)
			}
			// The file through another case's address is not found.
			other, err := env.App.Cases.Open(ctx, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID,
				Category: support.CategoryLogin, Name: "Anden", Phone: "12345678", Subject: "Anden sag"})
			if err != nil {
				t.Fatal(err)
			}
			if status, _ := d.agent.get(t, "/medarbejder/sager/"+other.Ref+"/fil/"+strconv.FormatInt(files[0].ID, 10)); status != http.StatusNotFound {
				t.Errorf("file through another case: %d, want 404", status)
			}
			// A citizen cannot download it.
			if status, _ := b.get(t, href); status == http.StatusOK {
				t.Error("a citizen downloaded a file from the desk")
			}
		})
	}
}

// TestUnreadMarker: a citizen's message marks the case unread on the queue and the case page;
// opening the page changes nothing, the button (a POST) and the assignee's note clear it.
func TestUnreadMarker(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	cs, err := d.env.App.Cases.Open(ctx, support.NewCase{Channel: support.ChannelEmail, System: support.SystemMitID,
		Category: support.CategoryLogin, Name: "Borger", Email: "borger@example.dk", Subject: "Ulæst",
		Message: "Første", AssigneeID: d.agentID})
	if err != nil {
		t.Fatal(err)
	}
	unread := func() bool {
		t.Helper()
		c, err := d.env.App.Cases.Get(ctx, cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		return !c.UnreadSince.IsZero()
	}
	write := func() {
		t.Helper()
		if _, err := d.env.App.Cases.AddMessage(ctx, support.NewMessage{CaseID: cs.ID, Body: "Igen"}); err != nil {
			t.Fatal(err)
		}
	}
	if unread() {
		t.Fatal("a new case is unread")
	}
	write()
	if !unread() {
		t.Fatal("the citizen's message did not mark the case unread")
	}
	if mails := count(t, d.env, `SELECT count(*) FROM mail_outbox WHERE to_address = 'agent@styrelsen.dk' AND kind = 'case.citizen_wrote'`); mails != 1 {
		t.Errorf("%d notifications to the assignee, want 1", mails)
	}
	if m := lastMail(t, d.env, "agent@styrelsen.dk", "case.citizen_wrote"); strings.Contains(m.Text, "Igen") || !strings.Contains(m.Subject, cs.Ref) {
		t.Errorf("notification %q / %q: must name the case and carry no citizen text", m.Subject, m.Text)
	}
	if list := d.agent.page(t, "/medarbejder/sager?ko=mine"); !strings.Contains(list, `data-testid="desk-unread"`) {
		t.Error("the queue shows no unread marker")
	}
	page := d.agent.page(t, "/medarbejder/sager/"+cs.Ref)
	if !strings.Contains(page, `data-testid="desk-unread-bar"`) || !unread() {
		t.Fatal("the case page shows no marker, or opening it cleared the marker")
	}
	if res, _ := d.agent.post(t, "/medarbejder/sager/"+cs.Ref+"/laest", url.Values{}); res.StatusCode != http.StatusSeeOther || unread() {
		t.Errorf("mark as read: %d, unread %v", res.StatusCode, unread())
	}
	write()
	d.agent.page(t, "/medarbejder/sager/"+cs.Ref)
	c, _ := d.env.App.Cases.Get(ctx, cs.ID)
	if res, _ := d.agent.post(t, "/medarbejder/sager/"+cs.Ref+"/note", url.Values{"note_body": {"Set"}, "version": {strconv.Itoa(c.Version)}}); res.StatusCode != http.StatusSeeOther || unread() {
		t.Errorf("the assignee's note: %d, unread %v", res.StatusCode, unread())
	}
}

// TestContactAnonymousFiles: an anonymous citizen's files wait with the submission and go with
// the case's first message when the address is confirmed.
func TestContactAnonymousFiles(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	b := newBrowser(t, env, env.LoginAs(t, session.Subject{}), apptest.CSRFToken)
	b.page(t, "/kontakt/skriv")
	fields := caseForm("Brev vedlagt")
	fields.Set("name", "Anna Andersen")
	fields.Set("email", "anna-files@example.org")
	if res, body := b.multipartPost(t, "/kontakt/skriv", fields, []upload{{"brev.pdf", testPDF}}); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, `data-testid="contact-sent"`) {
		t.Fatalf("submit: %d, want the check-your-mail page", res.StatusCode)
	}
	confirm := lastMail(t, env, "anna-files@example.org", "case.contact_confirm")
	path := strings.TrimPrefix(regexp.MustCompile(`http://\S+/kontakt/bekraeft/\S+`).FindString(confirm.Text), env.URL)
	b.page(t, path)
	res, body := b.post(t, path, url.Values{})
	ref := shownRef.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || ref == nil {
		t.Fatalf("confirm: %d, no case", res.StatusCode)
	}
	cs, err := env.App.Cases.ByRef(ctx, ref[1])
	if err != nil {
		t.Fatal(err)
	}
	files, err := env.App.Cases.Attachments(ctx, cs.ID)
	if err != nil || len(files) != 1 || files[0].Name != "brev.pdf" || files[0].ContentType != "application/pdf" {
		t.Errorf("files of the confirmed case: %+v, %v", files, err)
	}
}
