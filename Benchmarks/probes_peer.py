#!/usr/bin/env python3
"""Peer benchmark: 20 logistic probes on 2,000 x 256 activations, with scikit-learn.

    python3 probes_peer.py --make-data OUT.npz --seed S   # write a synthetic dataset
    python3 probes_peer.py DATA.npz                        # time the peer, print one JSON line

DATA.npz holds
    X      float32 [20, 2000, 256]  activations, one slab per probe
    y      int64   [20, 2000]       binary labels
    train  bool    [2000]           True = training row (1,500 rows, in a shuffled order)
    C      float64 scalar           inverse L2 strength

For each probe: LogisticRegression(C=C, solver="lbfgs", max_iter=1000) (default tol 1e-4) on
the training rows, then held-out accuracy on the other 500. The timed region is fit + predict
for all 20 probes (the row selection is done once beforehand); best of 3 repetitions.

X is passed to scikit-learn as float32, unchanged. scikit-learn keeps float32 input as float32
for lbfgs: X @ w, the loss and the gradient are evaluated in float32 (coef_ comes back float32),
while scipy's L-BFGS-B keeps its state in float64. This is what a user gets by default with
float32 activations, so that is the peer configuration; "dtype" in the output records it.

Threads are left as the environment sets them (OMP_NUM_THREADS / OPENBLAS_NUM_THREADS are
not touched); the output records them and threadpoolctl's view of the BLAS / OpenMP pools.
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

PROBES = 20
ROWS = 2000
TRAIN_ROWS = 1500
WIDTH = 256
LATENT = 64
LABEL_NOISE = 0.10
CONCEPT_SHIFT = 1.5  # half the distance between the two concept means along the direction


def make_data(out, seed):
    """Random-feature activations with a planted binary concept, independent per probe.

    Z ~ N(0, I) [2000, 64], shifted by +/- CONCEPT_SHIFT along a random unit direction u_p
    according to the concept bit; X_p = ReLU(Z W_p + c_p) with W_p ~ N(0, 1/64) [64, 256] and
    a small per-unit bias c_p (so units differ in sparsity); y_p = concept bit with 10% of
    the labels flipped.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((PROBES, ROWS, WIDTH), dtype=np.float32)
    y = np.empty((PROBES, ROWS), dtype=np.int64)
    for p in range(PROBES):
        concept = rng.integers(0, 2, size=ROWS)
        u = rng.normal(size=LATENT)
        u /= np.linalg.norm(u)
        Z = rng.normal(size=(ROWS, LATENT)) + np.outer((2 * concept - 1) * CONCEPT_SHIFT, u)
        W = rng.normal(scale=1.0 / np.sqrt(LATENT), size=(LATENT, WIDTH))
        bias = rng.normal(scale=0.5, size=WIDTH)
        X[p] = np.maximum(Z @ W + bias, 0.0).astype(np.float32)
        flip = rng.random(ROWS) < LABEL_NOISE
        y[p] = np.where(flip, 1 - concept, concept)
    train = np.zeros(ROWS, dtype=bool)
    train[rng.permutation(ROWS)[:TRAIN_ROWS]] = True
    np.savez(out, X=X, y=y, train=train, C=np.float64(1.0))
    print(json.dumps({"wrote": out, "seed": seed, "X": list(X.shape), "y": list(y.shape),
                      "trainRows": int(train.sum()), "C": 1.0,
                      "activeFraction": float(np.mean(X > 0))}))


def thread_summary():
    info = {
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "cpus": os.cpu_count(),
    }
    try:
        import threadpoolctl
    except ImportError:
        return info
    info["threadpools"] = [
        {k: pool.get(k) for k in ("user_api", "internal_api", "num_threads", "version",
                                  "threading_layer", "architecture") if pool.get(k) is not None}
        for pool in threadpoolctl.threadpool_info()
    ]
    return info


def bench(path, repetitions=3):
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    data = np.load(path)
    X, y, train, C = data["X"], data["y"], data["train"], float(data["C"])
    assert X.ndim == 3 and y.shape == X.shape[:2] and train.shape == (X.shape[1],)
    test = ~train
    splits = [(X[p][train], y[p][train], X[p][test], y[p][test]) for p in range(X.shape[0])]

    best = float("inf")
    accuracies = None
    n_iter = None
    dtype = None
    convergence_warnings = 0
    for _ in range(repetitions):
        run_acc, run_iter = [], []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            for Xtr, ytr, Xte, yte in splits:
                model = LogisticRegression(C=C, solver="lbfgs", max_iter=1000)
                model.fit(Xtr, ytr)
                predicted = model.predict(Xte)
                run_acc.append(float(np.mean(predicted == yte)))
                run_iter.append(int(model.n_iter_[0]))
            elapsed = time.perf_counter() - start
        convergence_warnings = max(convergence_warnings,
                                   sum(issubclass(w.category, ConvergenceWarning) for w in caught))
        best = min(best, elapsed)
        if accuracies is not None and run_acc != accuracies:
            print("warning: accuracies differ between repetitions", file=sys.stderr)
        accuracies, n_iter = run_acc, run_iter
        dtype = str(model.coef_.dtype)

    print(json.dumps({
        "name": "logistic_probes_20x2000x256",
        "peer": "scikit-learn",
        "version": sklearn.__version__,
        "probes": len(splits),
        "seconds": best,
        "accuracies": accuracies,
        "threads": thread_summary(),
        "repetitions": repetitions,
        "dtype": dtype,
        "n_iter": n_iter,
        "convergenceWarnings": convergence_warnings,
    }), flush=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help=".npz file to benchmark")
    parser.add_argument("--make-data", metavar="OUT.npz", help="write a synthetic dataset")
    parser.add_argument("--seed", type=int, default=0, help="seed for --make-data")
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    if args.make_data:
        make_data(args.make_data, args.seed)
        return 0
    if not args.data:
        parser.error("give a .npz path or --make-data OUT.npz")
    bench(args.data, args.repetitions)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
