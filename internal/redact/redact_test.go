package redact

import "testing"

func TestPasswordsInURLsAreMaskedInFreeText(t *testing.T) {
	for in, want := range map[string]string{
		`Get "http://bob:s3cret@127.0.0.1:80/a": refused`: `Get "http://bob:xxxxx@127.0.0.1:80/a": refused`,
		"crawl --url https://u:p%40ss@h/x --db d":         "crawl --url https://u:xxxxx@h/x --db d",
		"http://nopass@h/ and mail a@b":                   "http://nopass@h/ and mail a@b",
		"plain text":                                      "plain text",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestARecordURLLosesItsUserInformation(t *testing.T) {
	if got := URL("http://bob:s3cret@example.com/a?b=1"); got != "http://example.com/a?b=1" {
		t.Errorf("URL = %q", got)
	}
	if got := URL("file:///tmp/x.md"); got != "file:///tmp/x.md" {
		t.Errorf("URL = %q", got)
	}
}
