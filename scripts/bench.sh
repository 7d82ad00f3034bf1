#!/usr/bin/env bash
# Batch benchmark: xocr at several --jobs against the mock service with a
# fixed per-request latency, side by side with the ways people do it
# without xocr (a sequential curl loop, xargs -P with curl), all in one run.
#
#   scripts/bench.sh [COUNT] [LATENCY_MS] [SIZE_KB]     (defaults: 500 200 300)
#   BENCH_RSS_INPUTS=10000 scripts/bench.sh              (also peak RSS over 10,000 inputs)
#
# Needs curl, jq, base64 and GNU time (/usr/bin/time). Prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-500}
latency=${2:-200}
size_kb=${3:-300}
rss_inputs=${BENCH_RSS_INPUTS:-10000}
port=$((20000 + RANDOM % 20000))
url="http://127.0.0.1:$port/ocr"
token=tok-3f9a1c2e7b-secret

for tool in curl jq base64 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool" >&2; exit 1; }
done

cargo build --release --quiet --bin xocr --example mock-server --example make-pictures
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
target/release/examples/make-pictures "$work/pics" "$count" "$size_kb"
target/release/examples/mock-server "127.0.0.1:$port" --latency-ms "$latency" 2>/dev/null &
server=$!
sleep 0.5

export XOCR_TOKEN=$token XOCR_ENDPOINT=$url
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "$count pictures of ~${size_kb} KB ($(du -sh "$work/pics" | cut -f1) in all), service latency ${latency} ms"
printf '%-28s %9s %9s %10s %14s %12s\n' "client" "wall s" "pics/s" "vs ideal" "CPU ms/pic" "peak RSS MB"

# run NAME JOBS COMMAND...: time COMMAND (with its children), print a row.
run() {
  local name=$1 jobs=$2; shift 2
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
    echo "$name failed:"; tail -5 "$work/err"; return 1; }
  read -r wall user sys rss <"$work/time"
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v c="$count" -v j="$jobs" -v l="$latency" \
    'BEGIN { ideal = l / 1000 * c / j;
             printf "%-28s %9.2f %9.1f %9.2fx %14.2f %12.1f\n", n, w, c / w, w / ideal, (u + s) * 1000 / c, r / 1024 }'
}

ls "$work"/pics/*.jpg >"$work/list"
for j in 1 4 16; do
  run "xocr --jobs $j" "$j" target/release/xocr scan -q -o jsonl -j "$j" --files-from "$work/list"
done

cat >"$work/one.sh" <<SH
#!/usr/bin/env bash
printf '{"image":"%s","type":"8","token":"%s"}' "\$(base64 -w0 "\$1")" "$token" \
  | curl -s -H 'Content-Type: application/json' --data-binary @- "$url" | jq -c '.code'
SH
chmod +x "$work/one.sh"
run "curl loop (sequential)" 1 bash -c "while read -r f; do '$work/one.sh' \"\$f\"; done <'$work/list'"
run "xargs -P 16 curl" 16 bash -c "xargs -P 16 -n 1 '$work/one.sh' <'$work/list'"

if [ "$rss_inputs" -gt 0 ]; then
  # Memory stays bounded by the pool: many inputs (hard links to the same
  # pictures), no latency, peak RSS only.
  mkdir -p "$work/many"
  i=0
  while [ "$i" -lt "$rss_inputs" ]; do
    src=$(sed -n "$((i % count + 1))p" "$work/list")
    ln "$src" "$work/many/$i.jpg"
    i=$((i + 1))
  done
  ls "$work"/many/*.jpg >"$work/many.list"
  kill "$server"; wait "$server" 2>/dev/null || true
  target/release/examples/mock-server "127.0.0.1:$port" 2>/dev/null &
  server=$!
  sleep 0.5
  /usr/bin/time -f '%e %M' -o "$work/time" target/release/xocr scan -q -o jsonl -j 16 --files-from "$work/many.list" >/dev/null
  read -r wall rss <"$work/time"
  echo "xocr --jobs 16 over $rss_inputs inputs (no latency): ${wall} s, peak RSS $((rss / 1024)) MB"
fi
