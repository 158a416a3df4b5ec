#!/bin/sh
# Scores the generic path on the public extraction benchmarks in ../shared/extraction (see its
# README: five development sets, zyte, cwced, l3s-gn1, htmldate-mc, htmldate-bbaw): builds the
# crawl binary, crawls each set's pages/ folder, scores the records.
# Usage: [LIBS=1] bench/extraction.sh [OUTDIR]   (one OK/FAIL line per set, worst pages first;
# LIBS=1 also scores go-readability and go-trafilatura on the same pages, in the same run)
set -eu
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$repo/../shared"
out="${1:-${TMPDIR:-/tmp}/newsmill-extraction}"
sets="${SETS:-zyte cwced l3s-gn1 htmldate-mc htmldate-bbaw}"
mkdir -p "$out"
if [ ! -d "$shared/extraction" ]; then
	echo "no $shared/extraction: nothing to score" >&2
	exit 0
fi
(cd "$repo" && go build -o "$out/crawl" ./cmd/crawl)
for set in $sets; do
	if [ ! -f "$shared/extraction/$set/truth.jsonl" ]; then
		echo "== $set: absent, skipped"
		continue
	fi
	dir="$(cd "$shared/extraction/$set" && pwd)"
	"$out/crawl" --url "file://$dir/pages/" >"$out/$set.jsonl" 2>"$out/$set.log" || true
	echo "== $set"
	python3 "$shared/tools/extraction_score.py" "$dir" "$out/$set.jsonl" --log "$out/$set.log" --worst "${WORST:-10}"
done
if [ "${LIBS:-}" = 1 ]; then
	# The wrapped libraries on the same bytes, scored the same way (bench/cmd/librecords).
	(cd "$repo/bench" && go build -o "$out/librecords" ./cmd/librecords)
	for set in $sets; do
		[ -d "$shared/extraction/$set/pages" ] || continue
		"$out/librecords" -set "$set" -pages "$shared/extraction/$set/pages" -out "$out"
	done
	for lib in go-readability go-trafilatura; do
		for set in $sets; do
			[ -f "$out/$lib-$set.jsonl" ] || continue
			echo "== $lib $set"
			python3 "$shared/tools/extraction_score.py" "$shared/extraction/$set" "$out/$lib-$set.jsonl" --worst 0 | tail -1
		done
	done
fi
