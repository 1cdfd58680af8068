#!/usr/bin/env python3
"""Reference values for the Swift probe implementations (SalmonMethodsTests).

Writes probes.json next to this script. Run once with scikit-learn / numpy:

    python3 Tests/SalmonMethodsTests/Fixtures/generate_probes.py

Deterministic: fixed seeds through np.random.default_rng, and floats written with
Python's shortest round-trip repr, so re-running gives a byte-identical file (for the same
numpy / scikit-learn / BLAS).

Inputs (X, y for ridge, PCA labels) are float32-representable: they are generated in float64,
cast to float32 and back to float64 before fitting, so the Swift side can hold them in Float
exactly. Inputs are also rounded to a 2^-10 grid first, which keeps their decimal form short
(the file stays small) without changing anything else. Outputs are full float64.

Conventions
-----------
logistic, binary (classes == 2), s_i = +1 for y_i == 1 and -1 for y_i == 0:
    objective = sum_i log(1 + exp(-s_i * (x_i . w + b))) + (1 / (2C)) * ||w||^2
logistic, multinomial (classes > 2), W has one row per class (all K rows penalized):
    objective = -sum_i log softmax(W x_i + b)[y_i] + (1 / (2C)) * ||W||_F^2
The intercepts are never penalized. scikit-learn's lbfgs minimizes the same function divided
by n (mean loss + ||w||^2 / (2 C n)), which has the same minimizer; `objective` here is the
SUM form above, computed in numpy from the fitted coefficients.

In the multinomial case the objective is invariant to adding one constant to every intercept,
so the intercepts are determined only up to that constant; `intercept_centered` is the
intercept minus its mean (sklearn's lbfgs starts from zero and every gradient step keeps the
intercept sum at zero, so sklearn's own intercepts are already centered up to round-off). At
the optimum the penalized rows of W also sum to zero over classes (column-wise), which makes W
itself unique.

ridge: objective ||y - X w - b||^2 + alpha ||w||^2, intercept unpenalized (sklearn Ridge,
solver="cholesky").

pcaCorrelation: PCA(n_components=k, svd_solver="full") on X (centered by PCA); for each of the
top-k components (decreasing explained variance) |Pearson r(label, component score)|.
"""
import json
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.special import logsumexp
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "probes.json")

GRID = 2.0 ** -10


def f32(a):
    """Round to the 2^-10 grid, then make exactly float32-representable, returned as float64."""
    a = np.round(np.asarray(a, dtype=np.float64) / GRID) * GRID
    out = a.astype(np.float32).astype(np.float64)
    assert np.array_equal(out, a)
    return out


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel(order="C")]


# ----------------------------------------------------------------------------- logistic

def logistic_objective(X, y, classes, C, W, b):
    """Sum-form objective (see module docstring). W: (d,) binary or (K, d) multinomial."""
    if classes == 2:
        z = X @ W + b[0]
        s = np.where(y == 1, 1.0, -1.0)
        return float(np.sum(np.logaddexp(0.0, -s * z)) + np.dot(W, W) / (2.0 * C))
    Z = X @ W.T + b
    nll = np.sum(logsumexp(Z, axis=1) - Z[np.arange(len(y)), y])
    return float(nll + np.sum(W * W) / (2.0 * C))


def logistic_gradient(X, y, classes, C, W, b):
    """Gradient of the sum-form objective with respect to (W, b), flattened."""
    if classes == 2:
        p = 1.0 / (1.0 + np.exp(-(X @ W + b[0])))
        r = p - y
        return np.concatenate([X.T @ r + W / C, [r.sum()]])
    Z = X @ W.T + b
    P = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
    P[np.arange(len(y)), y] -= 1.0
    return np.concatenate([(P.T @ X + W / C).ravel(), P.sum(axis=0)])


def check_minimum(X, y, classes, C, W, b, rng):
    """Perturb (W, b) in random and coordinate directions; the objective must not decrease.

    Returns (max |gradient|, smallest increase seen, max decrease seen)."""
    f0 = logistic_objective(X, y, classes, C, W, b)
    g = logistic_gradient(X, y, classes, C, W, b)
    theta = np.concatenate([W.ravel(), b])
    nW = W.size
    worst_decrease = 0.0
    min_increase = np.inf
    directions = [np.eye(theta.size)[i] for i in range(theta.size)]
    directions += [v / np.linalg.norm(v) for v in rng.normal(size=(20, theta.size))]
    for eps in (1e-3, 1e-5):
        for v in directions:
            for sgn in (1.0, -1.0):
                t = theta + sgn * eps * v
                f = logistic_objective(X, y, classes, C, t[:nW].reshape(W.shape), t[nW:], )
                worst_decrease = max(worst_decrease, f0 - f)
                min_increase = min(min_increase, f - f0)
    return float(np.max(np.abs(g))), float(min_increase), float(worst_decrease), f0


