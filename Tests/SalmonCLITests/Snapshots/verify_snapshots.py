"""Checks the CLI snapshots in this directory against independent implementations.

Run after regenerating the snapshots (SALMON_UPDATE_SNAPSHOTS=1 swift test --filter SalmonCLITests):

    python3 Tests/SalmonCLITests/Snapshots/verify_snapshots.py

- adjust: adjusted p-values and decisions equal statsmodels' multipletests.
- bootstrap: the estimate equals numpy's / scipy's statistic; the interval and standard error are
  close to scipy.stats.bootstrap's (different random numbers, so only loosely).
- permutation-test: the exact p-values equal scipy.stats.permutation_test's; Monte Carlo p-values
  are (1 + b)/(1 + B) (doubled for two-sided) and close to scipy's; the Clopper-Pearson interval
  and the effect sizes are recomputed.
- compare: p = (1 + b)/(1 + K) with b counted here, the interval, z, AUROC and the null summary.
- inspect: names, dtypes, shapes, element counts and CRC-32s recomputed from the fixture files
  (numpy for .npy/.npz, the header JSON and zlib.crc32 for safetensors).

Needs numpy, scipy and statsmodels. Exits 1 on any disagreement.
"""
import csv
import json
import math
import pathlib
import sys

import warnings

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels: log1p(-1) for p = 1
HERE = pathlib.Path(__file__).resolve().parent
INPUTS = HERE / "Inputs"
failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def close(a, b, rel=1e-12, abs_=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def numbers(name):
    return np.array([float(x) for x in (INPUTS / name).read_text().split()])


def column(name, col):
    with open(INPUTS / name, newline="") as f:
        return np.array([float(r[col]) for r in csv.DictReader(f)])


def rows(name):
    with open(HERE / name, newline="") as f:
        return list(csv.DictReader(f))


def truthy(s):
    return {"true": True, "false": False}[s]


# adjust ---------------------------------------------------------------------------------------
p = numbers("pvalues.txt")
methods = {"bonferroni": "bonferroni", "sidak": "sidak", "holm": "holm", "holm-sidak": "holm-sidak",
           "hochberg": "simes-hochberg", "hommel": "hommel", "bh": "fdr_bh", "by": "fdr_by"}
for ours, theirs in methods.items():
    reject, corrected, _, _ = multipletests(p, alpha=0.05, method=theirs)
    out = rows(f"adjust-{ours}.csv")
    check([int(r["index"]) for r in out] == list(range(1, len(p) + 1)), f"adjust {ours}: indices")
    check(all(close(float(r["p_value"]), x) for r, x in zip(out, p)), f"adjust {ours}: p-values echoed")
    for r, c, d in zip(out, corrected, reject):
        check(close(float(r["adjusted"]), c), f"adjust {ours} index {r['index']}: {r['adjusted']} vs statsmodels {c!r}")
        check(truthy(r["reject"]) == bool(d), f"adjust {ours} index {r['index']}: reject {r['reject']} vs statsmodels {d}")
j = json.loads((HERE / "adjust-bh.json").read_text())
reject, corrected, _, _ = multipletests(p, alpha=0.1, method="fdr_bh")
check(j["method"] == "bh" and j["alpha"] == 0.1 and j["count"] == len(p), "adjust json: header fields")
check(all(close(a, c) for a, c in zip(j["adjusted"], corrected)), "adjust json: adjusted")
check(j["reject"] == [bool(x) for x in reject], "adjust json: reject at alpha 0.1")

# bootstrap ------------------------------------------------------------------------------------
statistics = {
    "mean": np.mean, "median": np.median, "std": lambda x: np.std(x, ddof=1),
    "var": lambda x: np.var(x, ddof=1), "trimmed-mean": lambda x: stats.trim_mean(x, 0.1),
}
scipy_methods = {"percentile": "percentile", "basic": "basic", "bca": "BCa"}
a = numbers("a.txt")
for name, f in statistics.items():
    for interval, method in scipy_methods.items():
        (r,) = rows(f"bootstrap-{name}-{interval}.csv")
        est = f(a)
        check(close(float(r["estimate"]), est), f"bootstrap {name}/{interval}: estimate {r['estimate']} vs numpy {est!r}")
        check(int(r["n"]) == len(a) and int(r["resamples"]) == 999 and r["seed"] == "7", f"bootstrap {name}/{interval}: fields")
        ref = stats.bootstrap((a,), f if name != "trimmed-mean" else (lambda x: stats.trim_mean(x, 0.1)),
                              vectorized=False, n_resamples=20000, method=method, confidence_level=0.95,
                              random_state=np.random.default_rng(1))
        lo, hi, se = float(r["lower"]), float(r["upper"]), float(r["standard_error"])
        width = ref.confidence_interval.high - ref.confidence_interval.low
        # 999 resamples against 20000: allow a quarter of the interval's width (median: half, it jumps).
        tol = (0.5 if name == "median" else 0.25) * width
        check(abs(lo - ref.confidence_interval.low) < tol and abs(hi - ref.confidence_interval.high) < tol,
              f"bootstrap {name}/{interval}: [{lo}, {hi}] vs scipy [{ref.confidence_interval.low}, {ref.confidence_interval.high}]")
        check(abs(se / ref.standard_error - 1) < 0.15, f"bootstrap {name}/{interval}: se {se} vs scipy {ref.standard_error}")
        check(lo <= est <= hi or interval == "basic", f"bootstrap {name}/{interval}: estimate outside interval")
j = json.loads((HERE / "bootstrap-accuracy-bca.json").read_text())
acc = column("scores.csv", "accuracy")
check(close(j["estimate"], acc.mean()) and j["n"] == len(acc), "bootstrap json: estimate of the accuracy column")
ref = stats.bootstrap((acc,), np.mean, n_resamples=20000, method="BCa", confidence_level=0.9,
                      random_state=np.random.default_rng(1))
check(abs(j["confidenceInterval"]["lower"] - ref.confidence_interval.low) < 0.004
      and abs(j["confidenceInterval"]["upper"] - ref.confidence_interval.high) < 0.004,
      f"bootstrap json: {j['confidenceInterval']} vs scipy {ref.confidence_interval}")


# permutation-test -----------------------------------------------------------------------------
def diff_means(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def paired_mean(x, y, axis=-1):
    return np.mean(x - y, axis=axis)


def clopper_pearson(k, n, level=0.95):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="exact")
    return ci.low, ci.high


def effect_sizes(x, y):
    nx, ny = len(x), len(y)
    sp = math.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / (nx + ny - 2))
    d = (x.mean() - y.mean()) / sp
    g = d * (1 - 3 / (4 * (nx + ny) - 9))
    gt = sum((xi > yj) for xi in x for yj in y)
    lt = sum((xi < yj) for xi in x for yj in y)
    eq = nx * ny - gt - lt
    return d, g, (gt - lt) / (nx * ny), (gt + 0.5 * eq) / (nx * ny)


