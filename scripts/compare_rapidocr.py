#!/usr/bin/env python3
"""Runs RapidOCR (rapidocr-onnxruntime 1.4.4, onnxruntime, same models) and
xocr's offline engine (the `local-ocr` example, release build) on the same
pictures; prints load time, a markdown table of median warm time per
picture (first run in brackets) and per-line text agreement, then the
lines that differ.

    python3 -m venv /tmp/rvenv
    /tmp/rvenv/bin/pip install rapidocr-onnxruntime==1.4.4
    cargo build --release --example local-ocr
    /tmp/rvenv/bin/python scripts/compare_rapidocr.py [--runs N] PICTURE...
"""
import argparse
import os
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OCR = os.environ.get("XOCR_LOCAL_OCR") or os.path.join(HERE, "..", "target", "release", "examples", "local-ocr")


def rapidocr(pictures, runs, threads):
    t = time.perf_counter()
    from rapidocr_onnxruntime import RapidOCR

    kw = {"intra_op_num_threads": threads} if threads else {}
    engine = RapidOCR(**kw)
    load = time.perf_counter() - t
    out = {}
    for p in pictures:
        times, res = [], None
        for _ in range(runs):
            t = time.perf_counter()
            res, _ = engine(p)
            times.append(time.perf_counter() - t)
        warm = times[1:] or times
        out[p] = ([r[1] for r in res or []], times[0], statistics.median(warm))
    return load, out


def xocr(pictures, runs, threads):
    extra = ["--threads", str(threads)] if threads else []
    proc = subprocess.run([OCR, "--runs", str(runs), *extra, *pictures],
                          capture_output=True, text=True, check=True)
    texts, cur = {}, None
    for line in proc.stdout.splitlines():
        if line.startswith("== "):
            cur = line[3:].rsplit(" (", 1)[0]
            texts[cur] = []
        elif cur is not None:
            texts[cur].append(line.split("\t")[2])
    load, times = None, {}
    for line in proc.stderr.splitlines():
        if line.startswith("load: "):
            load = float(line.split()[1])
        elif ": first " in line:
            name, rest = line.split(": first ", 1)
            first = float(rest.split()[0])
            med = float(rest.split("warm runs ")[1].split()[0])
            times[name] = (first, med)
    return load, {p: (texts.get(p, []), *times[p]) for p in pictures}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", type=int, default=0,
                    help="threads per picture for both engines (default: their own)")
    ap.add_argument("pictures", nargs="+")
    a = ap.parse_args()
    rl, r = rapidocr(a.pictures, a.runs, a.threads)
    xl, x = xocr(a.pictures, a.runs, a.threads)
    print(f"load: rapidocr {rl:.3f} s (incl. python import), xocr {xl:.3f} s")
    print()
    print("| picture | lines identical | RapidOCR | xocr (first run) | ratio |")
    print("|---|---:|---:|---:|---:|")
    same = total = 0
    ratios, diffs = [], []
    for p in a.pictures:
        rt, rf, rm = r[p]
        xt, xf, xm = x[p]
        # Per-line agreement: lines of one that appear verbatim in the other.
        pool = list(rt)
        ok = 0
        for t in xt:
            if t in pool:
                pool.remove(t)
                ok += 1
        n = max(len(rt), len(xt))
        same += ok
        total += n
        ratios.append(xm / rm)
        name = os.path.basename(p)
        print(f"| {name} | {ok}/{n} | {rm:.3f} s | {xm:.3f} s ({xf:.3f}) | {xm / rm:.2f} |")
        for t in sorted(set(rt) ^ set(xt)):
            diffs.append(f"{name}: {'rapidocr only' if t in rt else 'xocr only    '}: {t!r}")
    print()
    print(f"identical lines overall: {same}/{total} ({100 * same / max(total, 1):.1f}%)")
    print(f"time ratio xocr/RapidOCR: median {statistics.median(ratios):.2f}, "
          f"range {min(ratios):.2f}-{max(ratios):.2f}")
    for d in diffs:
        print("   " + d)


if __name__ == "__main__":
    main()
