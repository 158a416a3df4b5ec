package textrule

import (
	"reflect"
	"regexp"
	"testing"
)

func TestTextStocksReadsTheCodesSitesWriteAndNoOtherNumber(t *testing.T) {
	for _, c := range []struct {
		kind, text string
		want       []string
	}{
		// Codes in brackets after a name.
		{"shanghai in brackets", "贵州茅台(600519)午后拉升", []string{"600519.SH"}},
		{"shenzhen in full-width brackets", "新希望（000876）公告", []string{"000876.SZ"}},
		{"chinext", "宁德时代(300750)涨停", []string{"300750.SZ"}},
		{"star market", "中芯国际(688981)发布公告", []string{"688981.SH"}},
		{"shanghai b share", "某B股(900901)成交", []string{"900901.SH"}},
		{"shenzhen b share", "某B股(200002)成交", []string{"200002.SZ"}},
		{"beijing 83x", "贝特瑞(835185)披露", []string{"835185.BJ"}},
		{"beijing 43x", "某公司(430047)披露", []string{"430047.BJ"}},
		{"beijing 920", "某公司(920001)上市", []string{"920001.BJ"}},
		{"hong kong five digits in brackets", "腾讯控股(00700)收涨", []string{"00700.HK"}},
		{"latin name before a bracket", "ST康美(600518)复牌", []string{"600518.SH"}},
		// Codes with the exchange written beside them.
		{"suffix", "600519.SH收于1800元", []string{"600519.SH"}},
		{"yahoo shanghai suffix", "600519.SS", []string{"600519.SH"}},
		{"beijing suffix", "830799.BJ", []string{"830799.BJ"}},
		{"prefix", "SZ000001平安银行", []string{"000001.SZ"}},
		{"lower-case prefix", "行情sh600000", []string{"600000.SH"}},
		{"hong kong suffix", "海伦司(09869.HK)续升", []string{"09869.HK"}},
		{"hong kong four digits padded", "渣打集团(2888.HK)增持", []string{"02888.HK"}},
		{"hong kong prefix", "HK00700", []string{"00700.HK"}},
		{"us suffix", "阿里巴巴(BABA.US)", []string{"BABA.US"}},
		{"reuters nasdaq suffix", "苹果(AAPL.O)", []string{"AAPL.US"}},
		{"us exchange label", "特斯拉（NASDAQ：TSLA）", []string{"TSLA.US"}},
		{"code label", "股票代码：600036", []string{"600036.SH"}},
		{"order of appearance, once each", "新希望（000876）与贵州茅台(600519)，新希望（000876）",
			[]string{"000876.SZ", "600519.SH"}},
		// Numbers that are not codes.
		{"bare six digits", "成交600519手", nil},
		{"phone number", "咨询电话：021-60000000，或13800138000", nil},
		{"phone area code in brackets", "电话(0755)83001234", nil},
		{"date", "2021年12月08日，20211208", nil},
		{"yymmdd in brackets", "公告(211208)", nil},
		{"year in brackets", "报告(2021)", nil},
		{"price", "报6.3565，目标价600.51元", nil},
		{"price glued to a suffix-like word", "600519.SH5", nil},
		{"amount in brackets after a digit", "合计12(600000)", nil},
		{"bracket at the start", "(600519)", nil},
		{"five digits not led by zero", "人数(12345)", nil},
		{"fund code", "沪深300ETF(510300)", nil},
		{"wrong exchange", "600519.SZ", nil},
		{"code inside a longer number", "1600519.SH", nil},
		{"prefix glued to a word", "CASH600519", nil},
		{"id in a url", "详见 https://quote.eastmoney.com/sh600519.html 与 www.example.com/a/(600519)", nil},
		{"abbreviation that looks like a ticker", "U.N.表示", nil},
		{"acronym in brackets", "国内生产总值(GDP)", nil},
	} {
		if got := TextStocks(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: TextStocks(%q) = %q; want %q", c.kind, c.text, got, c.want)
		}
	}
}

func TestTextStocksReadsTitleBeforeBody(t *testing.T) {
	got := TextStocks("金斯瑞生物科技(01548.HK)午后涨幅扩大", "", "另据报道，腾讯控股(00700)亦走强。金斯瑞生物科技(01548.HK)")
	want := []string{"01548.HK", "00700.HK"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMergeStocksKeepsTheMarkupsCodesFirst(t *testing.T) {
	got := MergeStocks([]string{"002752.SZ"}, []string{"600519.SH", "002752.SZ"})
	if want := []string{"002752.SZ", "600519.SH"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := MergeStocks(nil, nil); got != nil {
		t.Errorf("nothing merged into nothing = %q; want nil (the field stays absent)", got)
	}
}

func TestExchangeOfSplitsTheMainlandCodeSpace(t *testing.T) {
	for code, want := range map[string]string{"600000": "SH", "601398": "SH", "603288": "SH", "605499": "SH",
		"688001": "SH", "900901": "SH", "000001": "SZ", "001979": "SZ", "002594": "SZ", "003816": "SZ",
		"300750": "SZ", "301029": "SZ", "200002": "SZ", "430047": "BJ", "835185": "BJ", "872925": "BJ",
		"889999": "BJ", "920001": "BJ", "510300": "", "159915": "", "113050": "", "730001": "", "211208": "",
		"60051": "", "6005190": ""} {
		if got, ok := ExchangeOf(code); got != want || ok != (want != "") {
			t.Errorf("ExchangeOf(%s) = %q, %v; want %q", code, got, ok, want)
		}
	}
}

var recordForm = regexp.MustCompile(`^([0-9]{6}\.(SH|SZ|BJ)|[0-9]{5}\.HK|[A-Z]{1,5}\.US)$`)

// FuzzTextStocks guards the index arithmetic of the edge checks (a match at the very start or end
// of a text, a full-width bracket's multi-byte runes before a code) and the record form of what
// comes out.
func FuzzTextStocks(f *testing.F) {
	for _, s := range []string{"(600519)", "贵州茅台(600519", "（000876）", "600519.SH", ".HK", "9.HK", "0.HK", "U.N.", "BABA.US.",
		"https://x/sh600519", "代码：", "新希望（０００８７６）", "\xff(600519)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := TextStocks(s)
		seen := map[string]bool{}
		for _, st := range got {
			if !recordForm.MatchString(st) || seen[st] {
				t.Fatalf("TextStocks(%q) = %q: %q is not one record-form code", s, got, st)
			}
			seen[st] = true
		}
	})
}
