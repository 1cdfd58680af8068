#!/usr/bin/env python3
"""Peer of `salmon demo` / `salmon audit demo.yaml --jobs 2`: the same audit written by hand with
PyTorch (networks, null models), scikit-learn (probes, PCA), SciPy (bootstrap, p-value intervals)
and statsmodels (Holm), as a user without DeadSalmon would write it.

    python3 Benchmarks/demo_audit_peer.py [--scale F] [--jobs 2] [--out results.csv] [--seed 1]

What it computes, mapped onto the demo spec (`salmon demo --print-spec`):

  model: planted-concepts, examples 2000 + evaluationExamples 1000 (one draw of 3000 rows: the
      first 2000 train, the last 1000 are the held-out evaluation inputs every method reads).
      Three concept bits z_j ~ Bernoulli(1/2); x = sum_j z_j u_j + 0.25 * N(0, I_16) with fixed
      random unit directions u_j in R^16; label = z_0 XOR z_1; z_2 is present but ignored
      (SyntheticTasks.plantedConcepts).
      MLP 16-32-32-2, ReLU, PyTorch's default nn.Linear initialization (DeadSalmon's
      `pytorchDefault`), trained with AdamW (lr 0.01, betas (0.9, 0.999), eps 1e-8, weight decay 0:
      the spec's default, i.e. DeadSalmon's TrainingPlan `.adamW(weightDecay: 0)`) on the mean
      cross-entropy, 40 epochs of minibatches of 100 in a fresh shuffled order every epoch.
  sites: layers.0.post, layers.1.post (each hidden layer's ReLU output, on the 1000 evaluation rows).
  claims (each at both sites):
      label-concept    LogisticRegression(C=1.0, max_iter=1000) (lbfgs, tol 1e-4), 5-fold stratified
                       CV (cross_val_predict); statistic: held-out accuracy.
      ignored-concept  the same for concept 2 (expect: null, a negative control).
      pca-label        PCA(n_components=5, svd_solver="full"); statistic: the largest |Pearson r|
                       between a component's scores and the label (a zero-variance component
                       counts 0, as DeadSalmon's PrincipalComponentCorrelation does).
      As in DeadSalmon the probe's folds are drawn once per (claim, site) and reused for every
      model, trained and null (common random numbers).
  nulls (each null model k is a function of (seed, family, k) only):
      random-init (K=999)          a fresh PyTorch-initialized MLP, untrained.
      cascading-top-down (K=999)   Adebayo et al. 2018's cascading randomization: starting from the
                                   trained MLP, re-initialize the output layer, then layer 1, then
                                   layer 0, each from one fresh network per k. As DeadSalmon does
                                   (NetworkSubject: "the cascade stage at which layer l has just
                                   been re-initialized"), the site layers.l.post of draw k reads the
                                   stage where layers l..L-1 are random and the layers below l are
                                   trained: layers.1.post -> layer 0 trained, layers 1, 2 random;
                                   layers.0.post -> every layer random.
      permuted-labels (K=499)      a fresh MLP trained with the same recipe on the 2000 training
                                   inputs with their labels randomly permuted.
  per test (claim x site x family = 18 tests):
      Monte Carlo p-value (1 + b) / (1 + K), b = null values >= the trained value (values within
      1e-12 relative count as ties, hence as extreme, as in DeadSalmon); its Clopper-Pearson 95 %
      interval (scipy.stats.binomtest on b of K); the null mean, sd, median, 2.5 / 97.5 % quantiles;
      a BCa bootstrap interval (B = 2000, scipy.stats.bootstrap) of the trained estimate:
        probes  over the per-example correctness of the held-out CV predictions (a mean);
        PCA     over evaluation rows with the PCA re-fitted on each resample (and on each of the
                1000 jackknife leave-one-outs BCa needs), as DeadSalmon's "method re-run on each";
      Holm across all 18 tests (statsmodels multipletests), and DeadSalmon's verdict rule:
        distinguishable  Holm-rejected at alpha 0.05 and estimate - null median >= 0;
        inconclusive     not rejected, but p = 1/(K+1) or the lower end of p's Clopper-Pearson
                         interval would be rejected (more null models could change the answer);
        dead-salmon      otherwise.
  Writes a CSV with one row per test, prints the verdicts and whether each claim holds.

Work: the same as the salmon run: 1 trained network, 999 + 999 + 499 null networks (the 499
retrained for 40 epochs each), at each of 2 sites 2 x 5-fold logistic probes + 1 PCA per network,
2 x B = 2000 mean bootstraps and 2 x (2000 + 1000) PCA refits for the intervals. Parallelism: the
null models (and the two PCA bootstraps) are spread over --jobs joblib/loky worker processes
(default 2, like `salmon audit --jobs 2`), each with torch and BLAS at one thread.

--scale F multiplies every K (rounded, at least 1) for development; whole_audits.sh scales the
salmon spec by the same rule. Random numbers are numpy/torch streams, not DeadSalmon's
xoshiro256** paths, so values differ from salmon's in the last digits and the draws, not in
what is computed.
"""
import argparse
import copy
import csv
import os
import sys
import time
import warnings

