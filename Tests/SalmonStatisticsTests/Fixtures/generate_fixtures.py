#!/usr/bin/env python3
"""Generate the reference JSON fixtures for the SalmonStatistics tests.

Run from anywhere:  python3 generate_fixtures.py
The JSON files are written next to this script.  Output is deterministic
(fixed numpy Generator seeds, no wall-clock or environment data), so running
the script twice with the same library versions gives byte-identical files.

Floats are written by Python's json module (repr = shortest round-trip), never
rounded.  NaN / Infinity are refused (allow_nan=False); reference cases that
would produce NaN are rejected by assertions rather than silently written.
"""

import itertools
import json
import math
import os
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import scipy
import statsmodels
from scipy import stats
from scipy.special import ndtr, ndtri
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

HERE = os.path.dirname(os.path.abspath(__file__))

GENERATOR = {
    "script": "generate_fixtures.py",
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "statsmodels": statsmodels.__version__,
}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def fl(x):
    """Python float, asserting finiteness (no NaN/Infinity in fixtures)."""
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"non-finite value {v!r}")
    return v


def flist(a):
    return [fl(v) for v in np.asarray(a, dtype=float).ravel()]


def ilist(a):
    return [int(v) for v in np.asarray(a).ravel()]


def blist(a):
    return [bool(v) for v in np.asarray(a).ravel()]


def all_finite(*values):
    return all(np.all(np.isfinite(np.asarray(v, dtype=float))) for v in values)


def write(filename, payload):
    obj = {"generator": GENERATOR}
    obj.update(payload)
    path = os.path.join(HERE, filename)
    text = json.dumps(obj, allow_nan=False, separators=(",", ":"))
    # one newline at the end; compact separators keep the folder small
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.write("\n")
    # round-trip check
    with open(path, "r", encoding="utf-8") as fh:
        back = json.load(fh)
    assert back == obj, filename
    return path


# --------------------------------------------------------------------------
# 1. multiple testing
# --------------------------------------------------------------------------

MT_METHODS = [
    ("bonferroni", "bonferroni"),
    ("sidak", "sidak"),
    ("holm", "holm"),
    ("holm-sidak", "holm-sidak"),
    ("hochberg", "simes-hochberg"),
    ("hommel", "hommel"),
    ("bh", "fdr_bh"),
    ("by", "fdr_by"),
]


def multiple_testing():
    cases = []

    def add(name, p, alpha=0.05):
        p = np.asarray(p, dtype=float)
        methods = {}
        for key, sm_name in MT_METHODS:
            with np.errstate(divide="ignore"):  # log1p(-1) for p == 1 (sidak)
                reject, adj, _, _ = multipletests(p, alpha=alpha, method=sm_name)
            if not all_finite(adj):
                print(f"  multiple_testing: dropping {name} ({key} gave NaN)")
                return
            assert adj.shape == p.shape
            # adjusted p-values must not depend on how ties were ordered
            for v in np.unique(p):
                assert np.unique(adj[p == v]).size == 1, (name, key)
                assert np.unique(reject[p == v]).size == 1, (name, key)
            methods[key] = {"adjusted": flist(adj), "reject": blist(reject)}
        cases.append({"name": name, "alpha": alpha, "pvalues": flist(p),
                      "methods": methods})

    add("m1_p0.03", [0.03])
    add("m1_p0.5", [0.5])
    add("m2_distinct", [0.04, 0.012])
    add("m2_tied", [0.03, 0.03])

    rng = np.random.default_rng(1001)
    add("m10_uniform", rng.uniform(size=10))

    rng = np.random.default_rng(1002)
    p = rng.choice(np.array([0.0, 0.01, 1.0]), size=10)
    p[0], p[1], p[2] = 0.0, 1.0, 0.01  # guarantee every value occurs
    p = rng.permutation(p)
    add("m10_heavy_ties_with_0_and_1", p)

    p = np.array([0.2, 1e-300, 0.7, 1e-12, 0.04, 0.9, 3e-7, 0.5, 0.011, 0.99])
    add("m10_tiny_and_large", p)

    rng = np.random.default_rng(1003)
    add("m1000_uniform_cubed", rng.uniform(size=1000) ** 3)

    rng = np.random.default_rng(1004)
    add("m1000_rounded_3_decimals_ties", np.round(rng.uniform(size=1000) ** 2, 3))

    rng = np.random.default_rng(1005)
    p = np.concatenate([1e-6 * rng.uniform(size=100), rng.uniform(size=900)])
    add("m1000_100_tiny_rest_uniform", rng.permutation(p))

    rng = np.random.default_rng(1006)
    add("m20_alpha0.1", rng.uniform(size=20) ** 2, alpha=0.1)

    # Boundary cases: p-values sitting exactly on statsmodels' floating-point
    # rejection thresholds.  statsmodels decides `reject` by comparing the raw
    # sorted p-value with alpha/m, 1-(1-alpha)**(1/m), alpha/(m-i+1),
    # alpha*k/m, ... -- NOT by testing adjusted <= alpha.  Here these disagree:
    # e.g. p = 0.05/11 is rejected by Bonferroni although 11*p rounds to
    # 0.05000000000000001 > 0.05.
    alpha = 0.05
    add("boundary_m11_bonferroni_sidak_holm_thresholds",
        [alpha / 11, 1 - (1 - alpha) ** (1 / 11), 0.3, 0.62, 0.8, 0.45, 0.9,
         0.55, 0.7, 0.35, 0.97])
    rng = np.random.default_rng(1008)
    p = np.concatenate([[alpha * 4 / 21] * 4, 0.2 + 0.8 * rng.uniform(size=17)])
    add("boundary_m21_bh_threshold_4_ties", rng.permutation(p))

    write("multiple_testing.json", {"cases": cases})
    return cases


