package textrule

import (
	"strings"
	"unicode"
)

// markets maps Eastmoney's market numbers to exchange suffixes; 90 (sector boards) is absent on
// purpose: a board is not a security.
var markets = map[string]string{
	"0": "SZ", "1": "SH", "116": "HK", "105": "US", "106": "US", "107": "US", "153": "US",
}

// Stock is the record's form of a security: code and exchange suffix ("601728.SH"), from
// Eastmoney's market number and code; a Beijing code under market 0 is .BJ, as the text reader
// writes it, so one share has one form. ok is false for sector boards, unknown markets and codes
// that are not one word.
func Stock(market, code string) (string, bool) {
	if !IsDigits(market) || !IsWord(code) {
		return "", false
	}
	m, ok := markets[market]
	if !ok {
		return "", false
	}
	if ex, ok := ExchangeOf(code); ok && ex == "BJ" && market == "0" {
		m = ex // Eastmoney files Beijing shares under Shenzhen's market number
	}
	return code + "." + m, true
}

// StockFromSecID reads Eastmoney's `market.code` security ids ("1.600000", as the 7×24 list's
// stockList and quote links give them).
func StockFromSecID(v string) (string, bool) {
	mk, code, ok := strings.Cut(strings.TrimSpace(v), ".")
	if !ok {
		return "", false
	}
	return Stock(mk, code)
}

// IsWord reports whether s is one word, as a security code is: letters, digits and underscore,
// Unicode included, and nothing else.
func IsWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
