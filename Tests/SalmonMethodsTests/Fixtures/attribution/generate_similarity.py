#!/usr/bin/env python3
"""Reference values for the Swift map-similarity measures and the Gauss-Legendre rule
(SalmonMethodsTests: SimilarityReferenceTests, AttributionQuadratureTests).

Writes similarity.json next to this script. Run once with numpy, scipy and scikit-image:

    python3 Tests/SalmonMethodsTests/Fixtures/attribution/generate_similarity.py

Deterministic: fixed seeds through np.random.default_rng; map values on a 2^-10 grid (short
exact decimals), outputs written with Python's shortest round-trip repr.

Conventions (one value per row of an [n, d] map pair (a, b)):
  spearman            scipy.stats.spearmanr(a_r, b_r).statistic   (average ranks for ties)
  spearman_abs        the same on |a_r|, |b_r|
  topk[k]             |top_k(a_r) & top_k(b_r)| / k, top_k = np.argsort(-abs(v), kind="stable")[:k]
                      (ties: lower feature index first)
  cosine              a_r . b_r / (||a_r|| ||b_r||)
  ssim[...]           skimage.metrics.structural_similarity(a_r.reshape(h, w), b_r.reshape(h, w),
                      data_range=L, win_size=win) with every other argument at its default
                      (uniform window, K1=0.01, K2=0.03, use_sample_covariance=True);
                      L = the given number, or for "joint" max - min over both rows of the pair.
gaussLegendre[n]      numpy.polynomial.legendre.leggauss(n): nodes on [-1, 1] and weights.
"""
import json
import os

import numpy as np
import scipy
import scipy.stats
import skimage
from skimage.metrics import structural_similarity

GRID = 2.0 ** -10


def grid(x):
    return np.round(np.asarray(x, dtype=np.float64) / GRID) * GRID


def topk(a, b, k):
    ta = set(np.argsort(-np.abs(a), kind="stable")[:k].tolist())
    tb = set(np.argsort(-np.abs(b), kind="stable")[:k].tolist())
    return len(ta & tb) / k


def spearman(a, b):
    r = scipy.stats.spearmanr(a, b).statistic
    return None if np.isnan(r) else float(r)


def case(name, a, b, h, w, ks, ssims):
    n, d = a.shape
    assert h * w == d
    out = {"name": name, "rows": n, "height": h, "width": w,
           "a": a.ravel().tolist(), "b": b.ravel().tolist(),
           "spearman": [spearman(a[r], b[r]) for r in range(n)],
           "spearmanAbsolute": [spearman(np.abs(a[r]), np.abs(b[r])) for r in range(n)],
           "cosine": [float(a[r] @ b[r] / (np.linalg.norm(a[r]) * np.linalg.norm(b[r]))) for r in range(n)],
           "topK": [{"k": k, "values": [topk(a[r], b[r], k) for r in range(n)]} for k in ks],
           "ssim": []}
    for win, data_range in ssims:
        values = []
        for r in range(n):
            L = (max(a[r].max(), b[r].max()) - min(a[r].min(), b[r].min())) if data_range == "joint" else data_range
            values.append(float(structural_similarity(a[r].reshape(h, w), b[r].reshape(h, w),
                                                      data_range=float(L), win_size=win)))
        out["ssim"].append({"windowSize": win, "dataRange": data_range, "values": values})
    return out


def main():
    rng = np.random.default_rng(20240611)
    cases = []

    # Independent Gaussian maps, 8 x 8 (a digits-sized input).
    a = grid(rng.normal(size=(6, 64)))
    b = grid(rng.normal(size=(6, 64)))
    cases.append(case("independent-8x8", a, b, 8, 8, [1, 5, 10, 64],
                      [(7, "joint"), (7, 2.0), (3, "joint"), (5, 8.0)]))

    # Correlated maps: b = a + noise at several noise levels (similarities spread over (0, 1)).
    base = rng.normal(size=(6, 64))
    scales = np.array([0.05, 0.2, 0.5, 1.0, 2.0, 5.0])[:, None]
    a = grid(base)
    b = grid(base + scales * rng.normal(size=(6, 64)))
    cases.append(case("correlated-8x8", a, b, 8, 8, [5, 10, 20], [(7, "joint"), (7, 4.0), (3, 4.0)]))

    # ReLU-like maps with many exact zeros and sign flips: ties in values and in |values|.
    a = grid(np.maximum(rng.normal(size=(5, 64)), 0) * rng.choice([-1.0, 1.0], size=(5, 64)))
    b = grid(np.where(rng.random((5, 64)) < 0.5, a, np.maximum(rng.normal(size=(5, 64)), 0)))
    b[1] = -a[1]  # identical up to sign: spearman_abs = 1, cosine = -1
    cases.append(case("relu-ties-8x8", a, b, 8, 8, [5, 10], [(7, "joint"), (5, 3.0)]))

    # A non-square image with a smooth structure (a blurred blob plus noise), window 5 and 7.
    yy, xx = np.mgrid[0:12, 0:10]
    blob = np.exp(-((yy - 5.5) ** 2 + (xx - 4.0) ** 2) / 8.0).ravel()
    a = grid(blob[None, :] + 0.1 * rng.normal(size=(4, 120)))
    b = grid(blob[None, :] * rng.uniform(0.5, 1.5, size=(4, 1)) + 0.3 * rng.normal(size=(4, 120)))
    cases.append(case("blob-12x10", a, b, 12, 10, [10, 30], [(7, "joint"), (5, 1.0), (3, "joint")]))

    gauss = [{"n": n, "nodes": np.polynomial.legendre.leggauss(n)[0].tolist(),
              "weights": np.polynomial.legendre.leggauss(n)[1].tolist()} for n in [1, 2, 3, 7, 20, 50, 64]]

    out = {"generator": "generate_similarity.py",
           "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-image": skimage.__version__},
           "cases": cases, "gaussLegendre": gauss}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "similarity.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