# One thread per worker process for every BLAS / OpenMP pool (set before numpy / torch load).
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np

# The demo spec.
EXAMPLES, EVALUATION, CONCEPTS, DIMENSION, NOISE = 2000, 1000, 3, 16, 0.25
LABEL_CONCEPTS = (0, 1)
HIDDEN = (32, 32)
EPOCHS, BATCH, LR = 40, 100, 0.01
SITES = ("layers.0.post", "layers.1.post")
CLAIMS = (  # name, method, target, expect
    ("label-concept", "logistic-probe", "label", "distinguishable"),
    ("ignored-concept", "logistic-probe", "concept:2", "null"),
    ("pca-label", "pca-label-correlation", "label", "distinguishable"),
)
STATISTIC = {"logistic-probe": "accuracy", "pca-label-correlation": "maxAbsCorrelation"}
FAMILIES = (("random-init", 999), ("cascading-top-down", 999), ("permuted-labels", 499))
FOLDS, C, COMPONENTS = 5, 1.0, 5
BOOTSTRAP, LEVEL, ALPHA = 2000, 0.95, 0.05
FAMILY_ID = {name: i for i, (name, _) in enumerate(FAMILIES)}


def derived_seed(*path):
    """An integer seed for a path of integers (numpy SeedSequence), e.g. (seed, family, k)."""
    return int(np.random.SeedSequence(list(path)).generate_state(1, dtype=np.uint32)[0])


# ----------------------------------------------------------------------------- data and networks

def planted_concepts(seed):
    """(x_train, y_train, x_eval, y_eval, concepts_eval): one draw of 3000 rows, split 2000 / 1000."""
    rng = np.random.default_rng(derived_seed(seed, 100))
    u = rng.standard_normal((CONCEPTS, DIMENSION))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    n = EXAMPLES + EVALUATION
    z = rng.integers(0, 2, size=(n, CONCEPTS))
    x = (z @ u + NOISE * rng.standard_normal((n, DIMENSION))).astype(np.float32)
    label = np.bitwise_xor.reduce(z[:, list(LABEL_CONCEPTS)], axis=1).astype(np.int64)
    return x[:EXAMPLES], label[:EXAMPLES], x[EXAMPLES:], label[EXAMPLES:], z[EXAMPLES:]


def make_mlp():
    import torch.nn as nn
    sizes = (DIMENSION,) + HIDDEN + (2,)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def linear_layers(model):
    import torch.nn as nn
    return [m for m in model if isinstance(m, nn.Linear)]


def train(model, x, y, seed):
    """AdamW (weight decay 0), mean cross-entropy, EPOCHS epochs of shuffled minibatches of BATCH."""
    import torch
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    for _ in range(EPOCHS):
        order = torch.randperm(len(xt), generator=g)
        for start in range(0, len(xt), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xt[idx]), yt[idx]).backward()
            opt.step()
    return model


