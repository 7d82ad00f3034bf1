#!/usr/bin/env bash
# Regenerates tests/fonts/NotoSansCJKjp-subset.otf, the font the offline
# engine's tests draw text with, from the characters in tests/fonts/chars.txt.
#
# Needs the full font (Debian: `apt-get install fonts-noto-cjk`, or point
# NOTO_CJK_TTC at NotoSansCJK-Regular.ttc) and pyftsubset
# (`pip install fonttools`). Only needed when a test draws a character the
# subset lacks; `cargo test` itself needs neither.
#
#   scripts/subset-test-font.sh            # after adding characters to chars.txt
set -euo pipefail
cd "$(dirname "$0")/.."

src=${NOTO_CJK_TTC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
chars=tests/fonts/chars.txt
out=tests/fonts/NotoSansCJKjp-subset.otf

if [ ! -f "$src" ]; then
  echo "no $src: apt-get install fonts-noto-cjk, or set NOTO_CJK_TTC" >&2
  exit 1
fi
if ! command -v pyftsubset >/dev/null; then
  echo "no pyftsubset: pip install fonttools" >&2
  exit 1
fi

# Face 0 of the collection is Noto Sans CJK JP, the face the tests have
# always drawn with, kept so that the pictures (and what the recogniser
# reads from them) stay the same; ideographs it shares with Japanese have
# their Japanese forms, the rest the pan-CJK design. Shaping tables,
# vertical metrics and hints are dropped: ab_glyph uses none of them. All
# name records are kept, so the licence (name IDs 13, 14) stays in the file.
pyftsubset "$src" \
  --font-number=0 \
  --text-file="$chars" \
  --output-file="$out" \
  --layout-features='' \
  --no-hinting \
  --name-IDs='*' \
  --drop-tables+=BASE,VORG,vhea,vmtx,GSUB,GPOS,GDEF

echo "$out: $(wc -c <"$out") bytes, $(tr -d '\n' <"$chars" | wc -m) characters"