def newton_polish(X, y, classes, C, W, b, steps=20):
    """Newton iterations on the sum-form objective, to measure how far sklearn's lbfgs stopped
    from the exact minimizer. Not written to the fixture. The multinomial Hessian is singular
    along "shift every intercept by the same constant", so the step uses a pseudo-inverse."""
    n, d = X.shape
    Xa = np.hstack([X, np.ones((n, 1))])
    if classes == 2:
        theta = np.concatenate([W, b])
        pen = np.full(d + 1, 1.0 / C)
        pen[-1] = 0.0
        for _ in range(steps):
            p = 1.0 / (1.0 + np.exp(-(Xa @ theta)))
            g = Xa.T @ (p - y) + pen * theta
            H = (Xa * (p * (1 - p))[:, None]).T @ Xa + np.diag(pen)
            # The constant-zero feature gives a zero column; its Hessian entry is 1/C > 0.
            theta = theta - np.linalg.solve(H, g)
        return theta[:-1], theta[-1:]
    K = classes
    theta = np.hstack([W, b[:, None]])  # (K, d + 1)
    pen = np.tile(np.r_[np.full(d, 1.0 / C), 0.0], K)
    Y = np.eye(K)[y]
    for _ in range(steps):
        Z = Xa @ theta.T
        P = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
        g = ((P - Y).T @ Xa).ravel() + pen * theta.ravel()
        S = np.einsum("ik,kl->ikl", P, np.eye(K)) - np.einsum("ik,il->ikl", P, P)
        H = np.einsum("ikl,ia,ib->kalb", S, Xa, Xa).reshape(K * (d + 1), K * (d + 1))
        H += np.diag(pen)
        theta = theta - (np.linalg.pinv(H, rcond=1e-12, hermitian=True) @ g).reshape(K, d + 1)
    return theta[:, :-1], theta[:, -1]


def logistic_case(name, seed, n, d, classes, C, zero_feature=None):
    rng = np.random.default_rng(seed)
    X = f32(rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, size=d))
    if zero_feature is not None:
        X[:, zero_feature] = 0.0
    if classes == 2:
        w_true = rng.normal(size=d)
        logits = X @ w_true / np.sqrt(d) * 2.0 + 0.3 + rng.logistic(size=n)
        y = (logits > 0).astype(np.int64)
    else:
        W_true = rng.normal(size=(classes, d))
        logits = X @ W_true.T / np.sqrt(d) * 2.0 + rng.normal(scale=0.3, size=classes) \
            + rng.gumbel(size=(n, classes))
        y = np.argmax(logits, axis=1).astype(np.int64)
    assert sorted(set(y.tolist())) == list(range(classes)), "every class must occur"

    # sklearn >= 1.8 removed `multi_class`; with lbfgs and > 2 classes LogisticRegression is
    # always the multinomial (softmax) model with K weight vectors, all L2-penalized, and
    # unpenalized intercepts. `penalty` is deprecated in 1.8+ (the default is L2, l1_ratio=0).
    model = LogisticRegression(C=C, solver="lbfgs", tol=1e-12, max_iter=100000)
    model.fit(X, y)
    assert model.coef_.dtype == np.float64
    if classes == 2:
        W = model.coef_[0].copy()
    else:
        W = model.coef_.copy()
    b = model.intercept_.copy()
    proba = model.predict_proba(X)

    grad_max, min_inc, worst_dec, obj = check_minimum(X, y, classes, C, W, b,
                                                      np.random.default_rng(seed + 1000))
    info = {"n_iter": int(model.n_iter_[0]), "grad_max": grad_max, "min_increase": min_inc,
            "worst_decrease": worst_dec}
    Wn, bn = newton_polish(X, y, classes, C, W, b)
    if classes > 2:
        # Compare modulo the intercept shift.
        bn = bn - bn.mean() + b.mean()
        info["intercept_mean"] = float(b.mean())
        info["W_column_sum_max"] = float(np.max(np.abs(W.sum(axis=0))))
        # Shifting all intercepts leaves the objective unchanged.
        info["shift_invariance"] = abs(obj - logistic_objective(X, y, classes, C, W, b + 0.7))
    info["newton_coef_diff"] = float(max(np.max(np.abs(Wn - W)), np.max(np.abs(bn - b))))
    info["newton_obj_diff"] = obj - logistic_objective(X, y, classes, C, Wn, bn)
    if zero_feature is not None:
        assert W[zero_feature] == 0.0
    # Minimality: no perturbation may decrease the objective beyond round-off.
    assert worst_dec < 1e-9 * max(1.0, abs(obj)), (name, worst_dec)

    case = {
        "name": name,
        "n": n,
        "d": d,
        "classes": classes,
        "C": C,
        "X": flat(X),
        "y": [int(v) for v in y],
        "coef": flat(W),
        "intercept": flat(b),
        "probabilities": flat(proba),
        "objective": obj,
    }
    if classes > 2:
        case["intercept_centered"] = flat(b - b.mean())
    return case, info


# ----------------------------------------------------------------------------- ridge