def capture(model, x):
    """{site: post-activation of hidden layer l on x}, as float32 numpy arrays."""
    import torch
    out, h, layer = {}, torch.from_numpy(x), 0
    with torch.no_grad():
        for m in model:
            h = m(h)
            if isinstance(m, torch.nn.ReLU):
                out[f"layers.{layer}.post"] = h.numpy().copy()
                layer += 1
    return out


# ----------------------------------------------------------------------------- methods

def probe_correctness(acts, y, folds):
    """Per-example correctness of 5-fold held-out predictions of a logistic probe."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    pred = cross_val_predict(LogisticRegression(C=C, max_iter=1000), acts, y, cv=folds)
    return (pred == y).astype(np.float64)


def pca_label_correlation(acts, y):
    """max |corr(score_c, y)| over the top-5 principal components (zero-variance component: 0)."""
    from sklearn.decomposition import PCA
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant activations (a dead null layer) warn in sklearn
        pca = PCA(n_components=COMPONENTS, svd_solver="full")
        scores = pca.fit_transform(acts.astype(np.float64))
    var = pca.explained_variance_
    keep = var > 1e-12 * max(var.max(initial=0.0), np.finfo(float).tiny)
    sc = scores - scores.mean(axis=0)
    yc = y - y.mean()
    sxx = (sc * sc).sum(axis=0)
    sxy = sc.T @ yc
    r = np.zeros(COMPONENTS)
    ok = keep & (sxx > 0)
    r[ok] = np.abs(sxy[ok]) / np.sqrt(sxx[ok] * (yc @ yc))
    return float(r.max())


class Context:
    """Everything a worker needs besides the trained weights, rebuilt from the seed (cheap)."""

    def __init__(self, seed):
        from sklearn.model_selection import StratifiedKFold
        self.seed = seed
        self.x_train, self.y_train, self.x_eval, self.y_eval, z_eval = planted_concepts(seed)
        self.targets = {"label": self.y_eval, "concept:2": z_eval[:, 2].astype(np.int64)}
        # One fold assignment per (claim, site), shared by every model (common random numbers).
        self.folds = {}
        for ci, (claim, method, target, _) in enumerate(CLAIMS):
            if method != "logistic-probe":
                continue
            for si, site in enumerate(SITES):
                skf = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=derived_seed(seed, 200, ci, si))
                y = self.targets[target]
                self.folds[(claim, site)] = list(skf.split(np.zeros((len(y), 1)), y))

    def values(self, acts):
        """{(claim, site): value} for one network's activations at every site."""
        out = {}
        for claim, method, target, _ in CLAIMS:
            y = self.targets[target]
            for site in SITES:
                if method == "logistic-probe":
                    out[(claim, site)] = float(probe_correctness(acts[site], y, self.folds[(claim, site)]).mean())
                else:
                    out[(claim, site)] = pca_label_correlation(acts[site], y.astype(np.float64))
        return out


_CONTEXT = {}


def context(seed):
    if seed not in _CONTEXT:
        _CONTEXT[seed] = Context(seed)
    return _CONTEXT[seed]


def state_from(arrays):
    import torch
    return {k: torch.from_numpy(v) for k, v in arrays.items()}


# ----------------------------------------------------------------------------- worker tasks

