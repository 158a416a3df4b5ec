package article

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAnUnknownModifiedTimeAndAuthorAreAbsentFromTheLine(t *testing.T) {
	rec := Record{ID: "URL1", URL: "http://a.example/1", Title: "T", Body: "b",
		PublishedAt: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)}
	if err := rec.Finish("generic", rec.PublishedAt); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(&rec)
	for _, key := range []string{`"modified_at"`, `"author"`} {
		if strings.Contains(string(b), key) {
			t.Errorf("line carries %s although unknown: %s", key, b)
		}
	}
}

func TestAModifiedTimeIsKeptOnlyWhenItIsLaterThanThePublishingTime(t *testing.T) {
	pub := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		modified time.Time
		kept     bool
	}{{pub.Add(2 * time.Hour), true}, {pub, false}, {pub.Add(-time.Hour), false}} {
		rec := Record{ID: "URL1", URL: "http://a.example/1", Title: "T", Body: "b", PublishedAt: pub, ModifiedAt: c.modified}
		if err := rec.Finish("generic", pub); err != nil {
			t.Fatal(err)
		}
		if got := !rec.ModifiedAt.IsZero(); got != c.kept {
			t.Errorf("modified %v: kept %v, want %v", c.modified, got, c.kept)
		}
		b, _ := json.Marshal(&rec)
		if c.kept && !strings.Contains(string(b), `"modified_at":"2024-03-01T11:00:00Z"`) {
			t.Errorf("line lacks modified_at: %s", b)
		}
	}
}

func TestEveryFieldOfTheRecordIsDocumentedInTheSchema(t *testing.T) {
	doc, err := os.ReadFile("../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeFor[Record]()
	for i := range typ.NumField() {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !strings.Contains(string(doc), "| `"+key+"` |") {
			t.Errorf("field %s (%q) has no row in docs/schema.md", typ.Field(i).Name, key)
		}
	}
}
