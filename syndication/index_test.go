package syndication

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 7, 9, 30, 0, 0, time.FixedZone("", 8*3600))

// story is a made-up article of five paragraphs, the kind republished from one outlet to others.
var story = []string{
	"记者从市交通运输局获悉，城东新区至临港片区的快速路工程今日正式通车，全长约十八公里，设计时速八十公里。",
	"据介绍，该工程于三年前开工建设，沿线设置互通立交六座、匝道收费站两处，总投资约九十五亿元。",
	"通车后，城东新区到临港片区的车程将由原来的一个小时缩短至二十分钟左右，沿线居民出行将更加便捷。",
	"市交通运输局相关负责人表示，下一步将继续完善沿线公交线路，并在重要节点增设停车换乘设施。",
	"业内人士认为，快速路的建成有助于带动临港片区产业发展，吸引更多企业入驻，促进区域协调发展。",
}

func sign(title string, paras ...string) Signature { return Sign(title, strings.Join(paras, "\n\n")) }

func TestEditedCopiesOfAStoryJoinTheFirstRecordsCluster(t *testing.T) {
	x := New()
	first, _ := x.Assign("A", t0, sign("城东至临港快速路今日通车", story...))
	if first.Joined || first.Cluster != "A" {
		t.Fatalf("the first record: %+v; want a cluster of its own named after it", first)
	}
	reordered := []string{story[0], story[2], story[1], story[3], story[4]}
	for id, sig := range map[string]Signature{
		"changed headline": sign("重磅！城东新区到临港只要二十分钟了", story...),
		"cut paragraph":    sign("城东至临港快速路今日通车", story[:4]...),
		"editor line":      sign("城东至临港快速路今日通车", append(append([]string{}, story...), "（责任编辑：王小明）本文转载自城市晚报")...),
		"reordered":        sign("城东至临港快速路今日通车", reordered...),
	} {
		m, _ := x.Assign(id, t0.Add(2*time.Hour), sig)
		if !m.Joined || m.Cluster != "A" {
			t.Errorf("%s: %+v; want it in A's cluster", id, m)
		}
	}
}

func TestTemplateFlashItemsThatDifferInANumberAreDifferentStories(t *testing.T) {
	x := New()
	x.Assign("40", t0, sign("北向资金净流入超40亿元", "北向资金今日净流入超40亿元，其中沪股通净流入约25亿元。"))
	m, _ := x.Assign("50", t0.Add(time.Hour), sign("北向资金净流入超50亿元", "北向资金今日净流入超50亿元，其中沪股通净流入约25亿元。"))
	if m.Joined {
		t.Errorf("超50亿元 joined 超40亿元's cluster: %+v", m)
	}
	same, _ := x.Assign("40-copy", t0.Add(2*time.Hour), sign("北向资金净流入超40亿元！", "北向资金今日净流入超40亿元，其中沪股通净流入约25亿元。"))
	if !same.Joined || same.Cluster != "40" {
		t.Errorf("a copy of the 40 item: %+v; want it in 40's cluster", same)
	}
}

func TestDailyWrapsOfDifferentDaysAreDifferentStories(t *testing.T) {
	wrap := func(day int, sh, sz float64, turnover int) Signature {
		return sign(fmt.Sprintf("收评：沪指涨%.2f%% 两市成交额%d亿元", sh, turnover),
			fmt.Sprintf("12月%d日，A股三大指数集体上涨，截至收盘，沪指涨%.2f%%，深成指涨%.2f%%，创业板指涨%.2f%%。", day, sh, sz, sz+0.3),
			fmt.Sprintf("两市全天成交额%d亿元，北向资金全天净买入%d亿元。", turnover, turnover/200),
			"板块方面，煤炭、电力、银行板块涨幅居前，旅游、酒店、医美板块跌幅居前。")
	}
	x := New()
	x.Assign("mon", t0, wrap(7, 0.52, 0.81, 9120))
	m, _ := x.Assign("tue", t0.Add(24*time.Hour), wrap(8, 0.31, 0.44, 8790))
	if m.Joined {
		t.Errorf("Tuesday's wrap joined Monday's: %+v", m)
	}
}