# --------------------------------------------------------------------------
# 2. bootstrap intervals
# --------------------------------------------------------------------------

LEVELS = [0.8, 0.9, 0.95, 0.99]


def _stat_mean(x, axis=-1):
    return np.mean(x, axis=axis)


def _stat_median(x, axis=-1):
    return np.median(x, axis=axis)


def _stat_std(x, axis=-1):
    return np.std(x, ddof=1, axis=axis)


def _stat_var(x, axis=-1):
    return np.var(x, ddof=1, axis=axis)


def _stat_trim10(x, axis=-1):
    return stats.trim_mean(x, 0.1, axis=axis)


BOOT_STATS = {
    "mean": _stat_mean,
    "median": _stat_median,
    "std": _stat_std,
    "var": _stat_var,
    "trimmed-mean": _stat_trim10,
}


def _manual_bca(data, stat, reps, level):
    """Independent re-derivation of scipy's BCa (Efron & Tibshirani 14.3/15.4)."""
    theta = stat(data)
    B = reps.size
    pct = (np.count_nonzero(reps < theta) + np.count_nonzero(reps <= theta)) / (2 * B)
    z0 = ndtri(pct)
    n = data.size
    jack = np.array([stat(np.delete(data, i)) for i in range(n)])
    u = (n - 1) * (jack.mean() - jack)
    a = (np.sum(u ** 3) / n ** 3) / (np.sum(u ** 2) / n ** 2) ** 1.5 / 6
    za = ndtri((1 - level) / 2)
    a1 = ndtr(z0 + (z0 + za) / (1 - a * (z0 + za)))
    a2 = ndtr(z0 + (z0 - za) / (1 - a * (z0 - za)))
    return np.quantile(reps, [a1, a2], method="linear")