def null_task(seed, family, k, trained_arrays):
    """The six values (3 claims x 2 sites) of null model k of `family`."""
    import torch
    torch.set_num_threads(1)
    ctx = context(seed)
    torch.manual_seed(derived_seed(seed, 300, FAMILY_ID[family], k))
    if family == "random-init":
        acts = capture(make_mlp(), ctx.x_eval)
    elif family == "cascading-top-down":
        trained = make_mlp()
        trained.load_state_dict(state_from(trained_arrays))
        fresh = make_mlp()
        # Cascade: re-initialize the output layer, then layer 1, then layer 0 (one fresh network),
        # keeping every stage; site layers.l.post reads the stage at which layer l was just redrawn.
        stages, current = [], trained
        for i in reversed(range(len(HIDDEN) + 1)):
            current = copy.deepcopy(current)
            linear_layers(current)[i].load_state_dict(linear_layers(fresh)[i].state_dict())
            stages.append(current)
        acts = {}
        for l, site in enumerate(SITES):
            acts[site] = capture(stages[len(HIDDEN) - l], ctx.x_eval)[site]
    elif family == "permuted-labels":
        rng = np.random.default_rng(derived_seed(seed, 400, k))
        model = train(make_mlp(), ctx.x_train, rng.permutation(ctx.y_train), derived_seed(seed, 500, k))
        acts = capture(model, ctx.x_eval)
    else:
        raise ValueError(family)
    return ("null", family, k, ctx.values(acts))


def pca_bootstrap_task(seed, site, acts):
    """BCa interval of the trained PCA statistic: PCA re-fitted on every resample of the rows."""
    from scipy.stats import bootstrap
    y = context(seed).y_eval.astype(np.float64)
    res = bootstrap((np.arange(len(y)),), lambda idx: pca_label_correlation(acts[idx], y[idx]),
                    vectorized=False, n_resamples=BOOTSTRAP, confidence_level=LEVEL, method="BCa",
                    random_state=np.random.default_rng(derived_seed(seed, 600, SITES.index(site))))
    return ("bootstrap", site, (res.confidence_interval.low, res.confidence_interval.high))


def run_task(task):
    kind, args = task
    return null_task(*args) if kind == "null" else pca_bootstrap_task(*args)


# ----------------------------------------------------------------------------- the audit

