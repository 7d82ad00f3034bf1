#!/usr/bin/env bash
# Offline recogniser benchmark: xocr's engine (tract) against RapidOCR
# (rapidocr-onnxruntime 1.4.4 on onnxruntime, the same three models), on
# the same pictures in one run: time per picture (first, with plan
# compilation, and warm median), load time, peak RSS, per-line text
# agreement; then release binary sizes with and without embedded models.
#
#   scripts/bench-local.sh [RUNS]         (default 11)
#
# Creates a virtual environment for RapidOCR in ${BENCH_VENV:-/tmp/xocr-rapidocr-venv}.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-11}
venv=${BENCH_VENV:-/tmp/xocr-rapidocr-venv}
# A build directory of its own, so a benchmark never waits for a debug build.
target=${BENCH_TARGET_DIR:-target/bench}

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import rapidocr_onnxruntime' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet rapidocr-onnxruntime==1.4.4
fi
fresh=$([ -d "$target/release" ] && echo warm || echo cold)
start=$(date +%s)
cargo build --release --quiet --bin xocr --example local-ocr --target-dir "$target"
build_s=$(($(date +%s) - start))
export XOCR_LOCAL_OCR="$target/release/examples/local-ocr"

# The three specimen cards, the ten generated regression cards (upright,
# turned, distorted; ID fronts and backs, bank cards) and a real poster.
pictures=(examples/id-card-front.jpg examples/id-card-back.jpg examples/id-card-front-skewed.jpg
          tests/cards/*.jpg tests/corpus/chinese-text-poster.jpg)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "release build of xocr with the engine: ${build_s} s ($fresh)"
echo "== both engines, default threads"
"$venv/bin/python" scripts/compare_rapidocr.py --runs "$runs" "${pictures[@]}"
echo
echo "== both engines, one thread each"
"$venv/bin/python" scripts/compare_rapidocr.py --runs "$runs" --threads 1 "${pictures[@]}"
echo
echo "== peak RSS (one process, every picture $runs times)"
/usr/bin/time -f "xocr engine: %M KB peak RSS" "$target"/release/examples/local-ocr --runs "$runs" "${pictures[@]}" 2>&1 >/dev/null | tail -1
"$venv/bin/python" - "$runs" "${pictures[@]}" <<'PY'
import resource, sys
from rapidocr_onnxruntime import RapidOCR
engine = RapidOCR()
for p in sys.argv[2:]:
    for _ in range(int(sys.argv[1])):
        engine(p)
print(f"rapidocr: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} KB peak RSS")
PY
echo
echo "== xocr scan --engine local, end to end (process start, load, read, print)"
/usr/bin/time -f "%e s, %M KB peak RSS" "$target"/release/xocr scan -q --engine local -o jsonl "${pictures[@]}" >/dev/null

echo
echo "== release binary size"
ls -l "$target"/release/xocr | awk '{printf "with embedded models: %.1f MB\n", $5 / 1e6}'
start=$(date +%s)
cargo build --release --quiet --bin xocr --no-default-features --features local --target-dir "$target"
echo "  (build of the next one: $(($(date +%s) - start)) s, dependencies already built)"
ls -l "$target"/release/xocr | awk '{printf "without embedded models (--no-default-features --features local): %.1f MB\n", $5 / 1e6}'
fresh=$([ -d "$target-remote/release" ] && echo warm || echo cold)
start=$(date +%s)
cargo build --release --quiet --bin xocr --no-default-features --target-dir "$target-remote"
echo "remote-only (--no-default-features): $(($(date +%s) - start)) s build ($fresh)"
ls -l "$target-remote"/release/xocr | awk '{printf "remote-only binary: %.1f MB\n", $5 / 1e6}'
# Leave the default build in place.
cargo build --release --quiet --bin xocr --target-dir "$target"