def check_permutation(label, r, x, y, paired, alternative, exact):
    stat = paired_mean(x, y) if paired else diff_means(x, y)
    check(close(float(r["statistic"]), stat, rel=1e-9), f"{label}: statistic {r['statistic']} vs {stat!r}")
    check(truthy(r["exact"]) == exact, f"{label}: exact flag")
    res = stats.permutation_test((x, y), paired_mean if paired else diff_means, vectorized=True,
                                 permutation_type="samples" if paired else "independent",
                                 alternative=alternative, n_resamples=np.inf if exact else 200000,
                                 random_state=np.random.default_rng(1))
    pv = float(r["p_value"])
    if exact:
        check(close(pv, res.pvalue), f"{label}: exact p {pv} vs scipy {res.pvalue!r}")
        check(int(r["arrangements"]) == len(res.null_distribution), f"{label}: arrangements")
    else:
        b, B = int(r["extreme"]), int(r["arrangements"])
        expected = (1 + b) / (1 + B) * (2 if alternative == "two-sided" else 1)
        check(close(pv, min(1, expected)), f"{label}: p {pv} is not (1+b)/(1+B) = {expected!r}")
        lo, hi = clopper_pearson(b, B)
        scale = 2 if alternative == "two-sided" else 1
        check(close(float(r["p_lower"]), min(1, scale * lo), rel=1e-9) and close(float(r["p_upper"]), min(1, scale * hi), rel=1e-9),
              f"{label}: interval [{r['p_lower']}, {r['p_upper']}] vs Clopper-Pearson x{scale} [{scale * lo}, {scale * hi}]")
        check(abs(pv - res.pvalue) < 0.02, f"{label}: Monte Carlo p {pv} far from scipy's {res.pvalue!r}")
    if not paired:
        d, g, delta, auc = effect_sizes(x, y)
        for key, value in [("cohens_d", d), ("hedges_g", g), ("cliffs_delta", delta), ("auroc", auc)]:
            check(close(float(r[key]), value, rel=1e-9), f"{label}: {key} {r[key]} vs {value!r}")


