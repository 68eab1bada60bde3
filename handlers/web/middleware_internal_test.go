package web

import "testing"

func TestLogPathKeepsTokensOut(t *testing.T) {
	tests := []struct{ route, path, want string }{
		{"/medarbejder/tilmeld/:token", "/medarbejder/tilmeld/s3cr3t", "/medarbejder/tilmeld/:token"},
		{"/mitid/middel/:id/omdoeb", "/mitid/middel/7/omdoeb", "/mitid/middel/7/omdoeb"},
		{"/kontakt", "/kontakt", "/kontakt"},
	}
	for _, tt := range tests {
		if got := logPath(tt.route, tt.path); got != tt.want {
			t.Errorf("logPath(%q, %q) = %q, want %q", tt.route, tt.path, got, tt.want)
		}
	}
}
