#!/usr/bin/env python3
"""Benchmarks xocr's offline engine on cards made by scripts/specimens.py:
runs `xocr scan --engine local -o jsonl` once over every picture of DIR and
prints, for clean and distorted cards apart, field-exact accuracy per key,
type accuracy, turn (image_angle) accuracy, and the wall time per card;
then a confusion table of types (truth by row, answer by column; `other`
is an honest "unsure", any other wrong column a wrong type) and the share
of clean passport pages whose MRZ check digits all hold (ICAO 9303 part 3).

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
    # group -> truth type -> answered type -> count
    confusion = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    mrz_valid = [0, 0]
    for pic in pics:
        with open(pic[:-4] + ".json", encoding="utf-8") as f:
            truth = json.load(f)
        r = records.get(os.path.abspath(pic), {})
        group = "distorted" if truth["distorted"] else "clean"
        got = {i["key"]: i.get("value", "") for i in r.get("items", [])}
        kind = truth["type"] + (f" {truth['side']}" if truth["side"] else "")
        if truth["type"] == "passport" and group == "clean":
            mrz_valid[0] += mrz_checks_hold(got.get("mrz", ""))
            mrz_valid[1] += 1
        for g in (group, "all"):
            confusion[g][truth["type"]][r.get("type", "(failed)")] += 1
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
    for g in ("clean", "distorted"):
        types = sorted({t for row in confusion[g].values() for t in row} | set(confusion[g]))
        short = {t: t.replace("_license", "").replace("_cards", "").replace("hongkong_idcard", "hk_id")
                 for t in types}
        print(f"\nconfusion, {g} (rows: truth, columns: answer)")
        print(f"{'':22}" + "".join(f"{short[t]:>10}" for t in types))
        wrong = total = 0
        for t in sorted(confusion[g]):
            row = confusion[g][t]
            print(f"{t:22}" + "".join(f"{row.get(c, 0) or '.':>10}" for c in types))
            total += sum(row.values())
            wrong += sum(v for c, v in row.items() if c not in (t, "other"))
        print(f"wrong type (not `other`): {wrong}/{total} = {100 * wrong / max(total, 1):.1f}%")
    if mrz_valid[1]:
        print(f"\nclean passports with every MRZ check digit valid: "
              f"{mrz_valid[0]}/{mrz_valid[1]} = {100 * mrz_valid[0] / mrz_valid[1]:.1f}%")


def mrz_check(field):
    """ICAO 9303 part 3 check digit: 0-9, A-Z as 10-35, < as 0; weights 7 3 1."""
    total = 0
    for i, c in enumerate(field):
        if c.isdigit():
            v = int(c)
        elif "A" <= c <= "Z":
            v = ord(c) - 55
        elif c == "<":
            v = 0
        else:
            return None
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def mrz_checks_hold(mrz):
    """Whether both TD3 lines are 44 characters and every check digit holds
    (document number, birth, expiry, personal number, composite)."""
    lines = mrz.split("\n")
    if len(lines) != 2 or any(len(x) != 44 for x in lines):
        return False
    l2 = lines[1]
    def ok(field, digit):
        return mrz_check(field) == digit or (digit == "<" and set(field) == {"<"})
    return (ok(l2[0:9], l2[9]) and ok(l2[13:19], l2[19]) and ok(l2[21:27], l2[27])
            and ok(l2[28:42], l2[42])
            and mrz_check(l2[0:10] + l2[13:20] + l2[21:43]) == l2[43])


if __name__ == "__main__":
    main()
