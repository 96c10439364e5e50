#!/usr/bin/env bash
# Benchmark (not a test): `kbgen desk sync` and `kbgen desk gaps` on a synthetic mailbox of
# 50,000 messages (gen_desk_mbox.py beside this script: widget tickets with machine blocks, plain
# mail, the owner's answers, follow-ups; English and Chinese), against the `basic` test
# knowledge base. Prints wall time and peak resident memory (GNU time) of each step.
# `gaps` must stay under 2 s (issue 18); the script exits 1 when it does not.
#
#   kbgen/bench/desk_50k.sh [messages]            # default 50000
#   BENCH_DIR=/dev/shm kbgen/bench/desk_50k.sh
set -euo pipefail
n=${1:-50000}
root=$(cd "$(dirname "$0")/../.." && pwd)
cargo build --release -q -p kbgen --manifest-path "$root/Cargo.toml"
kbgen="$root/target/release/kbgen"
work=$(mktemp -d -p "${BENCH_DIR:-${TMPDIR:-/tmp}}")
trap 'rm -rf "$work"' EXIT
cp -r "$root/kbgen/tests/fixtures/basic" "$work/kb"
python3 "$root/kbgen/bench/gen_desk_mbox.py" "$n" "$work/mail.mbox" support@acme.test
echo "mailbox: $n messages, $(du -h "$work/mail.mbox" | cut -f1)"

# Runs "$@" once; prints "label  seconds  peak RSS MB".
measure() {
  local label=$1
  shift
  /usr/bin/time -v -o "$work/t" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/t" |
    awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/t")
  printf '%-28s %8.2f s %8s MB\n' "$label" "$wall" "$rss"
  echo "$wall" > "$work/last"
}

printf '%-28s %10s %11s\n' step wall "peak RSS"
measure "sync (first, $n msgs)" "$kbgen" desk sync "$work/kb" --mbox "$work/mail.mbox" --only
tail -1 "$work/err"
measure "sync (again, nothing new)" "$kbgen" desk sync "$work/kb" --mbox "$work/mail.mbox" --only
measure "gaps" "$kbgen" desk gaps --kb "$work/kb"
gaps=$(cat "$work/last")
head -1 "$work/out"
measure "gaps --json" "$kbgen" desk gaps --kb "$work/kb" --json
measure "feedback" "$kbgen" desk feedback --kb "$work/kb"
measure "replay" "$kbgen" desk replay --kb "$work/kb"
head -1 "$work/out"
if awk -v g="$gaps" 'BEGIN { exit !(g >= 2) }'; then
  echo "FAIL: gaps took ${gaps} s, the budget is 2 s" >&2
  exit 1
fi
