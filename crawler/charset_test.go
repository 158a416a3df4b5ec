package crawler

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// fixture returns the encoded page and the UTF-8 text it must decode to.
func fixture(t *testing.T, name string) (encoded, want []byte) {
	t.Helper()
	var err error
	if encoded, err = os.ReadFile(filepath.Join(fixtureDir, "charset", name+".html")); err != nil {
		t.Fatal(err)
	}
	if want, err = os.ReadFile(filepath.Join(fixtureDir, "charset", name+".utf8.html")); err != nil {
		t.Fatal(err)
	}
	return encoded, want
}

var metaLine = regexp.MustCompile(`(?m)^<meta[^>]*charset[^>]*>\n`)

// withoutMeta removes the (ASCII) charset declaration from encoded bytes and from the truth.
func withoutMeta(b []byte) []byte { return metaLine.ReplaceAll(b, nil) }

func TestDecodeReadsEachFixtureByItsMetaDeclaration(t *testing.T) {
	for _, tc := range []struct{ name, charset string }{
		{"gbk", "gb18030"}, {"gb18030", "gb18030"}, {"big5", "big5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc, want := fixture(t, tc.name)
			got, cs, err := Decode("text/html", enc)
			if err != nil {
				t.Fatal(err)
			}
			if cs != tc.charset || !bytes.Equal(got, want) {
				t.Errorf("charset %q, decoded equal to truth: %v", cs, bytes.Equal(got, want))
			}
		})
	}
}

func TestDecodeTrustsTheContentTypeHeaderWhenThePageDeclaresNothing(t *testing.T) {
	for _, tc := range []struct{ name, header, charset string }{
		{"gbk", "text/html; charset=GBK", "gb18030"},
		{"gbk", "text/html; charset=gb2312", "gb18030"},
		{"gb18030", "text/html;charset=gb18030", "gb18030"},
		{"big5", `text/html; charset="Big5"`, "big5"},
	} {
		t.Run(tc.name+"/"+tc.header, func(t *testing.T) {
			enc, want := fixture(t, tc.name)
			got, cs, err := Decode(tc.header, withoutMeta(enc))
			if err != nil {
				t.Fatal(err)
			}
			if cs != tc.charset || !bytes.Equal(got, withoutMeta(want)) {
				t.Errorf("charset %q; decoded:\n%s", cs, got)
			}
		})
	}
}

func TestDecodeDetectsTheCharsetWhenNothingDeclaresIt(t *testing.T) {
	for _, tc := range []struct{ name, charset string }{
		{"gbk", "gb18030"}, {"gb18030", "gb18030"}, {"big5", "big5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc, want := fixture(t, tc.name)
			got, cs, err := Decode("text/html", withoutMeta(enc))
			if err != nil {
				t.Fatal(err)
			}
			if cs != tc.charset || !bytes.Equal(got, withoutMeta(want)) {
				t.Errorf("charset %q; decoded:\n%s", cs, got)
			}
		})
	}
}

func TestDecodeSeesThroughAHeaderThatClaimsUTF8ForGBKBytes(t *testing.T) {
	enc, want := fixture(t, "gbk")
	got, cs, err := Decode("text/html; charset=utf-8", enc)
	if err != nil {
		t.Fatal(err)
	}
	if cs != "gb18030" || !bytes.Equal(got, want) {
		t.Errorf("with meta: charset %q", cs)
	}
	// And with no meta to fall back on, detection takes over.
	got, cs, err = Decode("text/html; charset=utf-8", withoutMeta(enc))
	if err != nil {
		t.Fatal(err)
	}
	if cs != "gb18030" || !bytes.Equal(got, withoutMeta(want)) {
		t.Errorf("without meta: charset %q", cs)
	}
}

func TestDecodeKeepsUTF8UnderAStaleLegacyDeclaration(t *testing.T) {
	_, want := fixture(t, "gbk") // UTF-8 bytes whose meta still says gbk
	for _, ct := range []string{"text/html", "text/html; charset=gbk"} {
		got, cs, err := Decode(ct, want)
		if err != nil {
			t.Fatal(err)
		}
		if cs != "utf-8" || !bytes.Equal(got, want) {
			t.Errorf("%s: charset %q", ct, cs)
		}
	}
}

