package emtext

import (
	"reflect"
	"strings"
	"testing"
)

func normalize(t *testing.T, s string) Text {
	t.Helper()
	bt, err := NormalizeHTML(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return bt
}

func TestNormalizerKeepsAWordSplitByAKeytipSpan(t *testing.T) {
	bt := normalize(t, `<p>养老基金(C<span id="Info.338"><a href="http://data.eastmoney.com/x/" class="infokey">PPI</a></span>B)增持</p>`)
	if got := bt.Body(); got != "养老基金(CPPIB)增持" {
		t.Fatalf("body %q", got)
	}
}

func TestNormalizerDropsTheStockChartBlockButKeepsItsStock(t *testing.T) {
	bt := normalize(t, `<p style="display:none;"><br /></p><!-- EM_StockImg_Start --><p><a data-code="601728|1|1" class="EmImageRemark"><img alt="K图 601728_0" data-code="K 601728|1|1"/></a>图下文字</p><!-- EM_StockImg_End --><p>正文</p>`)
	if got := bt.Body(); got != "正文" {
		t.Fatalf("body %q", got)
	}
	if !reflect.DeepEqual(bt.Stocks, []string{"601728.SH"}) {
		t.Fatalf("stocks %v", bt.Stocks)
	}
}

func TestNormalizerReadsTheAttributionSplitBySpans(t *testing.T) {
	bt := normalize(t, `<p>正文。</p><p class="em_media">（文章来源：中国<span id="bk_90.BK0473"><a class="keytip" data-code="90,BK0473">证券</a></span>报）</p>`)
	if bt.Source != "中国证券报" || bt.Body() != "正文。" {
		t.Fatalf("source %q body %q", bt.Source, bt.Body())
	}
	if len(bt.Stocks) != 0 {
		t.Fatalf("a sector board is not a stock: %v", bt.Stocks)
	}
}

func TestNormalizerMapsMarketsLikeTruth(t *testing.T) {
	cases := map[string]string{
		"1,600160": "600160.SH", "0,002752": "002752.SZ", "116,00700": "00700.HK",
		"105,BABA": "BABA.US", "106,PDD": "PDD.US", "107,ABC": "ABC.US", "153,XYZ": "XYZ.US",
		"601728|1|1": "601728.SH", "K 002752|0|2": "002752.SZ",
		"90,BK0473": "", "9,123": "", "601728|1": "", "1,": "", "": "", "a,600160": "",
	}
	for in, want := range cases {
		got, ok := stockFromDataCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("stockFromDataCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestNormalizerListsEachStockOnceInOrderOfAppearance(t *testing.T) {
	bt := normalize(t, `<p><a data-code="0,000001">甲</a><a data-code="1,600000">乙</a><a data-code="000001|0|2">甲</a></p>`)
	if !reflect.DeepEqual(bt.Stocks, []string{"000001.SZ", "600000.SH"}) {
		t.Fatalf("stocks %v", bt.Stocks)
	}
}

func TestNormalizerDropsDisclaimersAdsPlaceholdersAndTheEditorLine(t *testing.T) {
	bt := normalize(t, `<p>　　第一段。</p><p><!--IMG#0--></p><span id="stock_6007171"><!--Link#1--></span>
<p><a href="x">东方财富证券一站式开户交易&gt;&gt;</a></p><p>（责任编辑：DF386）</p>
<div>郑重声明：东方财富发布此内容旨在传播更多信息，与本站立场无关。</div><p><a>风险提示及免责条款</a></p>
<p class="res-edit">（责任编辑：张三）</p><img class="em_handle_adv_close" src="x.png"><script>var a="脚本";</script><style>p{}</style>`)
	if got := bt.Body(); got != "第一段。" {
		t.Fatalf("body %q", got)
	}
	if bt.Editor != "张三" {
		t.Fatalf("editor %q", bt.Editor)
	}
}

func TestNormalizerCollapsesIdeographicAndNoBreakSpaces(t *testing.T) {
	bt := normalize(t, "<p>\u3000\u3000甲\u00a0\u00a0 乙\t\r\n丙\u3000</p>")
	if got := bt.Body(); got != "甲 乙 丙" {
		t.Fatalf("body %q", got)
	}
}

func TestNormalizerDropsZeroWidthSpacesAsTheGenericExtractorDoes(t *testing.T) {
	bt := normalize(t, "<p>公司\u200b公告\ufeff：<span>\u200b</span>净利</p>")
	if got := bt.Body(); got != "公司公告：净利" {
		t.Fatalf("body %q", got)
	}
}

func TestNormalizerEmitsNestedBlocksOnce(t *testing.T) {
	bt := normalize(t, `<div><div><p>同一段</p></div></div><div>前<div>中</div>后</div><ul><li>一</li><li>二<br>三</li></ul>`)
	want := []string{"同一段", "前", "中", "后", "一", "二", "三"}
	if !reflect.DeepEqual(bt.Paragraphs, want) {
		t.Fatalf("paragraphs %q, want %q", bt.Paragraphs, want)
	}
}

func TestNormalizerLineBreaksSplitParagraphsOnlyInRawPostMode(t *testing.T) {
	raw, err := NormalizeHTML("第一行\n第二行", Options{LineBreaks: true})
	if err != nil {
		t.Fatal(err)
	}
	html := normalize(t, "第一行\n第二行")
	if raw.Body() != "第一行\n\n第二行" || html.Body() != "第一行 第二行" {
		t.Fatalf("raw %q html %q", raw.Body(), html.Body())
	}
}

func TestNormalizerKeepsTextAfterAChartBlockThatOpensTheFragment(t *testing.T) {
	// The start marker before any element lands on the document node, the end marker in <body>.
	bt := normalize(t, `<!-- EM_StockImg_Start --><p><a data-code="600519|1|1"><img></a></p><!-- EM_StockImg_End --><p>之后的正文</p>`)
	if bt.Body() != "之后的正文" || !reflect.DeepEqual(bt.Stocks, []string{"600519.SH"}) {
		t.Fatalf("body %q stocks %v", bt.Body(), bt.Stocks)
	}
}

func TestNormalizerIgnoresHiddenElements(t *testing.T) {
	bt := normalize(t, `<p style="DISPLAY: none">隐藏</p><p style="color:red">可见</p>`)
	if bt.Body() != "可见" {
		t.Fatalf("body %q", bt.Body())
	}
	if strings.Contains(bt.Body(), "隐藏") {
		t.Fatal("hidden text leaked")
	}
}

func TestNormalizerDropsTheMachineWrittenDisclaimerAndPromotionLinesButNotAQuoteOfThem(t *testing.T) {
	bt := normalize(t, `<p>　　正文第一段。</p><p>免责声明：本文基于大数据生产，仅供参考，不构成任何投资建议，据此操作风险自担。</p>`+
		`<p>本文基于AI生产，仅供参考。</p><p><a href="https://example.com/">全新妙想投研助理，立即体验</a></p>`+
		`<p>　　有读者问：“本文基于AI生产”这句话是什么意思？</p>`)
	want := "正文第一段。\n\n有读者问：“本文基于AI生产”这句话是什么意思？"
	if got := bt.Body(); got != want {
		t.Fatalf("body %q, want %q", got, want)
	}
}
