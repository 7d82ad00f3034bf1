#!/usr/bin/env bash
# Re-fetches the three OCR models into models/ from the PyPI wheel
# rapidocr-onnxruntime 1.4.4 and checks their SHA-256; fails loudly on any
# mismatch (nothing is overwritten unless all three hashes match).
#
#   scripts/fetch-models.sh [DEST_DIR]     (default: models/ of this crate)
set -euo pipefail

VERSION=1.4.4
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEST="${1:-$HERE/../models}"
PY="${PYTHON:-python3}"

declare -A SHA=(
  [ch_PP-OCRv4_det_infer.onnx]=d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9
  [ch_ppocr_mobile_v2.0_cls_infer.onnx]=e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c
  [ch_PP-OCRv4_rec_infer.onnx]=48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b
)

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "fetching rapidocr-onnxruntime==$VERSION from PyPI ..." >&2
"$PY" -m pip download --quiet --no-deps --only-binary=:all: \
  --dest "$TMP" "rapidocr-onnxruntime==$VERSION"
WHL="$(ls "$TMP"/rapidocr_onnxruntime-"$VERSION"-*.whl)"

# A wheel is a zip file; extract with Python so that unzip is not needed.
"$PY" - "$WHL" "$TMP/x" <<'PYEOF'
import sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        if name.startswith("rapidocr_onnxruntime/models/") and name.endswith(".onnx"):
            z.extract(name, out)
PYEOF

fail=0
for f in "${!SHA[@]}"; do
  src="$TMP/x/rapidocr_onnxruntime/models/$f"
  if [[ ! -f "$src" ]]; then
    echo "ERROR: $f is not in $(basename "$WHL")" >&2
    fail=1
    continue
  fi
  got="$(sha256sum "$src" | cut -d' ' -f1)"
  if [[ "$got" != "${SHA[$f]}" ]]; then
    echo "ERROR: SHA-256 mismatch for $f: expected ${SHA[$f]}, got $got" >&2
    fail=1
  fi
done
if [[ $fail -ne 0 ]]; then
  echo "ERROR: model check failed; $DEST left unchanged" >&2
  exit 1
fi

mkdir -p "$DEST"
for f in "${!SHA[@]}"; do
  cp "$TMP/x/rapidocr_onnxruntime/models/$f" "$DEST/$f"
  echo "ok  ${SHA[$f]}  $DEST/$f" >&2
done
