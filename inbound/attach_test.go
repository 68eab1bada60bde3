package inbound_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// multipartMail is a mail with a text part and one base64 part per file; each file is its raw
// Content-Type and Content-Disposition header values and its bytes.
func multipartMail(from, msgID string, files [][3]string) string {
	var b strings.Builder
	b.WriteString("From: " + from + "\r\nTo: support@localhost\r\nSubject: Filer\r\nMessage-ID: " + msgID +
		"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nSe vedhæftede\r\n")
	for _, f := range files {
		b.WriteString("--BB\r\nContent-Type: " + f[0] + "\r\nContent-Disposition: " + f[1] +
			"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(f[2])) + "\r\n")
	}
	b.WriteString("--BB--\r\n")
	return b.String()
}

// TestMailAttachments: files are kept by what their content is, never by what the sender
// says, under hostile names made safe; refused files are noted on the timeline.
func TestMailAttachments(t *testing.T) {
	env := newMailEnv(t)
	pdf := "%PDF-1.4\n1 0 obj<<>>endobj\n"
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	exe := "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + strings.Repeat("\x00", 64)
	// 10,000 characters in RFC 2231 continuations, folded as mail folds long headers.
	var long strings.Builder
	long.WriteString("attachment")
	for i := range 20 {
		fmt.Fprintf(&long, ";\r\n\tfilename*%d=\"%s\"", i, strings.Repeat("a", 500))
	}
	long.WriteString(";\r\n\tfilename*20=\".pdf\"")
	tests := []struct {
		name, contentType, disposition, content string
		kept                                    bool
		wantName                                string // the name kept, or in the refusal note
	}{
		{"pdf", "application/pdf", `attachment; filename="brev.pdf"`, pdf, true, "brev.pdf"},
		{"png claimed as exe", "application/octet-stream", `attachment; filename="skærm.png"`, png, true, "skærm.png"},
		{"exe claimed as pdf", "application/pdf", `attachment; filename="faktura.pdf"`, exe, false, "faktura.pdf"},
		{"path and NUL", "application/pdf", "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpa%00ss%0A%09wd.pdf", pdf, true, "pass wd.pdf"},
		{"right-to-left override", "application/pdf", "attachment; filename*=UTF-8''evil%E2%80%AEfdp.exe", pdf, true, "evilfdp.exe"},
		{"invalid UTF-8", "application/pdf", "attachment; filename*=UTF-8''bad%FF%FEname.pdf", pdf, true, "bad_name.pdf"},
		{"10,000 characters", "application/pdf", long.String(), pdf, true, strings.Repeat("a", 196) + ".pdf"},
		{"control characters", "text/plain", "attachment; filename=\"=?utf-8?q?note=0D=0Ax=1B.txt?=\"", "hello", true, "note x.txt"},
	}
	var files [][3]string
	for _, tt := range tests {
		files = append(files, [3]string{tt.contentType, tt.disposition, tt.content})
	}
	if err := env.send("anna@example.dk", multipartMail("anna@example.dk", "<a1@example.dk>", files)); err != nil {
		t.Fatal(err)
	}
	c := env.caseOf(t, "<a1@example.dk>")
	kept, err := env.cases.Attachments(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, a := range kept {
		names[a.Name] = a.ContentType
	}
	notes := strings.Join(env.notes(t, c.ID), "\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok := names[tt.wantName]
			if ok != tt.kept {
				t.Errorf("%q kept %v, want %v (kept: %v)", tt.wantName, ok, tt.kept, names)
			}
			if !tt.kept && !strings.Contains(notes, "»"+tt.wantName+"« afvist") {
				t.Errorf("no note of the refusal of %q in %q", tt.wantName, notes)
			}
		})
	}
	if names["skærm.png"] != "image/png" {
		t.Errorf("the PNG sent as octet-stream is kept as %q", names["skærm.png"])
	}
}
