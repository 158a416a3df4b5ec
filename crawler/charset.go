package crawler

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// metaScanLimit is how far into the document Decode looks for a <meta> or XML declaration.
// WHATWG's prescan stops at 1024 bytes, but Chinese portals routinely put kilobytes of scripts
// and comments before their <meta charset>, so we look further.
const metaScanLimit = 8192

var (
	// Both <meta charset="gbk"> and <meta http-equiv="Content-Type" content="text/html;
	// charset=gbk"> put "charset=" inside a meta tag.
	metaCharsetRe = regexp.MustCompile(`(?is)<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.+-]+)`)
	xmlEncodingRe = regexp.MustCompile(`(?is)^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([a-z0-9_:.+-]+)["']`)
)

// Decode turns a response body into UTF-8 and names the charset it was read in.
//
// The order of evidence is: a byte-order mark; bytes that are UTF-8 but for a few stray bytes
// and contain multi-byte sequences (no realistic GBK, Big5 or Latin-1 text is mostly valid UTF-8
// by accident, so this also makes decoding an already decoded body harmless); the Content-Type
// charset; a <meta> or <?xml encoding?> declaration; then detection. A UTF-8 label is believed
// unless most of the bytes it covers are not UTF-8: a page corrupted in a few places keeps its
// charset and gets U+FFFD there, while a GBK page mislabelled UTF-8 is detected. GB2312 and GBK
// labels are read as GB18030, their superset, so four-byte characters in a "GBK" page survive.
//
// Binary bodies give ErrBinary; the odd NUL byte in a text page is dropped.
func Decode(contentType string, body []byte) ([]byte, string, error) {
	mediaType, params, _ := mime.ParseMediaType(contentType)
	headerLabel := params["charset"]
	if mediaType == "" && contentType != "" {
		// mime rejects some sloppy headers ("text/html; charset=gbk;;"); salvage the label.
		headerLabel = labelIn(contentType)
	}

	if enc, name, n := bomEncoding(body); enc != nil {
		out, err := decodeWith(enc, body[n:])
		return out, name, err
	}
	if (isBinaryType(mediaType) && !(mediaType == "application/octet-stream" && looksLikeData(body))) || looksBinary(body) {
		return nil, "", fmt.Errorf("%w (%s) served as %s", ErrBinary, http.DetectContentType(body), orUnknown(mediaType))
	}
	body = withoutNUL(body)
	valid, invalid := utf8Counts(body)
	if valid > 0 && invalid == 0 {
		// Already UTF-8, as most pages are: the body is the text. A copy through the decoder
		// would be one more page-sized buffer (two while it grows) for every page in flight.
		return body, "utf-8", nil
	}
	if valid > 0 && invalid*strayRatio <= valid {
		out, err := decodeWith(unicode.UTF8, body)
		return out, "utf-8", err
	}

	for _, label := range []string{headerLabel, declaredLabel(body)} {
		enc, name := lookup(label)
		if enc == nil {
			continue
		}
		if name == "utf-8" {
			if invalid == 0 {
				return body, name, nil // ASCII, or UTF-8 as labelled: no copy (above)
			}
			if invalid <= valid {
				out, err := decodeWith(enc, body)
				return out, name, err
			}
			continue // mostly not UTF-8: the label is wrong, look further
		}
		out, err := decodeWith(enc, body)
		return out, name, err
	}
	if invalid == 0 {
		return body, "utf-8", nil
	}
	enc, name := detect(body)
	out, err := decodeWith(enc, body)
	return out, name, err
}

// strayRatio is how many valid multi-byte sequences a page needs per invalid byte to be taken
// for UTF-8 against a legacy label or none: a 28 KB Chinese page has thousands, so a few
// corrupted bytes do not tip it, and legacy-encoded Chinese text forms a valid UTF-8 sequence
// by chance far less often than once per invalid byte.
const strayRatio = 20

// utf8Counts counts the valid multi-byte UTF-8 sequences of b and the bytes that are not UTF-8.
func utf8Counts(b []byte) (valid, invalid int) {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			valid++
		}
		i += n
	}
	return valid, invalid
}

func withoutNUL(b []byte) []byte {
	if bytes.IndexByte(b, 0) < 0 {
		return b
	}
	return bytes.ReplaceAll(b, []byte{0}, nil)
}

func orUnknown(s string) string {
	if s == "" {
		return "untyped"
	}
	return s
}

