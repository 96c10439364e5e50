#!/usr/bin/env python3
"""Benchmark (not a test): how long after an article is saved `kbgen serve` serves it changed.

    kbgen/bench/serve_edit.py target/release/kbgen KB_DIR [EDITS]   (KB from gen_kb.py 10000)

Starts the preview, then EDITS times (default 10) adds a sentence to one article (a different
one each time, written to a temporary file and renamed over it, as editors save) and polls its
page every 2 ms until the sentence is there: that is the edit-to-page time. It also reports how
long the full build that follows takes to complete (`complete` in /_kbgen/status), and how often
the live-reload version moved per edit (1 means the open page reloaded once).
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

binary, kb = sys.argv[1], sys.argv[2]
edits = int(sys.argv[3]) if len(sys.argv) > 3 else 10

proc = subprocess.Popen([binary, "serve", kb, "--port", "0"], stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, text=True)
try:
    line = proc.stdout.readline()
    base = re.search(r"at (http://\S+/)", line).group(1)

    def get(path):
        with urllib.request.urlopen(base + path) as r:
            return r.read().decode()

    def status():
        return json.loads(get("_kbgen/status"))

    articles = sorted(
        os.path.join(d, f) for d, _, fs in os.walk(os.path.join(kb, "articles"))
        for f in fs if f.endswith(".md"))
    step = max(1, len(articles) // edits)
    pick = [articles[(n * step) % len(articles)] for n in range(edits)]
    shown, complete, reloads = [], [], []
    for n in range(edits):
        path = pick[n]
        text = open(path, encoding="utf-8").read()
        marker = f"Edited sentence number {n} {time.time_ns()}."
        lang = os.path.relpath(path, os.path.join(kb, "articles")).split(os.sep)[0]
        slug = re.search(r"^id: *(\S+)", text, re.M)
        slug = slug.group(1) if slug else os.path.splitext(os.path.basename(path))[0]
        page = f"{lang}/{slug}/"
        while not status()["complete"]:
            time.sleep(0.05)
        before = status()["version"]
        tmp = path + ".tmp~"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text + "\n" + marker + "\n")
        t0 = time.perf_counter()
        os.replace(tmp, path)
        while marker not in get(page):
            time.sleep(0.002)
        shown.append(time.perf_counter() - t0)
        while not status()["complete"]:
            time.sleep(0.01)
        complete.append(time.perf_counter() - t0)
        time.sleep(0.3)
        reloads.append(status()["version"] - before)

    def ms(v):
        v = sorted(v)
        return f"median {v[len(v) // 2] * 1000:.0f} ms, max {v[-1] * 1000:.0f} ms"

    print(f"{len(articles)} articles, {edits} edits")
    print(f"edit -> page served: {ms(shown)}")
    print(f"edit -> full build complete: {ms(complete)}")
    print(f"page reloads per edit: {reloads}")
finally:
    proc.terminate()
    proc.wait()
