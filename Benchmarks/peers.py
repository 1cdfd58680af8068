"""Python peers of the DeadSalmon benchmarks, timed the same way (best of several runs).

One JSON object per line, like salmon-bench. Run by run.sh in the same session as the Swift side.
"""
import json
import time

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
from statsmodels.stats.multitest import multipletests


def best(runs, fn):
    result = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        result = min(result, time.perf_counter() - start)
    return result


def report(name, **fields):
    fields["name"] = name
    print(json.dumps(fields, sort_keys=True), flush=True)


rng = np.random.default_rng(1)
x = rng.exponential(size=10_000)
out = {}
t = best(3, lambda: out.setdefault("ci", st.bootstrap((x,), np.mean, n_resamples=9_999, method="BCa",
                                                        vectorized=True, rng=rng).confidence_interval))
report("bootstrap_bca_mean_n10000_B9999", seconds=t, peer=f"scipy {scipy.__version__} stats.bootstrap")

correct = (rng.random(10_000) < 0.91).astype(float)
t = best(3, lambda: st.bootstrap((correct,), np.mean, n_resamples=9_999, method="BCa", vectorized=True, rng=rng))
report("bootstrap_bca_mean_binary_n10000_B9999", seconds=t, peer=f"scipy {scipy.__version__} stats.bootstrap")

a = rng.normal(size=500)
b = rng.normal(size=500) + 0.1


def diff(x, y, axis):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


t = best(3, lambda: st.permutation_test((a, b), diff, n_resamples=9_999, vectorized=True, rng=rng))
report("permutation_independent_500_500_B9999", seconds=t, peer=f"scipy {scipy.__version__} stats.permutation_test")

p = rng.random(1_000_000) ** 3
t = best(5, lambda: multipletests(p, alpha=0.05, method="fdr_bh"))
report("bh_1e6", seconds=t, peer=f"statsmodels {statsmodels.__version__} multipletests fdr_bh")
