package textrule

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestCollapseTurnsEveryRunOfWhiteSpaceIntoOneSpaceAndDropsInvisibleCharacters(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"ASCII runs become one space and the ends are trimmed", "  a \t\r\n b  ", "a b"},
		{"an ideographic space is white space", "\u3000\u3000第一段\u3000正文", "第一段 正文"},
		{"a no-break space is white space", "a\u00a0\u00a0b", "a b"},
		{"a vertical tab and an em space are white space", "a\vb\u2003c", "a b c"},
		{"a zero-width space joins what it stands between", "公司\u200b公告", "公司公告"},
		{"a byte-order mark and a word joiner are dropped too", "\ufeff标题\u2060内容", "标题内容"},
		{"an invisible character between spaces leaves one space", "a \u200b b", "a b"},
		{"nothing but white space is the empty string", " \u3000\u200b ", ""},
	}
	for _, c := range cases {
		if got := Collapse(c.in); got != c.want {
			t.Errorf("%s: Collapse(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestCollapseReadsAsAParagrapherDoesAndCopiesNothingAlreadyCollapsed(t *testing.T) {
	for _, in := range []string{"", "a", "a b", " a", "a ", "a  b", "a\tb", "市场 消息", "市场\u3000消息", "a\u200bb",
		"\xff\xfe b", "a \xff", " ", "第一段 正文。", "x\u00a0y", "ab cd ef"} {
		var p Paragrapher
		p.Text(in)
		if got, want := Collapse(in), string(p.buf); got != want {
			t.Errorf("Collapse(%q) = %q, a Paragrapher reads %q", in, got, want)
		}
	}
	line := strings.Repeat("市场消息称今日股指震荡上行 ", 1000) + "完"
	if n := testing.AllocsPerRun(10, func() { _ = Collapse(line) }); n != 0 {
		t.Errorf("collapsing a line that is collapsed already allocates %v times; it should return it", n)
	}
}

func TestAParagrapherEndsAParagraphOnlyWhereToldOrAtALineFeedWhenAsked(t *testing.T) {
	var got []string
	p := Paragrapher{Emit: func(s string) { got = append(got, s) }}
	p.Text("第一")
	p.Text("段\n还是第一段 ")
	p.Break()
	p.Break() // an empty paragraph is never emitted
	p.Text("甲")
	p.Space()
	p.Text("乙")
	p.Break()
	if want := []string{"第一段 还是第一段", "甲 乙"}; !slices.Equal(got, want) {
		t.Fatalf("HTML text: got %q, want %q", got, want)
	}

	got = nil
	p = Paragrapher{LineBreaks: true, Emit: func(s string) { got = append(got, s) }}
	p.Text("一行\n\n二行\n")
	p.Break()
	if want := []string{"一行", "二行"}; !slices.Equal(got, want) {
		t.Fatalf("line-per-paragraph text: got %q, want %q", got, want)
	}
}

func TestParseDateReadsEveryShapeTheSourcesUse(t *testing.T) {
	cases := map[string]string{
		"2021-12-20 18:24:28 +0800":     "2021-12-20T18:24:28+08:00",
		"2021-12-08 10:46:18":           "2021-12-08T10:46:18+08:00",
		"2021-12-20T18:24:28+08:00":     "2021-12-20T18:24:28+08:00",
		"2021-12-20 10:24:28Z":          "2021-12-20T10:24:28Z",
		"2021-12-20 10:24:28 UTC":       "2021-12-20T10:24:28Z",
		"2021-12-20 18:24":              "2021-12-20T18:24:00+08:00",
		"2021-12-20":                    "2021-12-20T00:00:00+08:00",
		"2021-12-20 18:24:28 -05:00":    "2021-12-20T18:24:28-05:00",
		"2021-12-20 18:24:28 +08":       "2021-12-20T18:24:28+08:00",
		"2021/12/20 18:24":              "2021-12-20T18:24:00+08:00",
		"2021年12月20日 18:24":             "2021-12-20T18:24:00+08:00",
		"2021年12月20日18时24分":             "2021-12-20T18:24:00+08:00",
		" 2021-12-20 18:24:28.5 +0800 ": "2021-12-20T18:24:28.5+08:00",
	}
	for in, want := range cases {
		got, err := ParseDate(in)
		if err != nil || got.Format(time.RFC3339Nano) != want {
			t.Errorf("ParseDate(%q) = %s, %v; want %s", in, got.Format(time.RFC3339Nano), err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2021-13-40 10:00:00", "2021-02-30", "2021-12-20 18:24:28 +8000",
		"2021-12-20 x", "2021-12-20 18", "2021-12-20 18:24:28 +", "发布时间：2021-12-20 18:24"} {
		if _, err := ParseDate(bad); !errors.Is(err, ErrBadDate) {
			t.Errorf("ParseDate(%q) = %v, want ErrBadDate", bad, err)
		}
	}
}

func TestFindDateReadsTheFirstDateInRunningText(t *testing.T) {
	cases := []struct {
		name, in string
		needTime bool
		want     string
	}{
		{"a labelled Chinese stamp", "发布时间：2021年12月20日 18:24 来源：证券时报", false, "2021-12-20T18:24:00+08:00"},
		{"a full offset after the time is its zone", "更新于 2021-12-20T10:24:28Z。", false, "2021-12-20T10:24:28Z"},
		{"a short dash after the time is not a zone", "交易时间 2021-12-20 09:30-5 分钟", false, "2021-12-20T09:30:00+08:00"},
		{"a bare day is skipped when a time is needed", "2021-12-19 列表 2021-12-20 18:24:28", true, "2021-12-20T18:24:28+08:00"},
		{"a year no news was written in is another number", "编号 1234-12-20 12:00", false, ""},
		{"a day that does not exist is no date", "2021-02-30 10:00", false, ""},
	}
	for _, c := range cases {
		got, ok := FindDate(c.in, c.needTime)
		if c.want == "" {
			if ok {
				t.Errorf("%s: FindDate(%q) = %s, want none", c.name, c.in, got)
			}
			continue
		}
		if !ok || got.Format(time.RFC3339) != c.want {
			t.Errorf("%s: FindDate(%q) = %s, %v; want %s", c.name, c.in, got.Format(time.RFC3339), ok, c.want)
		}
	}
}

func TestParseOffsetReadsEveryOffsetSpellingAndRefusesImpossibleOnes(t *testing.T) {
	for in, want := range map[string]int{"Z": 0, "UTC": 0, "+0800": 8 * 3600, "+08:00": 8 * 3600, "+08": 8 * 3600,
		"-5": -5 * 3600, "+05:30": 5*3600 + 30*60} {
		loc, err := ParseOffset(in)
		if err != nil {
			t.Errorf("ParseOffset(%q): %v", in, err)
			continue
		}
		if _, off := time.Date(2021, 1, 1, 0, 0, 0, 0, loc).Zone(); off != want {
			t.Errorf("ParseOffset(%q) = %d s, want %d", in, off, want)
		}
	}
	for _, bad := range []string{"", "+", "+1500", "+08:60", "0800", "+08:0", "+0８00", "+123"} {
		if _, err := ParseOffset(bad); !errors.Is(err, ErrBadDate) {
			t.Errorf("ParseOffset(%q) = %v, want ErrBadDate", bad, err)
		}
	}
}

func TestBlocksEndParagraphsAndCellsOnlySeparateWords(t *testing.T) {
	for _, a := range []atom.Atom{atom.P, atom.Div, atom.Br, atom.Li, atom.H1, atom.Blockquote, atom.Section} {
		if !IsBlock(a) {
			t.Errorf("%s should end a paragraph", a)
		}
	}
	for _, a := range []atom.Atom{atom.Span, atom.A, atom.Em, atom.Strong, atom.Td} {
		if IsBlock(a) {
			t.Errorf("%s is inline", a)
		}
	}
	if !IsCell(atom.Td) || !IsCell(atom.Th) || IsCell(atom.Tr) {
		t.Error("only td and th are cells")
	}
}

func FuzzParseDate(f *testing.F) {
	f.Add("2021-12-20 18:24:28 +0800")
	f.Add("2021-12-08 10:46:18")   // no offset: Beijing time
	f.Add("2021-12-20T18:24:28Z")  // YAML timestamp shape
	f.Add("2021-12-20 18:24:28 +") // sign without digits
	f.Add("2021-12-20 18:24:28 +99:99")
	f.Add("2021-12-2")            // too short
	f.Add("２０２１-12-20 18:24:28")  // multi-byte digits are no date digits
	f.Add("2021年12月20日18时24分05秒") // Chinese units
	f.Add("2021-12-20 18:24:28.123456789 -0530")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrBadDate) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		// What was read must survive being written the way a front matter writes it.
		again, err := ParseDate(got.Format("2006-01-02 15:04:05.999999999 -0700"))
		if err != nil || !again.Equal(got) {
			t.Fatalf("%q read as %v, which does not round-trip: %v %v", s, got, again, err)
		}
		if strings.TrimSpace(s) == "" {
			t.Fatalf("empty input read as %v", got)
		}
	})
}

func TestAtomNamesHandBuiltElementsByTheirTag(t *testing.T) {
	if a := Atom(&html.Node{Type: html.ElementNode, Data: "p"}); a != atom.P {
		t.Errorf("a hand-built <p> is %v", a)
	}
	if a := Atom(&html.Node{Type: html.ElementNode, Data: "x-widget"}); a != 0 {
		t.Errorf("an unknown tag is %v", a)
	}
	if a := Atom(&html.Node{Type: html.TextNode, Data: "p"}); a != 0 {
		t.Errorf("text is no element, got %v", a)
	}
}

func TestAStockIsAKnownMarketAndACodeOfOneWord(t *testing.T) {
	for _, c := range []struct {
		market, code, want string
		ok                 bool
	}{
		{"1", "601728", "601728.SH", true},
		{"0", "000001", "000001.SZ", true},
		{"105", "AAPL", "AAPL.US", true},
		{"116", "00700", "00700.HK", true},
		{"1", "A_1", "A_1.SH", true},
		{"90", "BK0477", "", false}, // a sector board is not a security
		{"42", "600000", "", false}, // an unknown market
		{"1", "6017 28", "", false}, // two words
		{"1", "601-728", "", false}, // punctuation
		{"1", "", "", false},        // no code
		{"1x", "601728", "", false}, // a market that is not a number
	} {
		got, ok := Stock(c.market, c.code)
		if got != c.want || ok != c.ok {
			t.Errorf("Stock(%q, %q) = %q, %v; want %q, %v", c.market, c.code, got, ok, c.want, c.ok)
		}
	}
	if got, ok := StockFromSecID(" 1.600000 "); got != "600000.SH" || !ok {
		t.Errorf("StockFromSecID = %q, %v", got, ok)
	}
	if !IsWord("中文_1") || IsWord("a.b") || IsWord("") {
		t.Error("IsWord: letters (any script), digits and underscore only, and at least one")
	}
}
