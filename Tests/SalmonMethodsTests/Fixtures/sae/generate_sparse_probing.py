"""Reference values of SparseProbe (run once; writes sparse_probing.json beside this file).

A nonnegative sparse code (float32, as the Swift code holds it) with binary labels carried by a
few latents; on the training rows, latents ranked by |mean(class 1) - mean(class 0)| (ties to the
lower index, as a stable sort of -difference gives), the top k kept, and scikit-learn's
LogisticRegression() (L2, C = 1, lbfgs, float64) fitted on their raw activations, as SAEBench's
sparse_probing eval does (sae_bench/evals/sparse_probing/probe_training.py). Written: the kept
latents, the coefficients and intercept, and the test rows' predictions and accuracy, for k in
1, 3, 6.

    python3 generate_sparse_probing.py
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(20261206)
rows, width, train = 300, 24, 200
labels = rng.integers(0, 2, size=rows)
code = np.maximum(rng.normal(size=(rows, width)) - 0.8, 0)
# Latents 5, 11 and 17 fire more with the concept (by different amounts); 2 fires less.
for j, shift in [(5, 1.2), (11, 0.7), (17, 0.4), (2, -0.6)]:
    code[:, j] = np.maximum(code[:, j] + shift * labels + rng.normal(size=rows) * 0.3, 0)
code = code.astype(np.float32)

x_train, y_train = code[:train].astype(np.float64), labels[:train]
x_test, y_test = code[train:].astype(np.float64), labels[train:]
difference = np.abs(x_train[y_train == 1].mean(axis=0) - x_train[y_train == 0].mean(axis=0))
ranked = np.argsort(-difference, kind="stable")
cases = []
for k in (1, 3, 6):
    kept = ranked[:k]
    probe = LogisticRegression(tol=1e-10, max_iter=10000).fit(x_train[:, kept], y_train)
    predictions = probe.predict(x_test[:, kept])
    cases.append({
        "k": k, "latents": kept.tolist(),
        "coefficients": probe.coef_[0].tolist(), "intercept": float(probe.intercept_[0]),
        "predictions": predictions.tolist(), "accuracy": float((predictions == y_test).mean()),
    })
out = {
    "sklearn": sklearn.__version__, "rows": rows, "width": width, "train": train,
    "code": code.ravel().tolist(), "labels": labels.tolist(), "cases": cases,
}
pathlib.Path(__file__).with_name("sparse_probing.json").write_text(json.dumps(out))
print([(c["k"], c["latents"], c["accuracy"]) for c in cases])