def bootstrap_intervals():
    cases = []

    def add(name, statistic, data, B, seed):
        data = np.asarray(data, dtype=float)
        stat = BOOT_STATS[statistic]
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, data.size, size=(B, data.size))
        reps = stat(data[idx], axis=-1)
        assert reps.shape == (B,)
        theta = stat(data, axis=-1)

        out = {"percentile": [], "basic": [], "bca": []}
        se = None
        for level in LEVELS:
            for method in ("percentile", "basic", "bca"):
                given = SimpleNamespace(bootstrap_distribution=reps.copy())
                res = stats.bootstrap((data,), stat, n_resamples=0,
                                      bootstrap_result=given, method=method,
                                      confidence_level=level, vectorized=True)
                # scipy really used exactly our replicates and nothing else
                assert np.array_equal(res.bootstrap_distribution, reps), name
                lo, hi = res.confidence_interval
                assert math.isfinite(lo) and math.isfinite(hi), (name, method, level)
                out[method].append([fl(lo), fl(hi)])
                if se is None:
                    se = fl(res.standard_error)
                assert fl(res.standard_error) == se
            # cross-check against textbook formulas computed here
            alpha = (1 - level) / 2
            q = np.quantile(reps, [alpha, 1 - alpha], method="linear")
            assert np.allclose(out["percentile"][-1], q, rtol=1e-13, atol=1e-13)
            assert np.allclose(out["basic"][-1], [2 * theta - q[1], 2 * theta - q[0]],
                               rtol=1e-13, atol=1e-13)
            assert np.allclose(out["bca"][-1], _manual_bca(data, stat, reps, level),
                               rtol=1e-12, atol=1e-12), name
        assert se == fl(np.std(reps, ddof=1))

        case = {"name": name, "statistic": statistic}
        if statistic == "trimmed-mean":
            case["trim"] = 0.1
        case.update({
            "data": flist(data),
            "estimate": fl(theta),
            "replicates": flist(reps),
            "levels": LEVELS,
            "percentile": out["percentile"],
            "basic": out["basic"],
            "bca": out["bca"],
            "standardError": se,
        })
        cases.append(case)

    rng = np.random.default_rng(2001)
    add("mean_exponential_n50_B999", "mean", rng.exponential(2.0, size=50), 999, 2101)

    rng = np.random.default_rng(2002)
    add("mean_normal_n200_B2000", "mean", rng.normal(10.0, 3.0, size=200), 2000, 2102)

    rng = np.random.default_rng(2003)
    add("mean_n10_B500", "mean", rng.normal(0.0, 1.0, size=10), 500, 2103)

    # n=41 small integers, constructed so that exactly 21 values are <= 3 and
    # 20 are >= 4: the median is 3, many replicate medians equal 3 exactly
    # (exercises the half-ties count in z0), and the jackknife medians are not
    # all equal (3 vs 3.5), so BCa's acceleration is defined.
    rng = np.random.default_rng(2004)
    low = np.concatenate([rng.integers(0, 3, size=11), np.full(10, 3)])
    high = np.concatenate([np.full(8, 4), rng.integers(4, 7, size=12)])
    data = rng.permutation(np.concatenate([low, high]).astype(float))
    assert np.median(data) == 3.0
    add("median_n41_small_integers_ties_B999", "median", data, 999, 2104)

    rng = np.random.default_rng(2005)
    add("median_even_n30_B999", "median", rng.normal(5.0, 2.0, size=30), 999, 2105)

    rng = np.random.default_rng(2006)
    add("std_n60_B999", "std", rng.gamma(3.0, 1.5, size=60), 999, 2106)

    rng = np.random.default_rng(2007)
    add("var_n25_B999", "var", rng.normal(0.0, 2.0, size=25), 999, 2107)

    rng = np.random.default_rng(2008)
    add("trimmed_mean_n40_B999", "trimmed-mean", rng.standard_t(3, size=40), 999, 2108)

    write("bootstrap_intervals.json", {"cases": cases})
    return cases


# --------------------------------------------------------------------------
# 3. correlation
# --------------------------------------------------------------------------

