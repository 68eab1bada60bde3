package main

import (
	"context"
	"fmt"
	"time"

	"mitidportal/app"
	"mitidportal/campaign/site"
)

// seedSite loads the campaign site's pages (campaign/site/content) as the demo campaign editor
// and publishes them, so `make run` shows the whole site. A second run adds nothing.
func seedSite(ctx context.Context, env *environment, a *app.App, editorID int64, now time.Time) error {
	n, err := site.Seed(ctx, a.Pages, editorID, now)
	if err != nil {
		return fmt.Errorf("demo campaign pages: %w", err)
	}
	note := ""
	if a.Pages.Store() == nil {
		note = " (without images: FILES_DIR is not set)"
	}
	fmt.Fprintf(env.stdout, "Campaign site: %d new pages published at /kampagne%s.\n", n, note)
	return nil
}
