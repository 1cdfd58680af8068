"""Reference values of DictionaryComparison (run once; writes matching.json beside this file).

scipy.optimize.linear_sum_assignment (maximize=True) on cosine similarities of two random
dictionaries (PW-MCC), on Pearson correlations of two codes, and on plain random matrices of three
shapes; mean max cosine in both directions. Float32 inputs, float64 arithmetic.

    python3 generate_matching.py
"""
import json
import pathlib

import numpy as np
from scipy.optimize import linear_sum_assignment

rng = np.random.default_rng(20261206)


def cosines(a, b):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return (a / np.linalg.norm(a, axis=1, keepdims=True)) @ (b / np.linalg.norm(b, axis=1, keepdims=True)).T


def matched(sim):
    r, c = linear_sum_assignment(sim, maximize=True)
    return float(sim[r, c].mean()), [int(x) for x in r], [int(x) for x in c]


out = {"matrices": []}
for rows, cols in [(7, 7), (5, 9), (9, 5)]:
    m = rng.normal(size=(rows, cols))
    mean, r, c = matched(m)
    out["matrices"].append({"rows": rows, "columns": cols, "values": m.ravel().tolist(), "mean": mean, "rowIndices": r, "columnIndices": c})

width, la, lb, samples = 6, 12, 10, 40
a = rng.normal(size=(la, width)).astype(np.float32)
b = (a[:lb] + 0.3 * rng.normal(size=(lb, width))).astype(np.float32)
sim = cosines(a, b)
mean, _, _ = matched(sim)
out["dictionaries"] = {"width": width, "rowsA": la, "rowsB": lb, "a": a.ravel().tolist(), "b": b.ravel().tolist(),
                       "pwmcc": mean, "mmcsAToB": float(sim.max(axis=1).mean()), "mmcsBToA": float(sim.max(axis=0).mean()),
                       "cosines": sim.ravel().tolist()}

codes_a = np.maximum(rng.normal(size=(samples, la)), 0).astype(np.float32)
codes_a[:, 4] = 0  # a dead latent correlates 0 with everything
codes_b = np.maximum(codes_a[:, :lb] + 0.5 * rng.normal(size=(samples, lb)), 0).astype(np.float32)
ca = codes_a.astype(np.float64) - codes_a.mean(axis=0)
cb = codes_b.astype(np.float64) - codes_b.mean(axis=0)
na = np.linalg.norm(ca, axis=0)
nb = np.linalg.norm(cb, axis=0)
corr = np.zeros((la, lb))
for i in range(la):
    for j in range(lb):
        if na[i] > 0 and nb[j] > 0:
            corr[i, j] = (ca[:, i] @ cb[:, j]) / (na[i] * nb[j])
mean, _, _ = matched(corr)
out["codes"] = {"samples": samples, "latentsA": la, "latentsB": lb, "a": codes_a.ravel().tolist(), "b": codes_b.ravel().tolist(),
                "correlations": corr.ravel().tolist(), "matchedMean": mean}
path = pathlib.Path(__file__).with_name("matching.json")
path.write_text(json.dumps(out) + "\n")
print("pwmcc", out["dictionaries"]["pwmcc"], "activation matched", mean)