def correlation():
    cases = []

    def add(name, x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        r = stats.pearsonr(x, y).statistic
        rho = stats.spearmanr(x, y).statistic
        tau = stats.kendalltau(x, y, variant="b").statistic
        if not all_finite(r, rho, tau):
            print(f"  correlation: dropping {name} (NaN)")
            return
        cases.append({"name": name, "x": flist(x), "y": flist(y),
                      "pearson": fl(r), "spearman": fl(rho), "kendall": fl(tau)})

    rng = np.random.default_rng(3001)
    x = rng.normal(size=5)
    add("n5_no_ties", x, x + rng.normal(size=5))

    rng = np.random.default_rng(3002)
    x = rng.integers(0, 6, size=20).astype(float)
    add("n20_ties_in_x_only", x, x + rng.normal(size=20))

    rng = np.random.default_rng(3003)
    x = rng.integers(0, 5, size=50)
    y = np.clip(x + rng.integers(-2, 3, size=50), 0, 6)
    add("n50_ties_in_both_small_integers", x, y)

    rng = np.random.default_rng(3004)
    z = rng.normal(size=(2, 500))
    add("n500_continuous_correlated", z[0], 0.6 * z[0] + 0.8 * z[1])

    rng = np.random.default_rng(3005)
    x = rng.integers(0, 5, size=1000)
    y = np.clip(x + rng.integers(-1, 2, size=1000) * rng.integers(0, 2, size=1000), 0, 4)
    add("n1000_heavy_ties_0_to_4", x, y)

    add("n3", [1.0, 2.5, 2.0], [0.3, 0.9, 1.7])

    x = np.linspace(0.1, 3.0, 25)
    add("perfectly_monotone_nonlinear", x, np.exp(2.0 * x))

    rng = np.random.default_rng(3006)
    x = rng.normal(size=40)
    add("negatively_correlated", x, -0.7 * x + 0.5 * rng.normal(size=40))

    write("correlation.json", {"cases": cases})
    return cases


# --------------------------------------------------------------------------
# 4. quantiles
# --------------------------------------------------------------------------

QUANTILE_TYPES = {
    "1": "inverted_cdf",
    "2": "averaged_inverted_cdf",
    "3": "closest_observation",
    "4": "interpolated_inverted_cdf",
    "5": "hazen",
    "6": "weibull",
    "7": "linear",
    "8": "median_unbiased",
    "9": "normal_unbiased",
}
PROBS = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]


def quantiles():
    cases = []

    def add(name, data):
        data = np.asarray(data, dtype=float)
        types = {}
        for k, method in QUANTILE_TYPES.items():
            q = np.quantile(data, PROBS, method=method)
            types[k] = flist(q)
        cases.append({"name": name, "data": flist(data), "probabilities": PROBS,
                      "types": types})

    add("n1", [4.2])
    add("n2", [3.0, -1.5])
    rng = np.random.default_rng(4001)
    add("n7", rng.normal(size=7))
    add("n10_ties", [3.0, 1.0, 2.0, 2.0, 5.0, 3.0, 3.0, 8.0, 1.0, 2.0])
    rng = np.random.default_rng(4002)
    add("n101_normal", rng.normal(size=101))

    write("quantiles.json", {"cases": cases})
    return cases


# --------------------------------------------------------------------------
# 5. ranks
# --------------------------------------------------------------------------

RANK_METHODS = ["average", "min", "max", "dense", "ordinal"]


def ranks():
    cases = []

    def add(name, data):
        data = np.asarray(data, dtype=float)
        case = {"name": name, "data": flist(data)}
        for m in RANK_METHODS:
            r = stats.rankdata(data, method=m)
            case[m] = flist(r) if m == "average" else ilist(r)
        cases.append(case)

    rng = np.random.default_rng(5001)
    add("n8_no_ties", rng.normal(size=8))
    add("n10_ties", [2.0, 7.0, 2.0, 5.0, 7.0, 7.0, 1.0, 5.0, 9.0, 2.0])
    add("n1", [3.5])
    rng = np.random.default_rng(5002)
    add("n15_ties", rng.integers(0, 6, size=15))
    add("all_equal_n6", [4.0] * 6)
    rng = np.random.default_rng(5003)
    add("n200_small_integers", rng.integers(0, 10, size=200))

    write("ranks.json", {"cases": cases})
    return cases


# --------------------------------------------------------------------------
# 6. Clopper-Pearson
# --------------------------------------------------------------------------

