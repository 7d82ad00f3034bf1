#!/usr/bin/env python3
"""Offline engine speed, whole process, side by side in one run: xocr
before (a git revision) and after (the working tree), and RapidOCR's CLI
(rapidocr-onnxruntime 1.4.4 on onnxruntime, the same models).

    python3 scripts/bench_speed.py [--before REV] [--runs 7] [--batch DIR]

Measures, with the runs of every command interleaved (before, after,
RapidOCR, before, after, ...) so that drift on a shared machine hits all
alike, and reports medians:
  - one card, `xocr scan --engine local -o json examples/id-card-front.jpg`:
    wall and CPU time, peak RSS;
  - start-up: the same on a blank 128x128 PNG (nothing to read), and on
    one holding a word (detection then runs, at 960 px);
  - a 12 MP photo (4000x3000) with the card covering a quarter of it;
  - a batch (--batch DIR, e.g. 240 cards from scripts/specimens.py with
    --types id_card,bank_card) at the default -j: time per card, peak RSS;
  - the release binary's size and both cold-or-warm build times.

Builds both revisions with `cargo build --release` in target/bench (the
dependencies shared; the before revision in a git worktree under /tmp),
with symbols stripped for both so the profiles match. RapidOCR is
installed into ${BENCH_VENV:-/tmp/xocr-rapidocr-venv} when missing.
Needs Pillow for the pictures it makes.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.path.join(ROOT, "target", "bench")
VENV = os.environ.get("BENCH_VENV", "/tmp/xocr-rapidocr-venv")


def build(src, env_extra=None):
    """Release build of xocr in `src`; returns (seconds, binary path)."""
    env = dict(os.environ, CARGO_PROFILE_RELEASE_STRIP="symbols", **(env_extra or {}))
    t = time.perf_counter()
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "--quiet", "--bin", "xocr", "--target-dir", TARGET],
        cwd=src, env=env, check=True,
    )
    return time.perf_counter() - t, os.path.join(TARGET, "release", "xocr")


def measure(cmd):
    """Runs cmd; returns (wall s, cpu s, peak RSS MB)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{cmd} failed with {status}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def interleaved(cmds, runs):
    """{name: [(wall, cpu, rss), ...]} over `runs` rounds, one warm-up."""
    out = {name: [] for name in cmds}
    for name, cmd in cmds.items():
        measure(cmd)  # page cache, first-run effects
    for _ in range(runs):
        for name, cmd in cmds.items():
            out[name].append(measure(cmd))
    return out


def med(rows, k):
    return statistics.median(r[k] for r in rows)


def table(title, res, base=None):
    print(f"\n{title}\n")
    print("| command | wall, median | CPU, median | peak RSS | wall vs " + (base or "-") + " |")
    print("|---|---:|---:|---:|---:|")
    for name, rows in res.items():
        ratio = f"{med(rows, 0) / med(res[base], 0):.2f}" if base else "-"
        print(f"| {name} | {med(rows, 0):.3f} s | {med(rows, 1):.3f} s | {med(rows, 2):.0f} MB | {ratio} |")


def pictures(tmp):
    from PIL import Image, ImageDraw

    blank = os.path.join(tmp, "blank.png")
    Image.new("RGB", (128, 128), "white").save(blank)
    word = os.path.join(tmp, "word.png")
    small = Image.new("RGB", (128, 128), "white")
    ImageDraw.Draw(small).text((30, 58), "xocr 2026", fill="black")
    small.save(word)
    card = Image.open(os.path.join(ROOT, "examples", "id-card-front.jpg")).convert("RGB")
    photo = Image.new("RGB", (4000, 3000), (120, 96, 70))
    d = ImageDraw.Draw(photo)
    for y in range(0, 3000, 14):  # wood-like grain
        d.line([(0, y), (4000, y + 40)], fill=(100 + y % 37, 80 + y % 23, 60), width=5)
    w = 2000
    h = round(card.height * w / card.width)
    photo.paste(card.resize((w, h)), (900, 700))
    big = os.path.join(tmp, "photo-12mp.jpg")
    photo.save(big, quality=92)
    return blank, word, big


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", default="HEAD", help="git revision to compare with")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--batch", help="directory of cards for the batch measurement")
    ap.add_argument("--batch-runs", type=int, default=2)
    a = ap.parse_args()

    if not os.path.exists(os.path.join(VENV, "bin", "rapidocr_onnxruntime")):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "--quiet", "rapidocr-onnxruntime==1.4.4"], check=True)
    rapid = os.path.join(VENV, "bin", "rapidocr_onnxruntime")

    tmp = tempfile.mkdtemp(prefix="xocr-speed-")
    tree = os.path.join(tmp, "before")
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", tree, a.before], cwd=ROOT, check=True)
    try:
        cold = not os.path.isdir(os.path.join(TARGET, "release"))
        t_before, b = build(tree)
        before = os.path.join(tmp, "xocr-before")
        shutil.copy(b, before)
        t_after, b = build(ROOT)
        after = os.path.join(tmp, "xocr-after")
        shutil.copy(b, after)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=ROOT)

    print(f"machine: {os.cpu_count()} cores; before = {a.before}, after = working tree")
    print(f"release builds: before {t_before:.0f} s ({'cold' if cold else 'warm'} dependencies), after {t_after:.0f} s")
    print(f"binary, stripped: before {os.path.getsize(before) / 1e6:.1f} MB, after {os.path.getsize(after) / 1e6:.1f} MB")

    blank, word, big = pictures(tmp)
    card = os.path.join(ROOT, "examples", "id-card-front.jpg")
    scan = ["scan", "--engine", "local", "-o", "json"]
    for title, pic in (("one card (examples/id-card-front.jpg)", card),
                       ("start-up (blank 128x128 PNG)", blank),
                       ("a 128x128 PNG with one word", word),
                       ("12 MP photo, card a quarter of it", big)):
        cmds = {"xocr before": [before, *scan, pic], "xocr after": [after, *scan, pic]}
        if pic != big:
            cmds["RapidOCR CLI"] = [rapid, "-img", pic]
        res = interleaved(cmds, a.runs)
        table(f"{title}, {a.runs} interleaved runs", res, "RapidOCR CLI" if pic != big else "xocr before")

    if a.batch:
        n = len([f for f in os.listdir(a.batch) if f.endswith((".jpg", ".png"))])
        cmds = {"xocr before": [before, "scan", "--engine", "local", "-r", "-o", "jsonl", a.batch],
                "xocr after": [after, "scan", "--engine", "local", "-r", "-o", "jsonl", a.batch]}
        res = {k: [] for k in cmds}
        for _ in range(a.batch_runs):
            for k, c in cmds.items():
                res[k].append(measure(c))
        print(f"\nbatch of {n} pictures ({a.batch}), default -j, {a.batch_runs} interleaved runs\n")
        print("| command | per picture, median | CPU per picture | peak RSS |")
        print("|---|---:|---:|---:|")
        for k, rows in res.items():
            print(f"| {k} | {med(rows, 0) / n * 1000:.0f} ms | {med(rows, 1) / n * 1000:.0f} ms | {med(rows, 2):.0f} MB |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