func labelIn(contentType string) string {
	// ASCII-only lowering keeps byte offsets valid; strings.ToLower may not (invalid UTF-8).
	lower := []byte(contentType)
	for j, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[j] = c + 'a' - 'A'
		}
	}
	i := bytes.Index(lower, []byte("charset="))
	if i < 0 {
		return ""
	}
	v := strings.Trim(contentType[i+len("charset="):], ` "';`)
	if j := strings.IndexAny(v, ` "';,`); j >= 0 {
		v = v[:j]
	}
	return v
}

func declaredLabel(body []byte) string {
	head := body[:min(len(body), metaScanLimit)]
	if m := xmlEncodingRe.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	if m := metaCharsetRe.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	return ""
}

// lookup resolves a label the way browsers do (WHATWG names and aliases), widening GBK and
// GB2312 to GB18030.
func lookup(label string) (encoding.Encoding, string) {
	label = strings.TrimSpace(label)
	if label == "" {
		return nil, ""
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, ""
	}
	if enc == simplifiedchinese.GBK || enc == simplifiedchinese.HZGB2312 && !strings.Contains(strings.ToLower(label), "hz") {
		return simplifiedchinese.GB18030, "gb18030"
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		return nil, ""
	}
	if name == "utf-16le" || name == "utf-16be" {
		// A UTF-16 label without a BOM is almost always a copy-pasted meta in an ASCII-compatible
		// page (WHATWG: treat as UTF-8); real UTF-16 documents carry a BOM, handled earlier.
		return unicode.UTF8, "utf-8"
	}
	return enc, name
}

func bomEncoding(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	}
	return nil, "", 0
}

