package textrule

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The text forms of a security code, as Chinese finance sites write them. A number alone is never
// a code: six digits are read only in brackets right after a name (`贵州茅台(600519)`), after a
// `代码：` label, or with an exchange written beside them (`600519.SH`, `SZ000001`); five digits
// only in brackets and starting with 0 (`腾讯控股(00700)`) or with `.HK`; US tickers only with
// `.US`/`.O`/`.N` or an exchange label (`NASDAQ: AAPL`). What stays out: phone numbers, dates,
// prices, amounts and ids in URLs, which are numbers without those marks (URLs are blanked first).
var (
	// 600519.SH, 600519.SS (Yahoo's Shanghai), 000001.SZ, 830799.BJ
	reSuffixed = regexp.MustCompile(`(?i)([0-9]{6})\.(SH|SS|SZ|BJ)`)
	// SH600519, sz000001, BJ.830799
	rePrefixed = regexp.MustCompile(`(?i)(SH|SZ|BJ)\.?([0-9]{6})`)
	// 00700.HK, 0700.HK, 9869.HK; HK00700, HK.00700
	reHK       = regexp.MustCompile(`(?i)([0-9]{1,5})\.HK`)
	reHKPrefix = regexp.MustCompile(`(?i)HK\.?([0-9]{5})`)
	// BABA.US, AAPL.O, TSLA.OQ, BRK.B.N is left alone (one ticker word only)
	reUS = regexp.MustCompile(`([A-Z]{1,5})\.(US|OQ|O|N)`)
	// NASDAQ: AAPL, 纽交所：BABA
	reUSLabel = regexp.MustCompile(`(?i)(?:NASDAQ|NYSE|纳斯达克|纽交所)\s*[:：]\s*([A-Z]{1,5})`)
	// (600519), （000876）, (00700): bracketed digits, the name before them checked in code
	reBracket = regexp.MustCompile(`[(（]\s*([0-9]{5,6})\s*[)）]`)
	// 股票代码：600519, 证券代码 000876
	reLabel = regexp.MustCompile(`(?:股票|证券|A股|公司)?代码\s*[:：]?\s*([0-9]{6})`)
	// Addresses carry numbers that are ids, never codes (`/a/600519.html`, `?code=sh600519`).
	reURL = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s，。；）)】」]*`)
)

// ExchangeOf is the exchange suffix of a mainland six-digit code, from its leading digits:
// Shanghai 60x/688/689 shares and 900 B shares (SH); Shenzhen 000–003, 300/301 and 200 B shares
// (SZ); Beijing 43x, 83x, 87x, 88x and the 920 codes it gives new listings (BJ). Other six-digit
// numbers (funds, bonds, subscription codes, dates like 211208) are not shares: ok is false.
func ExchangeOf(code string) (string, bool) {
	if len(code) != 6 || !IsDigits(code) {
		return "", false
	}
	switch p := code[:3]; {
	case p == "600" || p == "601" || p == "603" || p == "605" || p == "688" || p == "689" || p == "900":
		return "SH", true
	case p == "000" || p == "001" || p == "002" || p == "003" || p == "300" || p == "301" || p == "200":
		return "SZ", true
	case p == "920" || p[:2] == "43" || p[:2] == "83" || p[:2] == "87" || p[:2] == "88":
		return "BJ", true
	}
	return "", false
}

// mainland is a six-digit code with its exchange, or false when the code is not a share's.
func mainland(code string) (string, bool) {
	ex, ok := ExchangeOf(code)
	if !ok {
		return "", false
	}
	return code + "." + ex, true
}

// hk pads a Hong Kong code to Eastmoney's five digits (9869 → 09869.HK).
func hk(code string) (string, bool) {
	if code == "" || len(code) > 5 || strings.Trim(code, "0") == "" {
		return "", false
	}
	return strings.Repeat("0", 5-len(code)) + code + ".HK", true
}

// TextStocks reads the securities written in the texts (title, summary, body, in that order) as
// the record writes them ("600519.SH", "00700.HK", "BABA.US"), de-duplicated, in order of
// appearance. See the variables above for what counts as a code.
func TextStocks(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		if t == "" {
			continue
		}
		if containsFold(t, "http") || containsFold(t, "www.") {
			t = reURL.ReplaceAllStringFunc(t, func(u string) string { return strings.Repeat(" ", len(u)) })
		}
		for _, f := range findStocks(t) {
			if !seen[f.stock] {
				seen[f.stock] = true
				out = append(out, f.stock)
			}
		}
	}
	return out
}

// MergeStocks appends to have the stocks it lacks, keeping have's order first (the markup's
// codes are read before the text's).
func MergeStocks(have []string, more []string) []string {
	if len(more) == 0 {
		return have
	}
	seen := make(map[string]bool, len(have))
	for _, s := range have {
		seen[s] = true
	}
	out := have
	for _, s := range more {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

type found struct {
	at    int
	stock string
}

// findStocks runs every form over t and orders what they found by position; a span claimed by one
// form (the 600519 in 600519.SH) is not read again by another.
func findStocks(t string) []found {
	var hits []found
	var taken [][2]int
	claim := func(s, e int, stock string) {
		for _, r := range taken {
			if s < r[1] && r[0] < e {
				return
			}
		}
		taken = append(taken, [2]int{s, e})
		hits = append(hits, found{s, stock})
	}
	need := formsNeeded(t)
	each := func(re *regexp.Regexp, read func(t string, m []int) (string, bool)) {
		if !need[re] {
			return
		}
		bracket := re == reBracket // brackets are their own edges; the name before one may be Latin
		for _, m := range re.FindAllStringSubmatchIndex(t, -1) {
			if !bracket && !asciiEdge(t, m[0], m[1]) {
				continue
			}
			if s, ok := read(t, m); ok {
				claim(m[0], m[1], s)
			}
		}
	}
	each(reSuffixed, readSuffixed)
	each(rePrefixed, readPrefixed)
	each(reHK, func(t string, m []int) (string, bool) { return hk(t[m[2]:m[3]]) })
	each(reHKPrefix, func(t string, m []int) (string, bool) { return hk(t[m[2]:m[3]]) })
	each(reUS, readUS)
	each(reUSLabel, func(t string, m []int) (string, bool) { return t[m[2]:m[3]] + ".US", true })
	each(reLabel, func(t string, m []int) (string, bool) { return mainland(t[m[2]:m[3]]) })
	each(reBracket, readBracket)
	// Positions order the result as the text reads; the forms ran one after another.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].at < hits[j-1].at; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	return hits
}

// The readers of findStocks' forms: the security a match m of t names, if it names one.

func readSuffixed(t string, m []int) (string, bool) {
	code, ex := t[m[2]:m[3]], strings.ToUpper(t[m[4]:m[5]])
	if ex == "SS" {
		ex = "SH"
	}
	if want, ok := ExchangeOf(code); !ok || want != ex {
		return "", false // 600519.SZ names no share: a typo or not a code at all
	}
	return code + "." + ex, true
}

func readPrefixed(t string, m []int) (string, bool) {
	code, ex := t[m[4]:m[5]], strings.ToUpper(t[m[2]:m[3]])
	if want, ok := ExchangeOf(code); !ok || want != ex {
		return "", false
	}
	return code + "." + ex, true
}

func readUS(t string, m []int) (string, bool) {
	if t[m[4]:m[5]] != "US" && m[1] < len(t) && t[m[1]] == '.' {
		return "", false // U.N. is an abbreviation, not the ticker U on the NYSE
	}
	return t[m[2]:m[3]] + ".US", true
}

// readBracket reads `贵州茅台(600519)`: the bracket must follow a name, not `共(600000)`-style
// amounts after a digit or a bracket opening a line.
func readBracket(t string, m []int) (string, bool) {
	r, _ := utf8.DecodeLastRuneInString(t[:m[0]])
	if m[0] == 0 || !unicode.IsLetter(r) {
		return "", false
	}
	code := t[m[2]:m[3]]
	if len(code) == 5 {
		if code[0] != '0' {
			return "", false // five digits not led by 0 are more often a count than a code
		}
		return hk(code)
	}
	return mainland(code)
}

// asciiEdge reports whether the match stands as a word of its own on the ASCII side: no letter,
// digit or dot-digit glued to either end (the 600519 inside 1600519, SH inside CASH600519, a price
// 600519.SH5 is not a thing, 2021.12 is not a code).
func asciiEdge(t string, s, e int) bool {
	if s > 0 {
		c := t[s-1]
		if isAlnum(c) || (c == '.' && s > 1 && isAlnum(t[s-2])) {
			return false
		}
	}
	if e < len(t) {
		c := t[e]
		if isAlnum(c) || (c == '.' && e+1 < len(t) && isAlnum(t[e+1])) {
			return false
		}
	}
	return true
}

// formsNeeded says which forms' expressions t needs run: each form needs a mark a cheap scan
// finds (five digits in a row, ".HK", an exchange's name), and a body without it is not run
// through that form's expression, which on a long English page cost more than reading its date.
func formsNeeded(t string) map[*regexp.Regexp]bool {
	digits := hasDigitRun(t, 5)
	return map[*regexp.Regexp]bool{
		reSuffixed: digits, rePrefixed: digits, reHKPrefix: digits, reLabel: digits, reBracket: digits,
		reHK:      containsFold(t, ".hk"),
		reUS:      strings.Contains(t, ".US") || strings.Contains(t, ".O") || strings.Contains(t, ".N"),
		reUSLabel: containsFold(t, "nasdaq") || containsFold(t, "nyse") || strings.Contains(t, "纳斯达克") || strings.Contains(t, "纽交所"),
	}
}

// hasDigitRun reports n ASCII digits in a row in t.
func hasDigitRun(t string, n int) bool {
	run := 0
	for i := 0; i < len(t); i++ {
		if t[i] >= '0' && t[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// containsFold reports whether t holds the lower-case ASCII word w in any case.
func containsFold(t, w string) bool {
	for i := 0; i+len(w) <= len(t); i++ {
		j := 0
		for j < len(w) && t[i+j]|0x20 == w[j]|0x20 && (w[j] < 'a' || w[j] > 'z' || t[i+j]|0x20 >= 'a' && t[i+j]|0x20 <= 'z') {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
