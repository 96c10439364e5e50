#!/usr/bin/env bash
# Benchmark (not a test): build time and peak memory of `kbgen build` on synthetic knowledge
# bases of 1,000, 10,000 and 50,000 articles (made by gen_kb.py beside this script), to show that
# the build grows linearly with the number of articles.
#
#   kbgen/bench/build_sizes.sh [runs] [sizes...]     # default: 3 runs of 1000 10000 50000
#   BENCH_DIR=/dev/shm kbgen/bench/build_sizes.sh 3 1000 10000
#
# Prints a table of the median wall time and the largest peak resident memory (GNU time's
# maximum resident set size) per size. The generated knowledge bases are kept in
# $BENCH_DIR/kbgen-bench-kb<N> between runs, since writing 50,000 files takes minutes.
set -euo pipefail
runs=${1:-3}
shift || true
sizes=("${@:-1000 10000 50000}")
read -r -a sizes <<< "${sizes[*]}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cargo build --release -q -p kbgen --manifest-path "$root/Cargo.toml"
kbgen="$root/target/release/kbgen"
dir=${BENCH_DIR:-${TMPDIR:-/tmp}}
work=$(mktemp -d -p "$dir")
trap 'rm -rf "$work"' EXIT

printf '| articles | median s | peak MB | s per 1,000 articles |\n|---|---|---|---|\n'
for n in "${sizes[@]}"; do
  kb="$dir/kbgen-bench-kb$n"
  [ -f "$kb/kbgen.toml" ] || python3 "$here/gen_kb.py" "$n" "$kb"
  times=() rss=0
  for _ in $(seq "$runs"); do
    rm -rf "$work/out"
    /usr/bin/time -f "%e %M" -o "$work/t" "$kbgen" build "$kb" --out "$work/out" >/dev/null 2>&1 \
      || { echo "failed: $kbgen build $kb" >&2; exit 1; }
    read -r t m < "$work/t"
    times+=("$t")
    (( m > rss )) && rss=$m
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -v n="$n" -v t="$median" -v m="$rss" \
    'BEGIN {printf "| %d | %s | %.1f | %.3f |\n", n, t, m/1024, t*1000/n}'
done
