#!/usr/bin/env bash
# Benchmark (not a test): bytes of a first search on the help center, kbgen against Pagefind 1.6
# over the same built HTML (Pagefind indexes kbgen's output), in Chromium with an empty cache.
#
#   kbgen/bench/first_search.sh            # sendgrid (en), dify (zh), a synthetic 50k (en)
#   SIZES=none kbgen/bench/first_search.sh # the real corpora only
#   SEGMENT_DOCS=~/corpora/segment-docs/src PINGCAP_DOCS=~/corpora/pingcap-docs-cn \
#     kbgen/bench/first_search.sh          # also issue #19's segment-docs (en) and pingcap docs-cn (zh)
#
# segment-docs and pingcap docs-cn are not among the evaluation corpora: a snapshot of
# github.com/segmentio/segment-docs (its `src`) and github.com/pingcap/docs-cn does.
#
# Needs ../shared/eval/corpora (skips what is absent), node and /usr/bin/chromium; installs
# Pagefind and playwright-core from npm into kbgen/bench/node_modules on first use.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpora="$root/../shared/eval/corpora"
[ -d "$here/node_modules/pagefind" ] || npm install --prefix "$here" --no-audit --no-fund >/dev/null
cargo build --release -q -p kbgen --manifest-path "$root/Cargo.toml"
kbgen="$root/target/release/kbgen"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # name kb_dir lang queries...
  local name=$1 kb=$2 lang=$3
  shift 3
  echo "== $name"
  "$kbgen" build "$kb" --out "$work/$name" >/dev/null 2>&1
  "$here/node_modules/.bin/pagefind" --site "$work/$name" --output-subdir _pagefind >/dev/null
  node "$here/first_search.js" "$work/$name" "$lang" "$@"
}

if [ -d "$corpora" ]; then
  run sendgrid "$corpora/sendgrid-docs/content" en "api key" "bounce webhook" "unsubscribe groups"
  run dify-zh "$corpora/dify-docs" zh "知识库" "工作流 变量" "模型供应商"
else
  echo "skipping the real corpora: $corpora is absent"
fi
if [ -n "${SEGMENT_DOCS:-}" ]; then
  run segment "$SEGMENT_DOCS" en "tracking plan" "identify call" "destination filters"
fi
if [ -n "${PINGCAP_DOCS:-}" ]; then
  run pingcap-zh "$PINGCAP_DOCS" zh "数据迁移" "慢查询 日志" "备份 恢复"
fi
if [ "${SIZES:-}" != none ]; then
  python3 "$here/gen_kb.py" 50000 "$work/kb50k"
  run synthetic-50k "$work/kb50k" en "kapass word" "billing refund"
fi
