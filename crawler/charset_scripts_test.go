package crawler

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// otherScripts are texts in the scripts that detect tells apart besides Chinese, and the
// encodings each is written in.
var otherScripts = map[string][]string{
	"ja": {"日本の株式市場は本日、前日比で大きく上昇しました。投資家はこれを歓迎しています。", "東京証券取引所では、半導体関連の銘柄が買われ、日経平均株価は三万円を回復した。"},
	"ko": {"한국 증시는 오늘 크게 상승했습니다. 투자자들은 이를 환영하고 있습니다.", "코스피 지수는 반도체 관련주의 강세에 힘입어 상승 마감했다."},
	"ru": {"Российский фондовый рынок сегодня значительно вырос. Инвесторы приветствуют это.", "Индекс Мосбиржи завершил торги ростом на фоне подорожания нефти."},
	"fr": {"Le marché boursier français a fortement progressé aujourd'hui. Les investisseurs s'en réjouissent à l'été.", "L'indice CAC 40 a terminé la séance en hausse, porté par les valeurs énergétiques."},
	"de": {"Der deutsche Aktienmarkt ist heute deutlich gestiegen. Anleger begrüßen die Entwicklung für Übermorgen.", "Der DAX schloss mit einem Plus, getragen von den Werten der Automobilbranche und Öl."},
	"el": {"Η ελληνική χρηματιστηριακή αγορά σημείωσε σήμερα σημαντική άνοδο.", "Ο γενικός δείκτης έκλεισε με κέρδη, με τις τράπεζες να οδηγούν την άνοδο."},
}

var otherScriptEncodings = map[string][]string{
	"ja": {"shift_jis", "euc-jp"}, "ko": {"euc-kr"}, "ru": {"windows-1251", "koi8-r"}, "fr": {"windows-1252"}, "de": {"iso-8859-1"}, "el": {"windows-1253"},
}

// Without a declaration, each text, one sentence or ten, is read in its own encoding (chardet,
// which detect used for these before, read EUC-JP and some EUC-KR texts as Chinese: 26/32).
func TestDetectionOfOtherScripts(t *testing.T) {
	for lang, texts := range otherScripts {
		for _, encName := range otherScriptEncodings[lang] {
			enc, _ := htmlindex.Get(encName)
			for _, s := range texts {
				for _, txt := range []string{s, strings.Repeat(s+" ", 10)} {
					page := "<html><head><title>x</title></head><body><p>" + txt + "</p></body></html>"
					b, _, err := transform.Bytes(enc.NewEncoder(), []byte(page))
					if err != nil {
						t.Fatal(err)
					}
					if out, cs, _ := Decode("text/html", b); string(out) != page {
						t.Errorf("%s in %s (%d bytes) read as %s", lang, encName, len(b), cs)
					}
				}
			}
		}
	}
}