def clopper_pearson():
    cases = []
    counts = {
        1: [0, 1],
        10: [0, 1, 2, 5, 9, 10],
        99: [0, 1, 7, 50, 98, 99],
        999: [0, 1, 3, 100, 500, 998, 999],
        9999: [0, 1, 10, 2500, 5000, 9998, 9999],
    }
    for n, ks in counts.items():
        for k in ks:
            for level in (0.95, 0.99):
                lo, hi = proportion_confint(k, n, alpha=1 - level, method="beta")
                cases.append({"count": k, "total": n, "level": level,
                              "lower": fl(lo), "upper": fl(hi)})
    write("clopper_pearson.json", {"cases": cases})
    return cases


# --------------------------------------------------------------------------
# 7. exact permutation tests
# --------------------------------------------------------------------------

def _diff_means(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def _mean_diff(x, y, axis=-1):
    return np.mean(x - y, axis=axis)


def permutation_tests():
    independent, paired = [], []

    def run(a, b, statistic, ptype):
        pv = {}
        size = None
        obs = None
        for alt in ("greater", "less", "two-sided"):
            res = stats.permutation_test((a, b), statistic, permutation_type=ptype,
                                         vectorized=True, n_resamples=np.inf,
                                         alternative=alt, axis=-1)
            pv[alt] = fl(res.pvalue)
            size = res.null_distribution.size
            obs = fl(res.statistic)
        return obs, size, pv

    def add_ind(name, a, b):
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        obs, size, pv = run(a, b, _diff_means, "independent")
        assert size == math.comb(a.size + b.size, a.size), name
        assert obs == fl(np.mean(a) - np.mean(b))
        # brute-force enumeration of all C(na+nb, na) splits, with scipy's
        # relative tolerance gamma = 100*eps*|observed| for "equal" values
        z = np.concatenate([a, b])
        null = []
        for chosen in itertools.combinations(range(z.size), a.size):
            mask = np.zeros(z.size, dtype=bool)
            mask[list(chosen)] = True
            null.append(np.mean(z[mask]) - np.mean(z[~mask]))
        null = np.array(null)
        gamma = abs(100 * np.finfo(float).eps * obs)
        g = np.count_nonzero(null >= obs - gamma) / null.size
        l = np.count_nonzero(null <= obs + gamma) / null.size
        assert (pv["greater"], pv["less"], pv["two-sided"]) == (g, l, min(1.0, 2 * min(g, l))), name
        independent.append({"name": name, "a": flist(a), "b": flist(b),
                            "statistic": obs, "exact": True, "nullSize": int(size),
                            "pValue": pv})

    def add_pair(name, a, b):
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        obs, size, pv = run(a, b, _mean_diff, "samples")
        assert size == 2 ** a.size, name
        assert obs == fl(np.mean(a - b))
        # brute-force sign-flip check (data are on a dyadic grid, so every sum
        # is exact and no tolerance is needed)
        d = a - b
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=d.size)))
        null = (signs * d).mean(axis=1)
        g = np.count_nonzero(null >= obs) / null.size
        l = np.count_nonzero(null <= obs) / null.size
        assert (pv["greater"], pv["less"], pv["two-sided"]) == (g, l, min(1.0, 2 * min(g, l))), name
        paired.append({"name": name, "a": flist(a), "b": flist(b),
                       "statistic": obs, "exact": True, "nullSize": int(size),
                       "pValue": pv})

    rng = np.random.default_rng(7001)
    add_ind("independent_6_6", rng.normal(1.0, 1.0, size=6), rng.normal(0.0, 1.0, size=6))
    rng = np.random.default_rng(7002)
    add_ind("independent_5_8", rng.normal(0.3, 1.0, size=5), rng.normal(0.0, 1.0, size=8))
    # integer data: theoretically equal null values are bitwise equal
    add_ind("independent_4_4_ties", [3.0, 5.0, 5.0, 7.0], [2.0, 3.0, 3.0, 5.0])
    add_ind("independent_7_7_outlier",
            [1.25, 0.5, 2.0, 1.75, 0.25, 1.5, 12.5],
            [0.75, 1.0, 0.5, 1.25, 0.0, 1.5, 1.0])

    # paired data on a 1/4 grid (dyadic): all sums exact in any order
    rng = np.random.default_rng(7003)
    b = np.round(rng.normal(10.0, 2.0, size=8) * 4) / 4
    a = b + np.round(rng.normal(0.5, 1.0, size=8) * 4) / 4
    add_pair("paired_n8", a, b)
    rng = np.random.default_rng(7004)
    b = np.round(rng.normal(20.0, 3.0, size=10) * 4) / 4
    a = b + np.round(rng.normal(-0.4, 1.0, size=10) * 4) / 4
    add_pair("paired_n10", a, b)
    # n=12 with one zero difference and tied absolute differences (+1.5/-1.5, 2/2)
    b = np.array([10.0, 11.5, 9.25, 12.0, 8.5, 10.75, 11.0, 9.5, 10.25, 12.5, 9.0, 10.5])
    d = np.array([0.0, 1.5, -1.5, 2.0, 2.0, 0.75, -0.25, 1.5, 3.0, -2.0, 0.5, 1.25])
    add_pair("paired_n12_zero_and_tied_abs_differences", b + d, b)

    write("permutation_tests.json", {"independent": independent, "paired": paired})
    return independent, paired


