package generic

import (
	"strings"
	"testing"
	"time"
)

func TestGenericStripsTheSiteNameAfterAnySeparatorButNotInsideWords(t *testing.T) {
	for in, want := range map[string]string{
		"国务院常务会议部署稳就业举措-新华网":                   "国务院常务会议部署稳就业举措",
		"国务院常务会议部署稳就业举措_要闻_海滨新闻网":              "国务院常务会议部署稳就业举措",
		"Ferry service returns | Bay Herald":   "Ferry service returns",
		"Ferry service returns - Bay Herald":   "Ferry service returns",
		"COVID-19 cases fall for a third week": "COVID-19 cases fall for a third week",
		"港城晚报 - 新闻频道":                          "港城晚报 - 新闻频道",
	} {
		if got := stripSiteSuffix(in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestGenericReadsTheDateFormsPagesPrint(t *testing.T) {
	bj, en := newDateReader(true), newDateReader(false)
	for _, c := range []struct {
		d    dateReader
		in   string
		want string
	}{
		{en, "Published November 19, 2019, 9:02 AM", "2019-11-19T09:02:00Z"},
		{en, "Nov. 19, 2019 at 9:02 p.m. EST", "2019-11-19T21:02:00-05:00"},
		{en, "Updated 19 Nov 2019 07:09 GMT", "2019-11-19T07:09:00Z"},
		{en, "Nov 19, 2019 10:30 AM IST", "2019-11-19T10:30:00+05:30"}, // India: once +05:00
		{en, "Nov 19, 2019 10:30 AM CST", "2019-11-19T10:30:00-06:00"}, // US Central on an English page
		{bj, "Nov 19, 2019 10:30 AM CST", "2019-11-19T10:30:00+08:00"}, // China Standard Time on a Chinese one
		{en, "Tue, 19 November 2019", "2019-11-19T00:00:00Z"},
		{bj, "发布日期： 9/17/2004 5:54:13 AM", "2004-09-17T05:54:13+08:00"},
		{bj, "2005年08月16日", "2005-08-16T00:00:00+08:00"},
		{bj, "2021年12月20日18时24分", "2021-12-20T18:24:00+08:00"},
		{bj, "2019-11-19T09:02:00-05:00", "2019-11-19T09:02:00-05:00"},
	} {
		got, ok := c.d.text(c.in, false)
		if !ok || got.Format(time.RFC3339) != c.want {
			t.Errorf("%q -> %v %v, want %s", c.in, got.Format(time.RFC3339), ok, c.want)
		}
	}
	for in, want := range map[string]string{
		"Tue, 19 Nov 2019 07:09:00 -0500": "2019-11-19T07:09:00-05:00",
		"Tue, 19 Nov 2019 07:09:00 JST":   "2019-11-19T07:09:00+09:00", // a zone Go's parser leaves at +00:00
		"2019-11-19 09:02:00":             "2019-11-19T09:02:00+08:00", // JSON-LD not in ISO form
		"2019-11-19T09:02:00.000+0800":    "2019-11-19T09:02:00+08:00",
		"November 19, 2019":               "2019-11-19T00:00:00+08:00",
	} {
		if got, ok := bj.value(in); !ok || got.Format(time.RFC3339) != want {
			t.Errorf("value %q -> %s %v, want %s", in, got.Format(time.RFC3339), ok, want)
		}
	}
	if got, ok := bj.yearMonth("1996年6月"); !ok || got.Format("2006-01-02") != "1996-06-01" {
		t.Errorf("year-month -> %v %v", got, ok)
	}
}

func TestGenericDropsOnlyASecondCopyOfAWholeBlock(t *testing.T) {
	spill := []string{"第一段记者从部门获悉的消息。", "第二段部门表示下一步的计划。", "第一段记者从部门获悉的消息。", "第二段部门表示下一步的计划。"}
	if got := dropRepeatedBlock(spill); len(got) != 2 {
		t.Errorf("a body spilled twice gives %d lines, want 2: %q", len(got), got)
	}
	plan := []string{"A plan that keeps the same breakfast every day of the week.", "Day 1", "Breakfast: oats", "Day 2", "Breakfast: oats", "Day 3", "Breakfast: oats"}
	if got := dropRepeatedBlock(plan); len(got) != len(plan) {
		t.Errorf("repeated lines inside one body lost: %q", got)
	}
}

func TestGenericFindsAPostTimeAfterMoreThanTwentyDateLikeRuns(t *testing.T) {
	// A blog's archive links ("12/01/2004 - 01/01/2005") before the post's own time once
	// exhausted a bounded search.
	var b strings.Builder
	for i := 0; i < 30; i++ {
		b.WriteString("2004 - 01/01 ")
	}
	b.WriteString("湘菜粤菜 2005-06-14 03:25:55")
	got, ok := newDateReader(true).text(b.String(), true)
	if !ok || got.Format(time.RFC3339) != "2005-06-14T03:25:55+08:00" {
		t.Errorf("got %v %v", got, ok)
	}
}

func TestGenericLabelLinesAreTheirOwnLinesOnly(t *testing.T) {
	for _, line := range []string{"Filed under: Local, Transport", "Share this story", "返回搜狐，查看更多", "【编辑:刘欢】", "责任编辑：", "标签：港口",
		"Copyright © 2019 Bay Herald. All rights reserved.", "Skip to content", "Click here to subscribe to our newsletter",
		"Like this story? Share it with a friend!", "More Great Harbour Stories", "Also on bayherald.com", "Via SyndiGate.info",
		"Tempo de leitura: 2 minutos", "4 min read", "By Sam Lee", "第1页/共2页", "<< 上一页 | 下一页 >>"} {
		if !labelLineRe.MatchString(strings.ToLower(line)) {
			t.Errorf("%q is not taken for a label line", line)
		}
	}
	for _, line := range []string{"Share prices fell on Monday after the report.", "返回家乡的年轻人越来越多，他们带回了新的种植技术和销售渠道。", "编辑部收到了很多读者来信。",
		"By Sunday the river had risen above the old flood mark.", "By now, everyone knows the ferry is back.", "More than 300 people came to the opening."} {
		if labelLineRe.MatchString(strings.ToLower(line)) {
			t.Errorf("%q, a sentence, is taken for a label line", line)
		}
	}
}
