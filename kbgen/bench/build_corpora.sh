#!/usr/bin/env bash
# Benchmark (not a test): build time and peak memory of `kbgen build` on the evaluation corpora,
# side by side with mdBook (search index on, its default) building the same markdown.
#
#   kbgen/bench/build_corpora.sh [runs] [folder...]  # default 5 runs per corpus; median and max
#   BENCH_DIR=/dev/shm kbgen/bench/build_corpora.sh 5
#   kbgen/bench/build_corpora.sh 3 ~/corpora/segment-docs/src ~/corpora/pingcap-docs-cn
#
# Builds the evaluation corpora in ../shared/eval/corpora (when present) and every folder given
# after the run count: issue #19's segment-docs (en, 1,424 files) and pingcap docs-cn (zh, 1,238)
# are not among them; a snapshot of github.com/segmentio/segment-docs (its `src`) and
# github.com/pingcap/docs-cn builds the same way. Needs GNU time; mdBook is optional
# (`cargo install mdbook`). The mdBook project gets a generated SUMMARY.md listing every file
# (`.mdx` copied as `.md`), so both tools render and index the same text.
set -euo pipefail
runs=${1:-5}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
corpora="$root/../shared/eval/corpora"
folders=()
for c in sendgrid-docs/content dify-docs; do
  [ -d "$corpora/$c" ] && folders+=("$corpora/$c")
done
folders+=("$@")
[ ${#folders[@]} -gt 0 ] || { echo "skipping: no corpus (neither $corpora nor a folder given)"; exit 0; }
cargo build --release -q -p kbgen --manifest-path "$root/Cargo.toml"
kbgen="$root/target/release/kbgen"
# BENCH_DIR=/dev/shm measures on tmpfs, which takes a busy shared disk out of the numbers.
work=$(mktemp -d -p "${BENCH_DIR:-${TMPDIR:-/tmp}}")
trap 'rm -rf "$work"' EXIT

# Runs "$@" $runs times into a fresh output folder ($1, removed before each run and not timed,
# so both tools pay for writing but not for deleting); prints "median_s max_rss_mb".
measure() {
  local out=$1 times=() rss=0
  shift
  for _ in $(seq "$runs"); do
    rm -rf "$out"
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
    read -r t m < "$work/t"
    times+=("$t")
    (( m > rss )) && rss=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $(awk "BEGIN {printf \"%.1f\", $rss/1024}")"
}

mdbook_project() { # corpus_dir dest
  local src=$1 dest=$2
  mkdir -p "$dest/src"
  printf '[book]\ntitle = "bench"\n[output.html.search]\nenable = true\n' > "$dest/book.toml"
  echo "# Summary" > "$dest/src/SUMMARY.md"
  (cd "$src" && find . -type f \( -name '*.md' -o -name '*.mdx' \) | sort) | while read -r f; do
    local out="${f%.mdx}"; out="${out%.md}.md"
    mkdir -p "$dest/src/$(dirname "$out")"
    cp "$src/$f" "$dest/src/$out"
    echo "- [${out#./}](${out#./})" >> "$dest/src/SUMMARY.md"
  done
}

printf '| corpus | files | kbgen median s | kbgen peak MB | mdBook median s | mdBook peak MB | speed-up |\n|---|---|---|---|---|---|---|\n'
for dir in "${folders[@]}"; do
  c=${dir#"$corpora/"}
  files=$(find "$dir" -type f \( -name '*.md' -o -name '*.mdx' \) | wc -l)
  read -r kt km < <(measure "$work/kbgen-out" "$kbgen" build "$dir" --out "$work/kbgen-out")
  if command -v mdbook >/dev/null; then
    mdbook_project "$dir" "$work/book-$files"
    read -r mt mm < <(measure "$work/mdbook-out" mdbook build "$work/book-$files" -d "$work/mdbook-out")
    speed=$(awk "BEGIN {printf \"%.1f×\", $mt/$kt}")
  else
    mt="-"; mm="-"; speed="(mdbook not installed)"
  fi
  echo "| $c | $files | $kt | $km | $mt | $mm | $speed |"
done