# --------------------------------------------------------------------------
# 8. effect sizes
# --------------------------------------------------------------------------

def effect_sizes():
    two, against = [], []

    def add_two(name, x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        nx, ny = x.size, y.size
        sp = math.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1))
                       / (nx + ny - 2))
        d = (np.mean(x) - np.mean(y)) / sp
        g = d * (1 - 3 / (4 * (nx + ny) - 9))
        gt = int(np.count_nonzero(x[:, None] > y[None, :]))
        lt = int(np.count_nonzero(x[:, None] < y[None, :]))
        eq = nx * ny - gt - lt
        u = stats.mannwhitneyu(x, y).statistic
        assert u == gt + 0.5 * eq, (name, u, gt, eq)
        auroc = u / (nx * ny)
        assert auroc == (gt + 0.5 * eq) / (nx * ny)
        cliff = (gt - lt) / (nx * ny)
        if not all_finite(d, g, auroc, cliff):
            print(f"  effect_sizes: dropping {name} (NaN)")
            return
        two.append({"name": name, "x": flist(x), "y": flist(y), "cohensD": fl(d),
                    "hedgesG": fl(g), "cliffsDelta": fl(cliff), "auroc": fl(auroc)})

    rng = np.random.default_rng(8001)
    add_two("ties_small_integers_12_15", rng.integers(0, 6, size=12), rng.integers(0, 5, size=15))
    rng = np.random.default_rng(8002)
    add_two("unequal_sizes_5_40", rng.normal(0.8, 1.0, size=5), rng.normal(0.0, 1.5, size=40))
    rng = np.random.default_rng(8003)
    x = rng.normal(3.0, 1.0, size=10)
    add_two("identical_samples", x, x.copy())
    add_two("fully_separated_x_above", [5.0, 6.5, 7.0, 8.25, 9.0], [1.0, 2.0, 2.5, 3.0, 4.75, 4.0])
    add_two("fully_separated_x_below", [-3.0, -2.5, -1.0], [0.5, 1.0, 1.5, 2.0])
    rng = np.random.default_rng(8004)
    add_two("continuous_30_25", rng.normal(0.4, 1.0, size=30), rng.normal(0.0, 1.2, size=25))

    def add_null(name, observed, null):
        null = np.asarray(null, dtype=float)
        z = (observed - np.mean(null)) / np.std(null, ddof=1)
        against.append({"name": name, "observed": fl(observed), "null": flist(null),
                        "z": fl(z)})

    rng = np.random.default_rng(8101)
    add_null("null_normal_1000_obs_2.5", 2.5, rng.normal(0.0, 1.0, size=1000))
    rng = np.random.default_rng(8102)
    add_null("null_n20_obs_inside", 0.3, rng.normal(0.5, 0.2, size=20))
    rng = np.random.default_rng(8103)
    add_null("null_skewed_200_obs_below", -1.0, rng.exponential(1.0, size=200))

    write("effect_sizes.json", {"twoSample": two, "againstNull": against})
    return two, against