func TestAShortItemAndTheLongStoryItGrewIntoAreTwoStories(t *testing.T) {
	x := New()
	x.Assign("flash", t0, sign("城东至临港快速路今日通车", story[0]))
	m, _ := x.Assign("long", t0.Add(3*time.Hour), sign("城东至临港快速路今日通车", story...))
	if m.Joined {
		t.Errorf("the long story joined the flash item's cluster: %+v", m)
	}
}

func TestRecordsFurtherApartThanTheWindowStartAfresh(t *testing.T) {
	x := New(WithWindow(24 * time.Hour))
	x.Assign("A", t0, sign("城东至临港快速路今日通车", story...))
	if m, _ := x.Assign("B", t0.Add(25*time.Hour), sign("城东至临港快速路今日通车", story...)); m.Joined {
		t.Errorf("a copy 25 hours later in a 24-hour window: %+v", m)
	}
}

func TestTheIndexKeepsNoMoreThanItsBound(t *testing.T) {
	x := New(WithMaxEntries(100))
	for i := range 1000 {
		x.Assign(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second), sign(fmt.Sprint("第", i, "条"), fmt.Sprintf("编号%d的消息正文，内容各不相同，第%d条。", i*7919, i)))
	}
	if n := x.Len(); n != 100 {
		t.Errorf("Len = %d after 1000 records with a bound of 100", n)
	}
	live := map[*Entry]bool{}
	for _, e := range x.order[x.head:] {
		live[e] = true
	}
	for _, b := range x.bands {
		for _, l := range b {
			for _, e := range l {
				if !live[e] {
					t.Fatalf("evicted entry %s still in a band list", e.ID)
				}
			}
		}
	}
}

func TestAnEntryComesBackFromItsStoredBytes(t *testing.T) {
	m, e := New().Assign("NW1", t0, sign("城东至临港快速路今日通车", story...))
	back, err := DecodeEntry("NW1", t0, e.Value())
	if err != nil || back.Cluster != m.Cluster || back.Sig.Min != e.Sig.Min || len(back.Sig.Numbers) != len(e.Sig.Numbers) || back.Sig.Shingles != e.Sig.Shingles {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	for _, bad := range [][]byte{nil, {5}, e.Value()[:40], append(e.Value(), 0)} {
		if _, err := DecodeEntry("NW1", t0, bad); err == nil {
			t.Errorf("%d bytes of damage decoded without an error", len(bad))
		}
	}
	// A record seen again (a second run's duplicate) keeps its cluster.
	x := New()
	x.Load(back)
	if m2, _ := x.Assign("NW1", t0, e.Sig); m2.Joined || m2.Cluster != "NW1" {
		t.Errorf("the same id again: %+v", m2)
	}
}

func TestEnglishTextIsShingledByWords(t *testing.T) {
	a := sign("Fed holds rates steady", "The Federal Reserve held interest rates steady on Wednesday, saying inflation had eased but remained above its target, and signalled it could cut later this year if the labour market cooled.")
	b := sign("Fed keeps rates on hold", "The Federal Reserve held interest rates steady on Wednesday, saying inflation had eased but remained above its target, and signalled it could cut later this year if the labour market cooled. Reporting by Jane Doe.")
	x := New()
	x.Assign("a", t0, a)
	if m, _ := x.Assign("b", t0, b); !m.Joined {
		t.Errorf("an English copy with a changed headline and a byline: %+v (similarity %.2f)", m, a.Similarity(b))
	}
}

// FuzzDecodeEntry guards the store's bytes: a damaged or foreign entry is an error, never a
// panic or a signature read past its end (the length prefixes are the store's, not ours).
func FuzzDecodeEntry(f *testing.F) {
	_, e := New().Assign("NW1", t0, sign("城东至临港快速路今日通车", story...))
	f.Add(e.Value())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{3, 'N', 'W', '1', 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		back, err := DecodeEntry("x", t0, b)
		if err == nil {
			if _, err := DecodeEntry("x", t0, back.Value()); err != nil {
				t.Fatalf("an entry decoded from %x does not decode again: %v", b, err)
			}
		}
	})
}