func decodeWith(enc encoding.Encoding, b []byte) ([]byte, error) {
	out, _, err := transform.Bytes(enc.NewDecoder(), b)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if !utf8.Valid(out) {
		// The x/text decoders replace bad input with U+FFFD; this guards the promise anyway.
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, nil
}

func hasMultibyte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func isBinaryType(mediaType string) bool {
	for _, p := range []string{"image/", "audio/", "video/", "font/"} {
		if strings.HasPrefix(mediaType, p) {
			return true
		}
	}
	switch mediaType {
	case "application/pdf", "application/zip", "application/gzip", "application/x-gzip",
		"application/octet-stream", "application/x-protobuf":
		return true
	}
	return false
}

// dataStartRe matches the start of JSON, JSONP (`cb(`, `var x =`) or XML.
var dataStartRe = regexp.MustCompile(`^\s*(?:[{\[<]|var\s+[\w$]+\s*=|[\w$.]+\s*\()`)

// looksLikeData reports bytes that begin like JSON, JSONP or XML: news lists and feeds are served
// as application/octet-stream often enough that the label alone must not refuse them.
func looksLikeData(b []byte) bool {
	return dataStartRe.Match(b[:min(len(b), 256)])
}

var binaryMagic = [][]byte{
	[]byte("\x89PNG\r\n\x1a\n"), []byte("GIF87a"), []byte("GIF89a"), {0xFF, 0xD8, 0xFF},
	[]byte("%PDF-"), []byte("PK\x03\x04"), {0x1F, 0x8B}, []byte("RIFF"), []byte("\x00\x00\x01\x00"),
}

// looksBinary is true for files whose signature is a known binary format, or whose first
// kilobytes are more than binaryNULShare NUL bytes, which no text encoding we read produces
// (UTF-16 is only accepted with a BOM). A stray NUL or two is a corrupted text page, not binary.
func looksBinary(b []byte) bool {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	head := b[:min(len(b), 8192)]
	return bytes.Count(head, []byte{0})*binaryNULShare > len(head)
}

// binaryNULShare: more than one NUL byte in this many is binary. Executables, images without a
// known signature and UTF-16 text are far above it; a text page with a few NULs far below.
const binaryNULShare = 100

// detect guesses the charset of bytes that are not UTF-8 and carry no usable label.
//
// Each candidate decodes a sample and is scored by the characters it yields (see cjkScore):
// the common Chinese characters tell GB18030 from Big5, where an n-gram detector (chardet) read
// most short Chinese texts as Japanese, Russian or Latin; kana, common Hangul and the frequent
// letters of Russian, Greek and accented Latin tell the rest, where it read EUC-JP and EUC-KR as
// Chinese. Nothing scoring: windows-1252, which maps every byte, as browsers do.
func detect(b []byte) (encoding.Encoding, string) {
	sample := b[:min(len(b), detectSample)]
	// Double-byte encodings first: Chinese bytes read one by one also give plausible Cyrillic
	// or Greek letters, while Cyrillic, Greek or Latin text read two bytes at a time hits
	// spaces and punctuation in the middle of characters and scores nothing.
	for _, group := range [][]string{detectDoubleByte, detectSingleByte} {
		var best encoding.Encoding
		bestName, bestScore := "", 0
		for _, label := range group {
			enc, name := lookup(label)
			if sc := cjkScore(enc, name, sample); sc > bestScore {
				best, bestName, bestScore = enc, name, sc
			}
		}
		if best != nil {
			return best, bestName
		}
	}
	return lookup("windows-1252")
}

// detectSample bounds the bytes each candidate decodes: a page's first 64 KiB say its charset
// as well as all of it.
const detectSample = 64 << 10

// The candidates of detect in order of preference on a tie: GB18030 first, the far more common
// encoding of Chinese pages on the mainland web.
var (
	detectDoubleByte = []string{"gb18030", "big5", "shift_jis", "euc-jp", "euc-kr"}
	detectSingleByte = []string{"windows-1251", "koi8-r", "windows-1253", "windows-1252"}
)

// commonHan holds the most frequent Chinese characters in both simplified and traditional form.
// Big5 bytes read as GB18030 (and the reverse) are mostly valid but decode to rare characters, so
// the decoding that produces more common characters is the right one.
const commonHan = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收钱党未持取设始版双历越史商千片容研像找友站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴" +
	"這來個國說們為會著過學對裡後麼發當無開見經頭從動兩長樣現將與進實點種聲話兒問機給幾業間電門東聽氣關並內卻軍產萬體別處總場師書員華報馬張難數車應親務記邊風戰許覺題統請愛讓認論義術結條變聯權該領傳紅決達辦區轉眾輕語滿寫識極黃錢黨設雙歷廣議際則單據導網專誰讀飛觀爭組視濟離雖壞興貨運價格數據"

// commonOther are the most frequent letters of the other scripts detect tells apart: Hangul
// syllables, lower-case Russian and Greek (KOI8-R and windows-1251 swap the cases of one
// another's letters, and text is mostly lower case), accented Latin.
const commonOther = "이다는의에하고가을를한서지기로도사으해리자수들게일시대어적정있나인보상국년조주전것부라아만제위장과여구원소미성스유면동문회내터음우신생경연니화없비오개분그무마공실관세계발중말같러안식요되와산선었할입모민저물방체까심용통행합업했습증투환영" +
	"оеаинтсрвлкмдпуяыьгзбч" + "αοιετσνηυρκμπλάέίόήύώς" + "àâäçéèêëîïôöùûüÿßñáíóúãõåæøœÀÂÄÇÉÈÊÎÔÖÙÛÜÁÍÓÚÑ"

// commonCharSet holds commonHan and commonOther.
var commonCharSet = func() map[rune]bool {
	m := make(map[rune]bool)
	for _, r := range commonHan + commonOther {
		m[r] = true
	}
	return m
}()

// cjkScore decodes b with enc (named name) and scores the result: +1 per telling character, -4
// per byte sequence the encoding rejects. Telling are kana, read as a Japanese encoding (GB2312 has kana too, but Chinese text never uses them),
// commonHan (Big5 bytes read as GB18030, and the reverse, are mostly valid but decode to rare
// characters, so the decoding that produces more common characters is the right one) and
// commonOther. Modern Korean is written in Hangul alone, so a Han character read as EUC-KR
// counts against it. A Cyrillic or Greek letter tells only away from Latin letters, an accented
// Latin letter only beside one: a Russian word read as windows-1252 is a run of accented
// letters, a French "é" read as windows-1253 a Greek letter inside a Latin word.
func cjkScore(enc encoding.Encoding, name string, b []byte) int {
	out, _, err := transform.Bytes(enc.NewDecoder(), b)
	if err != nil {
		return -1 << 30
	}
	rs := []rune(string(out))
	besideLatin := func(i int) bool {
		return i > 0 && isASCIILetter(rs[i-1]) || i+1 < len(rs) && isASCIILetter(rs[i+1])
	}
	score := 0
	for i, r := range rs {
		switch {
		case r == utf8.RuneError:
			score -= 4
		case r < 0x80:
		case r >= 0x3041 && r <= 0x30FA:
			if name == "shift_jis" || name == "euc-jp" {
				score++
			}
		case name == "euc-kr" && r >= 0x4E00 && r <= 0x9FFF:
			score--
		case !commonCharSet[r]:
		case r <= 0x24F: // accented Latin
			if besideLatin(i) {
				score++
			}
		case r < 0x3000: // Cyrillic, Greek
			if !besideLatin(i) {
				score++
			}
		default:
			score++
		}
	}
	return score
}

func isASCIILetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }
