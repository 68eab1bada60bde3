package browser_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// The communication packs in the browser are walked by TestCampaignStory (a member's view, the
// downloads, the ZIP, the embargo passing); what an anonymous visitor may fetch (public items
// only, 404 for members-only, embargoed and withdrawn items on every route) is tested over HTTP
// in handlers/packs_download_test.go.

// fetchedFile is what the page's fetch of a download saw.
type fetchedFile struct {
	Status      int    `json:"status"`
	Disposition string `json:"disposition"`
	SHA256      string `json:"sha256"`
}

// fetchDownload fetches the href of the link css in the page, as the visitor's browser would
// download it, and hashes what arrived.
func fetchDownload(t *testing.T, ctx context.Context, css string) fetchedFile {
	t.Helper()
	f, err := chromedp.Run(ctx, chromedp.Evaluate[fetchedFile](`fetch(document.querySelector(`+strconv.Quote(css)+`).href)
		.then(r => r.arrayBuffer().then(b => crypto.subtle.digest('SHA-256', b)).then(d => ({
			status: r.status, disposition: r.headers.get('content-disposition') || '',
			sha256: [...new Uint8Array(d)].map(x => x.toString(16).padStart(2, '0')).join('')})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", css, err)
	}
	return f
}