def json_as_row(j):
    r = {"statistic": j["statistic"], "p_value": j["pValue"], "exact": "true" if j["exact"] else "false",
         "extreme": j["extreme"], "arrangements": j["arrangements"], "p_lower": j["pValueInterval"]["lower"],
         "p_upper": j["pValueInterval"]["upper"]}
    if j.get("effectSizes"):
        e = j["effectSizes"]
        r.update(cohens_d=e["cohensD"], hedges_g=e["hedgesG"], cliffs_delta=e["cliffsDelta"], auroc=e["auroc"])
    return r


b_ = numbers("b.txt")
sx, sy = numbers("small_x.txt"), numbers("small_y.txt")
(r,) = rows("permutation-independent.csv")
check_permutation("permutation independent", r, a, b_, False, "two-sided", False)
(r,) = rows("permutation-paired.csv")
check_permutation("permutation paired", r, a, b_, True, "greater", False)
check_permutation("permutation paired json", json_as_row(json.loads((HERE / "permutation-paired.json").read_text())),
                  a, b_, True, "greater", False)
check_permutation("permutation independent json",
                  json_as_row(json.loads((HERE / "permutation-independent.json").read_text())), a, b_, False, "two-sided", False)
(r,) = rows("permutation-exact-independent.csv")
check_permutation("permutation exact independent", r, sx, sy, False, "two-sided", True)
check_permutation("permutation exact paired", json_as_row(json.loads((HERE / "permutation-exact-paired.json").read_text())),
                  sx, sy, True, "two-sided", True)

# compare --------------------------------------------------------------------------------------
null = numbers("null.txt")
observed = numbers("observed.txt")
K = len(null)
for alternative in ["greater", "less", "two-sided"]:
    out = rows(f"compare-{alternative}.csv")
    j = json.loads((HERE / f"compare-{alternative}.json").read_text())
    check(len(out) == len(observed) == len(j["results"]), f"compare {alternative}: one row per observed value")
    for r, jr, t in zip(out, j["results"], observed):
        ge, le = int((null >= t).sum()), int((null <= t).sum())
        p_ge, p_le = (1 + ge) / (1 + K), (1 + le) / (1 + K)
        b, pv = {"greater": (ge, p_ge), "less": (le, p_le), "two-sided": (min(ge, le), min(1, 2 * min(p_ge, p_le)))}[alternative]
        label = f"compare {alternative} T={t}"
        check(int(r["extreme"]) == b == jr["extreme"], f"{label}: b {r['extreme']} vs {b}")
        check(close(float(r["p_value"]), pv) and close(jr["pValue"], pv), f"{label}: p {r['p_value']} vs (1+b)/(1+K) {pv!r}")
        lo, hi = clopper_pearson(b, K)
        s = 2 if alternative == "two-sided" else 1
        check(close(float(r["p_lower"]), min(1, s * lo), rel=1e-9) and close(float(r["p_upper"]), min(1, s * hi), rel=1e-9),
              f"{label}: interval [{r['p_lower']}, {r['p_upper']}] vs [{s * lo}, {s * hi}]")
        z = (t - null.mean()) / np.std(null, ddof=1)
        check(close(float(r["z_score"]), z, rel=1e-9), f"{label}: z {r['z_score']} vs {z!r}")
        auc = ((null < t).sum() + 0.5 * (null == t).sum()) / K
        check(close(float(r["auroc"]), auc), f"{label}: auroc {r['auroc']} vs {auc!r}")
        for key, value in [("null_mean", null.mean()), ("null_sd", np.std(null, ddof=1)), ("null_median", np.median(null)),
                           ("null_q025", np.quantile(null, 0.025)), ("null_q975", np.quantile(null, 0.975))]:
            check(close(float(r[key]), value, rel=1e-9), f"{label}: {key} {r[key]} vs numpy {value!r}")
    check(j["nullSize"] == K and j["alternative"] == alternative, f"compare {alternative} json: fields")

