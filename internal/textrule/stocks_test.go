package textrule

import "testing"

func TestStockFromSecIDReadsMarketDotCode(t *testing.T) {
	for in, want := range map[string]string{"1.600000": "600000.SH", "0.300750": "300750.SZ", "0.830799": "830799.BJ", "116.00700": "00700.HK",
		"105.BABA": "BABA.US", "90.BK0478": "", "600000": "", "1.": "", "x.600000": "", "9.123": ""} {
		if got, ok := StockFromSecID(in); got != want || ok != (want != "") {
			t.Errorf("StockFromSecID(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
