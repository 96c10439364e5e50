#!/usr/bin/env bash
# Benchmark (not a test): the sizes where kbgen once fell off a cliff (issue 15, item 12), timed
# with a release build, so a regression shows as a number rather than as a flaky test.
#
#   kbgen/bench/cliffs.sh            # 4,000 and 20,000 rules (check), 20,000 identical headings
#                                    # (build), 10,000 articles (build)
#
# The tests hold the same sizes to bounds that only a quadratic step can miss
# (`cargo test -p kbgen --test testsuite hostile`, `cargo test -p kbgen --bin kbgen anchors`).
# Needs python3 and GNU time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cargo build --release -q -p kbgen --manifest-path "$root/Cargo.toml"
kbgen="$root/target/release/kbgen"
work=$(mktemp -d -p "${BENCH_DIR:-${TMPDIR:-/tmp}}")
trap 'rm -rf "$work"' EXIT

# A knowledge base of one article and $1 rules of three made-up phrasings each.
rules_kb() {
  python3 - "$1" "$2" <<'EOF'
import os, random, sys
n, d = int(sys.argv[1]), sys.argv[2]
random.seed(1)
os.makedirs(d + "/articles", exist_ok=True)
open(d + "/kbgen.toml", "w").write('[site]\ntitle = "T"\nsupport_email = "a@b.test"\n')
open(d + "/articles/a.md", "w").write("---\ntitle: Refunds\n---\nWe refund orders.\n")
syl = "ka lo mi ne po ru sa te vi zo ba de fi gu".split()
word = lambda: "".join(random.choice(syl) for _ in range(3))
with open(d + "/rules.toml", "w") as f:
    for i in range(n):
        w = [word() for _ in range(4)]
        f.write(f'[[rule]]\nid = "r{i}"\nphrasings = ["how do I {w[0]} {w[1]}", "{w[2]} my {w[3]}", '
                f'"where is the {w[0]} {w[3]}"]\nkeywords = ["{w[1]}"]\nanswer = "Answer {i}."\n\n')
EOF
}

# Wall and CPU time: on a shared machine the CPU time is the figure to compare.
timed() {
  local label=$1
  shift
  /usr/bin/time -f "%e %U" -o "$work/t" "$@" >/dev/null 2>&1 || true
  read -r wall cpu < "$work/t"
  printf '%-40s %7.2f s wall %7.2f s CPU\n' "$label" "$wall" "$cpu"
}

for n in 4000 20000; do
  rules_kb "$n" "$work/rules$n"
  timed "check, $n rules" "$kbgen" check "$work/rules$n"
done

mkdir -p "$work/headings/articles"
printf '[site]\ntitle = "T"\nsupport_email = "a@b.test"\n' > "$work/headings/kbgen.toml"
{ printf -- '---\ntitle: FAQ\n---\n'; for _ in $(seq 20000); do printf '## FAQ\n\nText.\n\n'; done; } \
  > "$work/headings/articles/faq.md"
timed "build, 20,000 identical headings" "$kbgen" build "$work/headings" --out "$work/out1"

mkdir -p "$work/many/articles"
cp "$work/headings/kbgen.toml" "$work/many/"
for i in $(seq 0 9999); do
  d="$work/many/articles/s$((i % 100))"
  mkdir -p "$d"
  printf -- '---\ntitle: Article %s\n---\nWord%s and common words.\n' "$i" "$i" > "$d/a$i.md"
done
timed "build, 10,000 articles" "$kbgen" build "$work/many" --out "$work/out2"