def verdict(i, pvals, reject, p_ci_low, k):
    """DeadSalmon's verdict rule (AuditAssembler.verdict) with Holm."""
    from statsmodels.stats.multitest import multipletests
    if reject[i]:
        return "distinguishable"  # (directed difference >= minimumEffect 0 is checked by the caller)
    best = np.array(pvals, dtype=float)
    best[i] = 1.0 / (k + 1)
    if not multipletests(best, alpha=ALPHA, method="holm")[0][i]:
        return "inconclusive"
    best[i] = p_ci_low
    if multipletests(best, alpha=ALPHA, method="holm")[0][i]:
        return "inconclusive"
    return "dead-salmon"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every K by F (rounded, at least 1)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (salmon's --jobs)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="demo_audit_peer.csv", help="results CSV")
    args = ap.parse_args()

    import torch
    from joblib import Parallel, delayed
    from scipy.stats import binomtest, bootstrap
    from statsmodels.stats.multitest import multipletests

    torch.set_num_threads(1)
    started = time.perf_counter()
    ks = {name: max(1, int(round(K * args.scale))) for name, K in FAMILIES}
    ctx = context(args.seed)

    # The trained network and its six estimates with per-example scores.
    torch.manual_seed(derived_seed(args.seed, 1))
    trained = train(make_mlp(), ctx.x_train, ctx.y_train, derived_seed(args.seed, 2))
    trained_arrays = {k: v.detach().numpy().copy() for k, v in trained.state_dict().items()}
    acts = capture(trained, ctx.x_eval)
    with torch.no_grad():
        train_acc = (trained(torch.from_numpy(ctx.x_eval)).argmax(1).numpy() == ctx.y_eval).mean()
    estimate, interval = {}, {}
    for claim, method, target, _ in CLAIMS:
        for site in SITES:
            y = ctx.targets[target]
            if method == "logistic-probe":
                correct = probe_correctness(acts[site], y, ctx.folds[(claim, site)])
                estimate[(claim, site)] = correct.mean()
                res = bootstrap((correct,), np.mean, n_resamples=BOOTSTRAP, confidence_level=LEVEL, method="BCa",
                                random_state=np.random.default_rng(derived_seed(args.seed, 700, len(estimate))))
                interval[(claim, site)] = (res.confidence_interval.low, res.confidence_interval.high)
            else:
                estimate[(claim, site)] = pca_label_correlation(acts[site], y.astype(np.float64))
    t_trained = time.perf_counter() - started

    # Null models and the PCA bootstraps, spread over the workers.
    tasks = [("bootstrap", (args.seed, site, acts[site])) for site in SITES]
    tasks += [("null", (args.seed, name, k, trained_arrays)) for name, _ in FAMILIES for k in range(ks[name])]
    nulls = {(name, key): np.empty(ks[name]) for name, _ in FAMILIES for key in estimate}
    for result in Parallel(n_jobs=args.jobs, backend="loky")(delayed(run_task)(t) for t in tasks):
        if result[0] == "bootstrap":
            interval[("pca-label", result[1])] = result[2]
        else:
            _, name, k, values = result
            for key, v in values.items():
                nulls[(name, key)][k] = v
    t_nulls = time.perf_counter() - started - t_trained

    # Tests: p-values, Holm across all of them, verdicts.
    rows = []
    for claim, method, target, expect in CLAIMS:
        for site in SITES:
            for name, _ in FAMILIES:
                est, null = estimate[(claim, site)], nulls[(name, (claim, site))]
                K = len(null)
                b = int(np.sum(null >= est - 1e-12 * max(1.0, abs(est))))
                ci = binomtest(b, K).proportion_ci(confidence_level=0.95, method="exact")
                q = np.quantile(null, [0.025, 0.5, 0.975])
                rows.append(dict(test_id=f"{claim}@{site}~{name}", claim=claim, site=site, family=name, method=method,
                                 statistic=STATISTIC[method], estimate=est, ci_lower=interval[(claim, site)][0],
                                 ci_upper=interval[(claim, site)][1], null_count=K, null_mean=null.mean(),
                                 null_sd=null.std(ddof=1) if K > 1 else 0.0, null_median=q[1], null_q025=q[0],
                                 null_q975=q[2], extreme_count=b, p_value=(1 + b) / (1 + K), p_ci_lower=ci.low,
                                 p_ci_upper=ci.high, expect=expect))
    pvals = [r["p_value"] for r in rows]
    reject, adjusted, _, _ = multipletests(pvals, alpha=ALPHA, method="holm")
    for i, r in enumerate(rows):
        r["p_adjusted"] = adjusted[i]
        r["effect_difference"] = r["estimate"] - r["null_median"]
        v = verdict(i, pvals, reject, r["p_ci_lower"], r["null_count"])
        if v == "distinguishable" and r["effect_difference"] < 0.0:
            v = "dead-salmon"  # below the minimum effect (0)
        r["verdict"] = v
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    total = time.perf_counter() - started

    print(f"demo audit peer: trained MLP accuracy on the evaluation inputs {train_acc:.3f}; "
          f"K = {ks}; {args.jobs} jobs")
    print(f"{'test':50s} {'estimate':>9s} {'95% BCa':>17s} {'null median':>11s} {'p':>7s} {'p_adj':>7s}  verdict")
    for r in rows:
        print(f"{r['test_id']:50s} {r['estimate']:9.4f} [{r['ci_lower']:7.4f},{r['ci_upper']:7.4f}] "
              f"{r['null_median']:11.4f} {r['p_value']:7.4f} {r['p_adjusted']:7.4f}  {r['verdict']}")
    for claim, _, _, expect in CLAIMS:
        for site in SITES:
            mine = [r for r in rows if r["claim"] == claim and r["site"] == site]
            holds = all(r["verdict"] == ("dead-salmon" if expect == "null" else "distinguishable") for r in mine)
            print(f"claim {claim} at {site} (expect {expect}): {'holds' if holds else 'fails'}")
    print(f"timing: trained network + estimates {t_trained:.1f} s, null models + bootstraps {t_nulls:.1f} s, "
          f"total {total:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
