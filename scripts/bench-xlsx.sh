#!/usr/bin/env bash
# Workbook benchmark: time and peak RSS of `-o xlsx` over COUNT distinct
# pictures, each answered by the mock service with a portrait of its own of
# about PORTRAIT_KB, side by side with `--no-images` (constant memory) and
# the wide CSV.
#
#   scripts/bench-xlsx.sh [COUNT] [PORTRAIT_KB] [RUNS]   (defaults: 10000 24 3)
#   BENCH_PROFILE=debug scripts/bench-xlsx.sh            (the dev build: its
#       dependencies are optimised too, see Cargo.toml; no release build.
#       Built as the tests build it, so a tested target is used as it is)
#
# Needs GNU time (/usr/bin/time). Prints a table of medians over RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-10000}
portrait_kb=${2:-24}
runs=${3:-3}
port=$((20000 + RANDOM % 20000))
token=tok-3f9a1c2e7b-secret

command -v /usr/bin/time >/dev/null || { echo "bench needs GNU time" >&2; exit 1; }

profile=${BENCH_PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --release --quiet --locked --bin xocr --example mock-server --example make-pictures
else
  cargo test --quiet --locked --no-run
fi
bin=target/$profile
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
$bin/examples/make-pictures "$work/pics" "$count" 2
$bin/examples/mock-server "127.0.0.1:$port" --portrait-kb "$portrait_kb" 2>/dev/null &
server=$!
sleep 0.5
ls "$work"/pics/*.jpg >"$work/list"

export XOCR_TOKEN=$token XOCR_ENDPOINT="http://127.0.0.1:$port/ocr"
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "$count distinct pictures, a portrait of ~${portrait_kb} KB each, medians of $runs runs"
printf '%-36s %9s %12s %12s\n' "output" "wall s" "peak RSS MB" "file MB"

# run NAME ARGS...: median wall time and peak RSS of `xocr scan ARGS`.
run() {
  local name=$1; shift
  : >"$work/times"
  for _ in $(seq "$runs"); do
    rm -f "$work/out"
    /usr/bin/time -f '%e %M' -o "$work/time" \
      $bin/xocr scan -q -j 8 --files-from "$work/list" --output "$work/out" "$@" 2>"$work/err" || {
        echo "$name failed:"; tail -5 "$work/err"; return 1; }
    cat "$work/time" >>"$work/times"
  done
  local size mid wall rss
  size=$(stat -c %s "$work/out")
  mid=$(((runs + 1) / 2))
  wall=$(cut -d' ' -f1 "$work/times" | sort -n | sed -n "${mid}p")
  rss=$(cut -d' ' -f2 "$work/times" | sort -n | sed -n "${mid}p")
  awk -v n="$name" -v w="$wall" -v m="$rss" -v s="$size" \
    'BEGIN { printf "%-36s %9.2f %12.1f %12.1f\n", n, w, m / 1024, s / 1048576 }'
}

run "-o xlsx (portraits embedded)" -o xlsx
run "-o xlsx --no-images" -o xlsx --no-images
run "-o csv --csv-layout wide" -o csv --csv-layout wide
run "-o jsonl" -o jsonl
