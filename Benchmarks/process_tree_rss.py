#!/usr/bin/env python3
"""Peak resident memory of a whole process tree (a process and every descendant, summed).

    python3 Benchmarks/process_tree_rss.py PID OUT     # polls until PID exits; writes "RSS PSS" peaks (KiB) to OUT

GNU time's %M is the largest single process's peak RSS (getrusage's ru_maxrss), which undercounts a
command that runs its work in worker processes (joblib/loky). This samples /proc every 100 ms and
sums VmRSS over PID and its descendants, and their Pss (proportional set size, /proc/PID/smaps_rollup:
a page shared by n processes counts 1/n in each), and writes the peak of each sum to OUT. The RSS sum
counts shared pages (libtorch mapped in every worker) once per process, an upper-side estimate; the
PSS sum counts them once, the tree's actual footprint. Sampling can miss a peak shorter than the
interval. Used by whole_audits.sh.
"""
import os
import sys
import time


def children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def field_kib(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    root, out = int(sys.argv[1]), sys.argv[2]
    peak_rss = peak_pss = 0
    while os.path.exists(f"/proc/{root}"):
        kids, rss, pss, stack = children_map(), 0, 0, [root]
        while stack:
            pid = stack.pop()
            rss += field_kib(f"/proc/{pid}/status", "VmRSS:")
            pss += field_kib(f"/proc/{pid}/smaps_rollup", "Pss:")
            stack.extend(kids.get(pid, []))
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.1)
    with open(out, "w") as f:
        f.write(f"{peak_rss} {peak_pss}\n")


if __name__ == "__main__":
    main()