# inspect --------------------------------------------------------------------------------------
import struct
import zlib

FIXTURES = HERE.parent.parent / "SalmonIOTests" / "Fixtures"


def safetensors_rows(path):
    blob = path.read_bytes()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    metadata = header.pop("__metadata__", None)
    ordered = sorted(header.items(), key=lambda kv: (kv[1]["data_offsets"], kv[0].encode()))
    return metadata, [(name, info["dtype"], info["shape"], int(np.prod(info["shape"], dtype=np.int64)),
                       f"{zlib.crc32(blob[8 + n + info['data_offsets'][0]:8 + n + info['data_offsets'][1]]):08x}")
                      for name, info in ordered]


def array_row(name, a):
    return (name, a.dtype.str, list(a.shape), int(a.size), f"{zlib.crc32(a.astype(a.dtype.newbyteorder('<')).tobytes()):08x}")


def csv_rows(name):
    return [(r["name"], r["dtype"], json.loads(r["shape"]), int(r["elements"]), r["crc32"]) for r in rows(name)]


def json_rows(j):
    return [(t["name"], t["dtype"], t["shape"], t["elements"], t["crc32"]) for t in j["tensors"]]


metadata, st_rows = safetensors_rows(FIXTURES / "all_dtypes.safetensors")
check(csv_rows("inspect-all-dtypes.csv") == st_rows, "inspect all_dtypes.safetensors csv")
j = json.loads((HERE / "inspect-all-dtypes.json").read_text())
check(json_rows(j) == st_rows and j["metadata"] == metadata and j["format"] == "safetensors",
      "inspect all_dtypes.safetensors json")
check(csv_rows("inspect-empty-and-scalar.csv") == safetensors_rows(FIXTURES / "empty_and_scalar.safetensors")[1],
      "inspect empty_and_scalar.safetensors")
check(csv_rows("inspect-float16-be.csv") == [array_row("float16_be", np.load(FIXTURES / "float16_be.npy"))],
      "inspect float16_be.npy")
with np.load(FIXTURES / "arrays.npz") as z:
    npz_rows = [array_row(k, z[k]) for k in z.files]
check(csv_rows("inspect-arrays-npz.csv") == npz_rows, "inspect arrays.npz")
with np.load(FIXTURES / "arrays_compressed.npz") as z:
    j = json.loads((HERE / "inspect-arrays-npz.json").read_text())
    check(json_rows(j) == [array_row(k, z[k]) for k in z.files] and j["format"] == "npz",
          "inspect arrays_compressed.npz json")

# identifiability audit: the claim's one-sided 95 % bounds are the exact two-sided 90 % interval.
for r in rows("identifiability-small-results.csv"):
    k = round(float(r["estimate"]) * 3)
    lo, hi = clopper_pearson(k, 3, level=float(r["bound_level"]))
    check(close(float(r["bound_lower"]), lo, rel=1e-9, abs_=1e-12) and close(float(r["bound_upper"]), hi, rel=1e-9, abs_=1e-12),
          f"identifiability {r['claim']} Clopper-Pearson bounds")

print(f"{checks} checks, {len(failures)} disagreement(s)")
sys.exit(1 if failures else 0)
