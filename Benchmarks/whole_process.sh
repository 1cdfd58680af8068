#!/usr/bin/env bash
# Whole-process benchmarks: a `salmon` command against the numpy/statsmodels/scipy script a user would
# otherwise run, each timed from start to exit with GNU time (wall seconds, peak resident memory).
# Pairs run alternately (salmon, peer, salmon, peer, ...) so that drift affects both alike.
#
#   Benchmarks/whole_process.sh [RUNS]      (default 3; needs a release build of salmon)
#
# Prints one JSON object per measurement: {"name", "impl", "wall", "peakKiB", "run"}.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
salmon=.build/release/salmon
[ -x "$salmon" ] || swift build -c release --product salmon >/dev/null
python3 -c "import numpy, scipy, statsmodels" 2>/dev/null || pip install -q numpy scipy statsmodels
data=.build/whole-process
mkdir -p "$data"
python3 - "$data" <<'PY'
import os, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
p = rng.uniform(size=1_000_000) ** 2
for n in (100_000, 1_000_000):
    path = os.path.join(d, f"p{n}.txt")
    if not os.path.exists(path):
        open(path, "w").write("\n".join(repr(float(x)) for x in p[:n]) + "\n")
path = os.path.join(d, "t100000.txt")
if not os.path.exists(path):
    x = np.random.default_rng(3).standard_t(3, size=100_000)
    open(path, "w").write("\n".join(repr(float(v)) for v in x) + "\n")
PY
measure() {  # name impl run command...
  local name=$1 impl=$2 run=$3; shift 3
  /usr/bin/time -f '%e %M' -o "$data/time" "$@" >/dev/null
  read -r wall peak < "$data/time"
  echo "{\"name\": \"$name\", \"impl\": \"$impl\", \"wall\": $wall, \"peakKiB\": $peak, \"run\": $run}"
}
for run in $(seq 1 "$runs"); do
  measure adjust_bh_1e6 deadsalmon "$run" sh -c "exec $salmon adjust --method bh $data/p1000000.txt > $data/salmon.csv"
  measure adjust_bh_1e6 "numpy+statsmodels" "$run" python3 Benchmarks/adjust_peer.py "$data/p1000000.txt" fdr_bh "$data/peer.csv"
  measure adjust_hommel_1e6 deadsalmon "$run" sh -c "exec $salmon adjust --method hommel $data/p1000000.txt > $data/salmon.csv"
  measure adjust_hommel_1e5 deadsalmon "$run" sh -c "exec $salmon adjust --method hommel $data/p100000.txt > $data/salmon.csv"
  measure adjust_hommel_1e5 "numpy+statsmodels" "$run" python3 Benchmarks/adjust_peer.py "$data/p100000.txt" hommel "$data/peer.csv"
  measure bootstrap_trimmed_mean_bca_1e5_B999 deadsalmon "$run" \
    "$salmon" bootstrap --statistic trimmed-mean --trim 0.1 --interval bca --resamples 999 "$data/t100000.txt"
  measure bootstrap_trimmed_mean_bca_1e5_B999 scipy "$run" python3 Benchmarks/trimmed_bootstrap_peer.py "$data/t100000.txt" 999
done
