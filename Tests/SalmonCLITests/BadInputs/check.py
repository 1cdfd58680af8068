#!/usr/bin/env python3
"""Runs every case of cases.json against a salmon binary and prints the failures.

    python3 Tests/SalmonCLITests/BadInputs/check.py /path/to/salmon [--only SUBSTRING] [--show] [--jobs N]

Each case runs in a fresh scratch directory (its working directory) holding:
  in/              a symlink to this folder's files/ (the read-only corpus),
  the case's `files` entries (text files at those relative paths),
  OUT/keep.txt and OUT/figures/my_plot.svg (a user's files; the token OUT in an argument,
                   alone or inside a longer argument, becomes this directory's path).
stdin is the case's `stdin` string, or empty when it is null.

A case passes when salmon exits 2, prints nothing on stdout, prints exactly one line on stderr
starting `salmon: error: ` that contains every string of `mentions`, leaves OUT/ byte for byte as
it was, creates nothing else in the scratch directory and changes nothing under files/.
--show prints every case's stderr line (for choosing mentions); --only runs the cases whose name
contains SUBSTRING; --jobs runs N cases at a time (default 1). A case slower than 2 s fails too.
Exit status: 0 when every case passes, 1 otherwise.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")
KEEP = b"notes of mine\n"
PLOT = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><text>mine</text></svg>\n"
TIMEOUT = 60.0
SLOW = 2.0


def snapshot(root):
    """Every path under root (files with their bytes' hash, directories, symlinks with their target)."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                state[rel] = "link:" + os.readlink(path)
            elif os.path.isdir(path):
                state[rel] = "dir"
            else:
                with open(path, "rb") as f:
                    state[rel] = "file:" + hashlib.sha256(f.read()).hexdigest()
    return state


def describe_difference(before, after):
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    parts = []
    if added:
        parts.append("added " + ", ".join(added[:8]))
    if removed:
        parts.append("removed " + ", ".join(removed[:8]))
    if changed:
        parts.append("changed " + ", ".join(changed[:8]))
    return "; ".join(parts)


def run_case(binary, case):
    """Returns (problems, stderr, seconds)."""
    scratch = tempfile.mkdtemp(prefix="salmon-badinput-")
    try:
        os.symlink(FILES, os.path.join(scratch, "in"))
        out = os.path.join(scratch, "OUT")
        os.makedirs(os.path.join(out, "figures"))
        with open(os.path.join(out, "keep.txt"), "wb") as f:
            f.write(KEEP)
        with open(os.path.join(out, "figures", "my_plot.svg"), "wb") as f:
            f.write(PLOT)
        for rel, text in (case.get("files") or {}).items():
            path = os.path.join(scratch, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        before = snapshot(scratch)
        args = [a.replace("OUT", out) for a in case["args"]]
        stdin = case.get("stdin")
        started = time.monotonic()
        # Standard input from a regular file, as the Swift test gives it.
        with tempfile.TemporaryFile() as stdin_file:
            stdin_file.write((stdin or "").encode("utf-8"))
            stdin_file.seek(0)
            try:
                proc = subprocess.run([binary] + args, cwd=scratch, stdin=stdin_file,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                return ["timed out after %.0f s" % TIMEOUT], "", TIMEOUT
        seconds = time.monotonic() - started
        stderr = proc.stderr.decode("utf-8", errors="replace")
        stdout = proc.stdout.decode("utf-8", errors="replace")
        problems = []
        if proc.returncode != 2:
            problems.append("exit status %d" % proc.returncode)
        if stdout:
            problems.append("stdout: %r" % stdout[:300])
        if not stderr.startswith("salmon: error: "):
            problems.append("stderr does not start with 'salmon: error: '")
        if stderr.count("\n") != 1 or not stderr.endswith("\n"):
            problems.append("stderr is not exactly one line (%d line breaks)" % stderr.count("\n"))
        mentions = case.get("mentions") or []
        if not mentions:
            problems.append("no mentions")
        for m in mentions:
            if m not in stderr:
                problems.append("stderr does not mention %r" % m)
        after = snapshot(scratch)
        if after != before:
            problems.append("scratch directory changed: " + describe_difference(before, after))
        if seconds > SLOW:
            problems.append("slow: %.2f s" % seconds)
        return problems, stderr, seconds
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    argv = sys.argv[1:]
    if not argv:
        print(__doc__)
        return 2
    binary = os.path.abspath(argv[0])
    only = None
    show = "--show" in argv
    if "--only" in argv:
        only = argv[argv.index("--only") + 1]
    with open(os.path.join(HERE, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    names = [c["name"] for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    failures = 0
    if duplicates:
        print("duplicate names: " + ", ".join(duplicates))
        failures += 1
    corpus_before = snapshot(FILES)
    selected = [c for c in cases if only is None or only in c["name"]]
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 1
    total_time = 0.0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda c: run_case(binary, c), selected))
    for case, (problems, stderr, seconds) in zip(selected, results):
        total_time += seconds
        if show:
            print("%-60s %s" % (case["name"], stderr.rstrip("\n")))
        if problems:
            failures += 1
            print("FAIL %s\n  args: %s\n  stderr: %s\n  %s" % (
                case["name"], json.dumps(case["args"]), stderr.rstrip("\n")[:500], "\n  ".join(problems)))
    if snapshot(FILES) != corpus_before:
        print("files/ changed: " + describe_difference(corpus_before, snapshot(FILES)))
        failures += 1
    print("%d cases, %d failed, %.1f s" % (len(selected), failures, total_time))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
