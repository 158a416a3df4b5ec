package crawler

import (
	"testing"
	"time"
)

func TestFeedDatesReadTheSameShapesAsPagesDo(t *testing.T) {
	cases := map[string]string{
		"Mon, 20 Dec 2021 18:24:28 +0800": "2021-12-20T18:24:28+08:00",
		"Mon, 20 Dec 2021 18:24:28 CST":   "2021-12-20T18:24:28+08:00",
		"2021-12-20 18:24:28":             "2021-12-20T18:24:28+08:00",
		"2021/12/20 18:24":                "2021-12-20T18:24:00+08:00",
		"2021年12月20日 18:24":               "2021-12-20T18:24:00+08:00",
		"2021-12-20T18:24:28.5+08:00":     "2021-12-20T18:24:28+08:00",
		"1640003068":                      "2021-12-20T20:24:28+08:00",
	}
	for in, want := range cases {
		got, err := parseFeedTime(in)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("parseFeedTime(%q) = %s, %v; want %s", in, got.Format(time.RFC3339), err, want)
		}
	}
}
