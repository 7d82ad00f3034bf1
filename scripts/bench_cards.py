#!/usr/bin/env python3
"""Benchmarks xocr's offline engine on cards made by scripts/specimens.py:
runs `xocr scan --engine local -o jsonl` once over every picture of DIR and
prints, for clean and distorted cards apart, field-exact accuracy per key,
type accuracy, turn (image_angle) accuracy, and the wall time per card.

    cargo build --release
    python3 scripts/specimens.py /tmp/cards --count 200 --types id_card,bank_card
    python3 scripts/bench_cards.py /tmp/cards [--xocr target/release/xocr]

A field counts as exact when the value xocr returns equals the truth
character for character (a missing key counts as wrong).  Needs only the
standard library.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import time
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--xocr", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "xocr"))
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    pics = sorted(glob.glob(os.path.join(args.dir, "*.jpg")))
    if not pics:
        sys.exit(f"no pictures in {args.dir}")
    t0 = time.time()
    run = subprocess.run([args.xocr, "scan", "--engine", "local", "-o", "jsonl", *pics],
                         capture_output=True, text=True)
    wall = time.time() - t0
    records = {}
    for line in run.stdout.splitlines():
        r = json.loads(line)
        records[os.path.abspath(r["file"])] = r
    # group -> key -> [right, total]
    acc = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for pic in pics:
        with open(pic[:-4] + ".json", encoding="utf-8") as f:
            truth = json.load(f)
        r = records.get(os.path.abspath(pic), {})
        group = "distorted" if truth["distorted"] else "clean"
        got = {i["key"]: i.get("value", "") for i in r.get("items", [])}
        kind = truth["type"] + (f" {truth['side']}" if truth["side"] else "")
        for g in (group, "all"):
            acc[g]["type"][0] += r.get("type") == truth["type"]
            acc[g]["type"][1] += 1
            acc[g]["image_angle"][0] += r.get("image_angle") == truth["image_angle"]
            acc[g]["image_angle"][1] += 1
            for k, v in truth["fields"].items():
                ok = got.get(k) == v
                acc[g][f"{kind}: {k}"][0] += ok
                acc[g][f"{kind}: {k}"][1] += 1
                if not ok and args.show_errors and g != "all":
                    print(f"  {os.path.basename(pic)} {group} {k}: {got.get(k)!r} != {v!r}")
    n = len(pics)
    print(f"{n} cards, {wall:.1f} s wall, {1000 * wall / n:.0f} ms per card "
          f"(one xocr process, exit {run.returncode})")
    keys = sorted({k for g in acc.values() for k in g}, key=lambda k: (k.count(":"), k))
    print(f"{'':32} {'clean':>14} {'distorted':>14} {'all':>14}")
    for k in keys:
        cells = []
        for g in ("clean", "distorted", "all"):
            right, total = acc[g][k]
            cells.append(f"{100 * right / total:5.1f}% ({right}/{total})" if total else "-")
        print(f"{k:32} " + " ".join(f"{c:>14}" for c in cells))


if __name__ == "__main__":
    main()