func TestDecodeHonoursByteOrderMarks(t *testing.T) {
	_, want := fixture(t, "big5")
	for _, tc := range []struct {
		name string
		enc  transform.Transformer
	}{
		{"utf-8", unicode.UTF8BOM.NewEncoder()},
		{"utf-16le", unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()},
		{"utf-16be", unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _, err := transform.Bytes(tc.enc, want)
			if err != nil {
				t.Fatal(err)
			}
			// The header lies on purpose: a BOM outranks it.
			got, cs, err := Decode("text/html; charset=iso-8859-1", in)
			if err != nil {
				t.Fatal(err)
			}
			if cs != tc.name || !bytes.Equal(got, want) {
				t.Errorf("charset %q; decoded %q", cs, got[:min(len(got), 80)])
			}
		})
	}
}

func TestDecodeReadsWindows1252FromTheHeader(t *testing.T) {
	in := []byte("<p>caf\xe9 \x93quoted\x94 \x80 5</p>")
	got, cs, err := Decode("text/html; charset=windows-1252", in)
	if err != nil {
		t.Fatal(err)
	}
	if cs != "windows-1252" || string(got) != "<p>café “quoted” € 5</p>" {
		t.Errorf("charset %q, got %q", cs, got)
	}
}

func TestDecodeReadsTheEncodingOfAnXMLDeclaration(t *testing.T) {
	text := `<?xml version="1.0" encoding="gb2312"?><rss><channel><title>财经快讯</title></channel></rss>`
	in, _, err := transform.Bytes(simplifiedchinese.GBK.NewEncoder(), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got, cs, err := Decode("application/rss+xml", in)
	if err != nil || cs != "gb18030" || string(got) != text {
		t.Errorf("charset %q err %v got %q", cs, err, got)
	}
}

// longPage repeats the paragraphs of a fixture's truth into a page of about n bytes, with a
// UTF-8 declaration: the size of a real article page, where one bad byte is a tiny share.
func longPage(t *testing.T, name string, n int) []byte {
	t.Helper()
	_, truth := fixture(t, name)
	paras := regexp.MustCompile(`(?s)<p>.*?</p>`).FindAll(truth, -1)
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>t</title></head><body>\n")
	for i := 0; b.Len() < n; i++ {
		b.Write(paras[i%len(paras)])
		b.WriteByte('\n')
	}
	b.WriteString("</body></html>\n")
	return b.Bytes()
}

func TestOneStrayByteInALongUTF8PageIsAReplacementCharacterNotAnotherCharset(t *testing.T) {
	page := longPage(t, "gbk", 28<<10)
	mid := bytes.Index(page[len(page)/2:], []byte("<p>")) + len(page)/2 + len("<p>")
	for name, stray := range map[string][]byte{"lone continuation": {0x80}, "cut sequence": {0xE4, 0xB8}, "latin-1": {0xE9}} {
		corrupt := append(append(append([]byte(nil), page[:mid]...), stray...), page[mid:]...)
		for _, ct := range []string{"text/html; charset=utf-8", "text/html", "text/html; charset=gbk"} {
			got, cs, err := Decode(ct, corrupt)
			if err != nil {
				t.Fatal(err)
			}
			want := append(append(append([]byte(nil), page[:mid]...), "\uFFFD"...), page[mid:]...)
			if cs != "utf-8" || !bytes.Equal(got, want) {
				t.Errorf("%s under %q: read as %s, equal to the page with one U+FFFD: %v", name, ct, cs, bytes.Equal(got, want))
			}
		}
	}
}

func TestALongGBKPageLabelledUTF8IsStillDetected(t *testing.T) {
	page := longPage(t, "gbk", 28<<10)
	gbk, _, err := transform.Bytes(simplifiedchinese.GBK.NewEncoder(), page)
	if err != nil {
		t.Fatal(err)
	}
	got, cs, err := Decode("text/html; charset=utf-8", gbk)
	if err != nil || cs != "gb18030" || !bytes.Equal(got, page) {
		t.Errorf("read as %s (err %v), equal to the page: %v", cs, err, bytes.Equal(got, page))
	}
	// Nor does a UTF-8 page with a GBK-encoded block the size of a third of it pass for UTF-8
	// without its label.
	mixed := append(append([]byte(nil), gbk[:len(gbk)/3]...), page[len(page)/3:]...)
	if _, cs, _ := Decode("text/html; charset=gbk", mixed); cs == "utf-8" {
		t.Errorf("a third of GBK bytes under a GBK label read as UTF-8")
	}
}

func TestAPageWithAFewNULBytesIsTextWithoutThem(t *testing.T) {
	page := longPage(t, "gbk", 8<<10)
	corrupt := bytes.Replace(page, []byte("<p>"), []byte("<p>\x00"), 3)
	got, cs, err := Decode("text/html; charset=utf-8", corrupt)
	if err != nil || cs != "utf-8" || !bytes.Equal(got, page) {
		t.Errorf("charset %q, err %v, NULs dropped and the rest kept: %v", cs, err, bytes.Equal(got, page))
	}
}

func TestDecodeRefusesBinaryBodiesServedAsHTML(t *testing.T) {
	for name, body := range map[string][]byte{
		"png":  []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"nul":  []byte("<html>\x00\x00\x00\x01garbage"),
		"gzip": {0x1f, 0x8b, 0x08, 0x00},
	} {
		if _, _, err := Decode("text/html", body); !errors.Is(err, ErrBinary) {
			t.Errorf("%s: err = %v, want ErrBinary", name, err)
		}
	}
	if _, _, err := Decode("image/png", []byte("looks like text")); !errors.Is(err, ErrBinary) {
		t.Errorf("image type: err = %v, want ErrBinary", err)
	}
}

// The hard case for detection is a short text: a headline or a one-line digest with no
// declaration. Every sentence of the fixtures, cut to n characters and encoded both ways, must be
// told apart.
func TestDetectionTellsGB18030FromBig5InShortTexts(t *testing.T) {
	// Measured: 16/19 at 2 characters, 17/19 at 4, every one from 6 on.
	for _, n := range []int{6, 12} {
		if ok, total := detectionAccuracy(t, n); ok != total || total == 0 {
			t.Errorf("%d characters: detected %d/%d texts correctly", n, ok, total)
		}
	}
}

func detectionAccuracy(t *testing.T, n int) (ok, total int) {
	t.Helper()
	tag := regexp.MustCompile(`<[^>]+>`)
	for _, name := range []string{"gbk", "gb18030", "big5"} {
		_, src := fixture(t, name)
		for _, line := range strings.Split(tag.ReplaceAllString(string(src), ""), "\n") {
			r := []rune(strings.TrimSpace(line))
			if len(r) < n {
				continue
			}
			s := string(r[:n])
			gb, _, err1 := transform.Bytes(simplifiedchinese.GB18030.NewEncoder(), []byte(s))
			b5, _, err2 := transform.Bytes(traditionalchinese.Big5.NewEncoder(), []byte(s))
			if name != "big5" && err1 == nil {
				total++
				if out, cs, _ := Decode("", gb); cs == "gb18030" && string(out) == s {
					ok++
				} else {
					t.Logf("gb18030 %q read as %s", s, cs)
				}
			}
			if name == "big5" && err2 == nil {
				total++
				if out, cs, _ := Decode("", b5); cs == "big5" && string(out) == s {
					ok++
				} else {
					t.Logf("big5 %q read as %s", s, cs)
				}
			}
		}
	}
	return ok, total
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"gbk", "gb18030", "big5"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, "charset", name+".html"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add("text/html", b)
	}
	f.Add("text/html; charset=utf-8", []byte("\xd6\xd0\xce\xc4"))        // lying UTF-8 header
	f.Add("text/html; charset=", []byte("<meta charset=\"\">"))          // empty labels
	f.Add("text/html; charset=utf-16", []byte("<p>ascii</p>"))           // UTF-16 label without BOM
	f.Add("", []byte{0xFF, 0xFE, 0x41})                                  // odd-length UTF-16
	f.Add("text/html;;charset=gbk;;", []byte("\x81\x30"))                // truncated 4-byte GB18030
	f.Add("\xfbChArset=", []byte("0"))                                   // lowering invalid UTF-8 shifted offsets
	f.Add("text/html; charset=utf-8", []byte("<p>中文\x80正文</p>"))         // one stray byte read the page as another charset
	f.Add("text/html", []byte("<p>\x00正文</p>"+strings.Repeat("文", 200))) // a few NULs refused a text page as binary
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		out, cs, err := Decode(ct, body)
		if err != nil {
			if !errors.Is(err, ErrBinary) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("output is not UTF-8 (charset %q)", cs)
		}
		if cs == "" {
			t.Fatal("no charset named")
		}
		// Decoding our own output again must change nothing: the crawler may decode twice.
		if hasMultibyte(out) && !bytes.HasPrefix(out, []byte("\xef\xbb\xbf")) {
			again, cs2, err := Decode(ct, out)
			if err == nil && !bytes.Equal(again, out) {
				t.Fatalf("decoding twice changed the text (%s then %s)", cs, cs2)
			}
		}
	})
}