# --------------------------------------------------------------------------
# 9. descriptive statistics
# --------------------------------------------------------------------------

def descriptive():
    cases = []

    def add(name, data):
        data = np.asarray(data, dtype=float)
        n = data.size
        c = {
            "name": name,
            "data": flist(data),
            "mean": fl(np.mean(data)),
            "variance": fl(np.var(data, ddof=1)),
            "standardDeviation": fl(np.std(data, ddof=1)),
            "median": fl(np.median(data)),
            "trimmedMean10": fl(stats.trim_mean(data, 0.1)),
            "trimmedMean25": fl(stats.trim_mean(data, 0.25)),
            "minimum": fl(np.min(data)),
            "maximum": fl(np.max(data)),
        }
        if n >= 4:
            c["skewness"] = fl(stats.skew(data, bias=False))
            c["excessKurtosis"] = fl(stats.kurtosis(data, bias=False, fisher=True))
        cases.append(c)

    add("n3_upward", [1.0, 2.0, 4.0])
    rng = np.random.default_rng(9001)
    add("n10_normal", rng.normal(5.0, 2.0, size=10))
    rng = np.random.default_rng(9002)
    add("n1000_lognormal", rng.lognormal(0.0, 1.0, size=1000))
    # 1e9 + noise with sd ~1e-3, snapped to a 2^-16 grid, n = 64: every
    # partial sum is exact in double precision whatever the summation order,
    # the mean (sum / 64) is exact, and so are the deviations, their squares
    # and cubes.  The reference values therefore equal the exact values of
    # these doubles (checked with rationals below) instead of depending on how
    # numpy rounded the mean -- with a mean that is off by one ulp of 1e9
    # (1.2e-7) the skewness of such data moves by ~4e-4.
    rng = np.random.default_rng(9003)
    noise = np.round(rng.normal(0.0, 1e-3, size=64) * 2.0 ** 16) / 2.0 ** 16
    data = 1e9 + noise
    add("n64_offset_1e9_small_noise", data)
    exact = [Fraction(v) for v in data]
    mu = sum(exact) / len(exact)
    assert Fraction(float(np.mean(data))) == mu
    dev = [v - mu for v in exact]
    m2, m3, m4 = (sum(d ** k for d in dev) / len(dev) for k in (2, 3, 4))
    n = len(dev)
    var_exact = float(m2 * n / (n - 1))
    skew_exact = math.sqrt((n - 1) * n) / (n - 2) * float(m3) / float(m2) ** 1.5
    kurt_exact = (float((n * n - 1) * m4 / m2 ** 2) - 3 * (n - 1) ** 2) / ((n - 2) * (n - 3))
    c = cases[-1]
    assert abs(c["variance"] - var_exact) <= 1e-15 * var_exact
    assert abs(c["skewness"] - skew_exact) <= 1e-13
    assert abs(c["excessKurtosis"] - kurt_exact) <= 1e-13
    rng = np.random.default_rng(9004)
    add("n20_ties_small_integers", rng.integers(0, 5, size=20))

    write("descriptive.json", {"cases": cases})
    return cases


# --------------------------------------------------------------------------

def main():
    mt = multiple_testing()
    bs = bootstrap_intervals()
    co = correlation()
    qu = quantiles()
    rk = ranks()
    cp = clopper_pearson()
    ind, par = permutation_tests()
    two, against = effect_sizes()
    de = descriptive()
    print(f"multiple_testing.json:    {len(mt)} cases")
    print(f"bootstrap_intervals.json: {len(bs)} cases")
    print(f"correlation.json:         {len(co)} cases")
    print(f"quantiles.json:           {len(qu)} cases")
    print(f"ranks.json:               {len(rk)} cases")
    print(f"clopper_pearson.json:     {len(cp)} cases")
    print(f"permutation_tests.json:   {len(ind)} independent, {len(par)} paired")
    print(f"effect_sizes.json:        {len(two)} twoSample, {len(against)} againstNull")
    print(f"descriptive.json:         {len(de)} cases")


if __name__ == "__main__":
    main()
