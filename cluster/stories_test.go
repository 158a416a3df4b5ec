package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/syndication"
	"github.com/newsmill/newsmill/testkit/natstest"
)

func TestWorkersShareOneIndexOfStoriesInAKVBucket(t *testing.T) {
	srv := natstest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	open := func() *Cluster {
		c, err := Connect(ctx, Options{URLs: []string{srv.URL()}, Prefix: "t", StoryWindow: time.Hour}, zap.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	one, two := open(), open() // two workers' connections
	judge := syndication.New(syndication.WithWindow(time.Hour))
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	body := "记者从市交通运输局获悉，城东新区至临港片区的快速路工程今日正式通车，全长约18公里，设计时速80公里。\n\n据介绍，该工程于三年前开工建设，总投资约95亿元。"
	m, err := one.AssignStory(ctx, judge, "NW1", at, syndication.Sign("城东至临港快速路今日通车", body))
	if err != nil || m.Joined || m.Cluster != "NW1" {
		t.Fatalf("first record: %+v, %v", m, err)
	}
	m, err = two.AssignStory(ctx, judge, "URLcopy", at.Add(time.Hour/2), syndication.Sign("重磅！城东到临港只要20分钟", body+"\n\n（责任编辑：王小明）"))
	if err != nil || !m.Joined || m.Cluster != "NW1" || m.Of != "NW1" {
		t.Errorf("a copy through another worker: %+v, %v", m, err)
	}
	other := strings.ReplaceAll(body, "95", "120")
	if m, err = two.AssignStory(ctx, judge, "NW2", at, syndication.Sign("另一条", other)); err != nil || m.Joined {
		t.Errorf("another figure, another story: %+v, %v", m, err)
	}
	// A redelivered URL assigns its record again: the cluster it was given stands.
	if m, err = one.AssignStory(ctx, judge, "URLcopy", at, syndication.Sign("x", "完全不同的一段文字，不会与任何记录相似。")); err != nil || m.Cluster != "NW1" {
		t.Errorf("the copy again: %+v, %v", m, err)
	}
	// Many copies: a band key keeps its newest ids only.
	for i := range maxStoryIDs + 8 {
		if _, err := one.AssignStory(ctx, judge, fmt.Sprint("NWx", i), at, syndication.Sign("", body)); err != nil {
			t.Fatal(err)
		}
	}
	k := syndication.BandKeys(syndication.Sign("", body))[0]
	ent, err := one.storiesKV().Get(ctx, storyBandKey(k))
	if err != nil || len(strings.Split(string(ent.Value()), "\n")) != maxStoryIDs {
		t.Errorf("band key holds %q, %v; want %d ids", ent.Value(), err, maxStoryIDs)
	}
}

func TestWithoutAStoryWindowRecordsStartTheirOwnCluster(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	m, err := c.AssignStory(context.Background(), syndication.New(), "NW1", time.Now(), syndication.Sign("t", "正文正文正文正文正文正文正文正文"))
	if err != nil || m.Cluster != "NW1" || m.Joined {
		t.Errorf("%+v, %v", m, err)
	}
}