def ridge_case(name, seed, n, d, alpha):
    rng = np.random.default_rng(seed)
    X = f32(rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d) + rng.normal(size=d))
    w_true = rng.normal(size=d)
    y = f32(X @ w_true + 1.5 + rng.normal(scale=0.5, size=n))
    model = Ridge(alpha=alpha, fit_intercept=True, solver="cholesky").fit(X, y)

    # Independent check: augmented normal equations with unpenalized intercept.
    Xa = np.hstack([X, np.ones((n, 1))])
    P = np.diag(np.r_[np.full(d, alpha), 0.0])
    theta = np.linalg.solve(Xa.T @ Xa + P, Xa.T @ y)
    diff = float(max(np.max(np.abs(theta[:-1] - model.coef_)), abs(theta[-1] - model.intercept_)))
    return {
        "name": name,
        "n": n,
        "d": d,
        "alpha": alpha,
        "X": flat(X),
        "y": flat(y),
        "coef": flat(model.coef_),
        "intercept": float(model.intercept_),
        "r2_train": float(model.score(X, y)),
    }, {"normal_equations_diff": diff}


# ----------------------------------------------------------------------------- PCA

def pca_case(name, seed, n, d, k, label_component):
    rng = np.random.default_rng(seed)
    # Well separated variances so that the component order is unambiguous.
    scales = np.linspace(4.0, 0.6, d) ** 1.0
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    Z = rng.normal(size=(n, d)) * scales
    X = f32(Z @ Q.T + rng.normal(size=d))
    if label_component is not None:
        # Labels follow the (population) second principal direction plus noise.
        labels = f32((X - X.mean(axis=0)) @ Q[:, label_component] / scales[label_component]
                     + rng.normal(scale=0.7, size=n))
    else:
        labels = f32(X @ rng.normal(size=d) * 0.3 + rng.normal(size=n))
    pca = PCA(n_components=k, svd_solver="full").fit(X)
    scores = pca.transform(X)
    corr = np.array([abs(np.corrcoef(labels, scores[:, j])[0, 1]) for j in range(k)])
    ev = pca.explained_variance_
    gaps = float(np.min(-np.diff(ev) / ev[:-1])) if k > 1 else 1.0
    return {
        "name": name,
        "n": n,
        "d": d,
        "k": k,
        "X": flat(X),
        "labels": flat(labels),
        "componentCorrelations": flat(corr),
        "maxAbsCorrelation": float(corr.max()),
        "explainedVarianceRatio": flat(pca.explained_variance_ratio_),
    }, {"argmax": int(corr.argmax()), "min_relative_eigengap": gaps}


def main():
    infos = []
    logistic = []
    for args in [
        ("binary_n200_d10_C1", 11, 200, 10, 2, 1.0),
        ("binary_n150_d5_C0.1", 12, 150, 5, 2, 0.1),
        ("binary_n300_d20_C10", 13, 300, 20, 2, 10.0),
        ("multinomial3_n240_d8_C1", 14, 240, 8, 3, 1.0),
        ("multinomial5_n300_d6_C0.5", 15, 300, 6, 5, 0.5),
    ]:
        case, info = logistic_case(*args)
        logistic.append(case)
        infos.append((case["name"], info))
    case, info = logistic_case("binary_zero_feature_n100_d4_C1", 16, 100, 4, 2, 1.0, zero_feature=2)
    logistic.append(case)
    infos.append((case["name"], info))

    ridge = []
    for args in [("ridge_n100_d5_a1", 21, 100, 5, 1.0),
                 ("ridge_n50_d20_a0.1", 22, 50, 20, 0.1),
                 ("ridge_n200_d3_a100", 23, 200, 3, 100.0)]:
        case, info = ridge_case(*args)
        ridge.append(case)
        infos.append((case["name"], info))

    pca = []
    for args in [("pca_n200_d10_k3_second", 31, 200, 10, 3, 1),
                 ("pca_n120_d6_k6", 32, 120, 6, 6, None)]:
        case, info = pca_case(*args)
        pca.append(case)
        infos.append((case["name"], info))

    doc = {
        "generator": "generate_probes.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                     "sklearn": sklearn.__version__},
        "logistic": logistic,
        "ridge": ridge,
        "pcaCorrelation": pca,
    }
    text = json.dumps(doc, separators=(",", ":"))
    with open(OUT, "w") as f:
        f.write(text)
        f.write("\n")

    print(f"wrote {os.path.relpath(OUT)} ({len(text) + 1} bytes), sklearn {sklearn.__version__}, "
          f"numpy {np.__version__}")
    for c in logistic:
        print(f"  logistic {c['name']:34s} classes={c['classes']} objective={c['objective']:.12g}")
    for c in ridge:
        print(f"  ridge    {c['name']:34s} intercept={c['intercept']:.6g} r2={c['r2_train']:.6f}")
    for c in pca:
        print(f"  pca      {c['name']:34s} |r|={[round(v, 4) for v in c['componentCorrelations']]}"
              f" evr={[round(v, 4) for v in c['explainedVarianceRatio']]}")
    print("checks:")
    for name, info in infos:
        print(f"  {name:38s} " + " ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in info.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
