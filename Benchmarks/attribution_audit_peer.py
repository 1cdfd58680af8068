#!/usr/bin/env python3
"""Peer of `salmon audit Benchmarks/attribution_audit.yaml --jobs 2`: Adebayo et al.'s model-parameter
randomization test of two gradient maps, written by hand with PyTorch + Captum (maps), SciPy
(ranks, bootstrap, p-value intervals) and statsmodels (Holm), as a user without DeadSalmon would.

    python3 Benchmarks/attribution_audit_peer.py [--scale F] [--jobs 2] [--out results.csv] [--seed 1]

What it computes, mapped onto Benchmarks/attribution_audit.yaml:

  model: the demo's planted-concepts data and MLP 16-32-32-2 (see demo_audit_peer.py, whose data,
      network and training functions this script reuses), trained K_t = 2 times (training.seeds: 2)
      from independent initializations and minibatch orders.
  claims, each explaining the logit of every evaluation input's label (1000 inputs):
      saliency              captum.attr.Saliency(model).attribute(x, target=label, abs=True)
                            (DeadSalmon's `gradient`; the similarity below takes |map| anyway)
      gradient-times-input  captum.attr.InputXGradient(model).attribute(x, target=label)
      statistic similarityToTrained: per input, Spearman's rho between |map| of a model and |map|
      of trained network 0 (ranks with ties averaged, scipy.stats.rankdata; a constant map has no
      ranks and counts 0, as in DeadSalmon), averaged over inputs.
      The estimate is trained network 1's similarity to network 0 (what retraining moves).
  sites = randomization stages of the cascade, from the output down: layers.2.post (output layer
      re-initialized), layers.1.post (layers 1, 2), layers.0.post (all three). random-init does not
      depend on the stage and is tested once, at the first site (layers.2.post), as in DeadSalmon.
  nulls (made from trained network 0; null model k a function of (seed, family, k) only):
      random-init (K=499)          a fresh PyTorch-initialized MLP.
      cascading-top-down (K=499)   one fresh MLP per k; stage s copies its last s + 1 layers into a
                                   copy of network 0 (Adebayo et al. 2018, cascading randomization).
  per test (2 claims x (1 + 3) = 8 tests): Monte Carlo p-value (1 + b)/(1 + K) for "larger",
      Clopper-Pearson interval of b/K, null median and 2.5 / 97.5 % quantiles, BCa interval
      (B = 2000, scipy.stats.bootstrap) of the estimate over its 1000 per-input similarities,
      Holm across the 8 tests (statsmodels), DeadSalmon's verdict rule (distinguishable / inconclusive
      / dead-salmon). Writes a CSV and prints the verdicts.

Work per null draw k: 4 networks (random-init + 3 cascade stages) x 2 methods = 8 Captum calls of
1000 rows and 8 x 1000 Spearman correlations; the draws are spread over --jobs joblib/loky worker
processes with torch and BLAS at one thread each. --scale F multiplies every K (whole_audits.sh
scales the salmon spec the same way).
"""
import argparse
import copy
import csv
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_audit_peer as demo  # noqa: E402  (data, MLP, training recipe, verdict rule)

SEEDS = 2
CLAIMS = ("saliency", "gradient-times-input")
METHOD = {"saliency": "gradient", "gradient-times-input": "gradient-times-input"}
SITES = ("layers.2.post", "layers.1.post", "layers.0.post")  # stage s: layers 2-s .. 2 random
FAMILIES = (("random-init", 499), ("cascading-top-down", 499))
FAMILY_ID = {name: i for i, (name, _) in enumerate(FAMILIES)}
BOOTSTRAP, LEVEL, ALPHA = 2000, 0.95, 0.05


def attribution(model, claim, x, target):
    """|map| of `claim` for every row of x, explaining the logit of `target` (numpy [n, d])."""
    from captum.attr import InputXGradient, Saliency
    model.eval()
    if claim == "saliency":
        a = Saliency(model).attribute(x, target=target, abs=True)
    else:
        a = InputXGradient(model).attribute(x, target=target).abs()
    return a.detach().numpy().astype(np.float64)


def ranks(maps):
    from scipy.stats import rankdata
    return rankdata(maps, axis=1)


def spearman_rows(r_model, r_anchor):
    """Per-row Pearson correlation of rank rows (Spearman's rho); undefined (constant row) -> 0."""
    a = r_model - r_model.mean(axis=1, keepdims=True)
    b = r_anchor - r_anchor.mean(axis=1, keepdims=True)
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    out = np.zeros(len(a))
    ok = den > 0
    out[ok] = (a[ok] * b[ok]).sum(axis=1) / den[ok]
    return out


class Context:
    def __init__(self, seed, trained0):
        import torch
        _, _, x_eval, y_eval, _ = demo.planted_concepts(seed)
        self.x = torch.from_numpy(x_eval)
        self.target = torch.from_numpy(y_eval)
        self.trained0 = demo.make_mlp()
        self.trained0.load_state_dict({k: torch.from_numpy(v) for k, v in trained0.items()})
        self.anchor = {c: ranks(attribution(self.trained0, c, self.x, self.target)) for c in CLAIMS}

    def similarity(self, model):
        return {c: spearman_rows(ranks(attribution(model, c, self.x, self.target)), self.anchor[c]) for c in CLAIMS}


_CONTEXT = {}


def null_task(seed, family, k, trained0):
    """{(claim, site): similarity} of null draw k of `family` (made from trained network 0)."""
    import torch
    torch.set_num_threads(1)
    if seed not in _CONTEXT:
        _CONTEXT[seed] = Context(seed, trained0)
    ctx = _CONTEXT[seed]
    torch.manual_seed(demo.derived_seed(seed, 800, FAMILY_ID[family], k))
    fresh = demo.make_mlp()
    out = {}
    if family == "random-init":
        sims = ctx.similarity(fresh)
        for c in CLAIMS:
            out[(c, SITES[0])] = float(sims[c].mean())
    else:
        current = ctx.trained0
        for stage, site in enumerate(SITES):
            layer = len(SITES) - 1 - stage
            current = copy.deepcopy(current)
            demo.linear_layers(current)[layer].load_state_dict(demo.linear_layers(fresh)[layer].state_dict())
            sims = ctx.similarity(current)
            for c in CLAIMS:
                out[(c, site)] = float(sims[c].mean())
    return family, k, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every K by F (rounded, at least 1)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="attribution_audit_peer.csv")
    args = ap.parse_args()

    import torch
    from joblib import Parallel, delayed
    from scipy.stats import binomtest, bootstrap
    from statsmodels.stats.multitest import multipletests

    torch.set_num_threads(1)
    started = time.perf_counter()
    ks = {name: max(1, int(round(K * args.scale))) for name, K in FAMILIES}
    x_train, y_train, _, _, _ = demo.planted_concepts(args.seed)
    trained = []
    for s in range(SEEDS):
        torch.manual_seed(demo.derived_seed(args.seed, 1, s))
        trained.append(demo.train(demo.make_mlp(), x_train, y_train, demo.derived_seed(args.seed, 2, s)))
    trained0 = {k: v.detach().numpy().copy() for k, v in trained[0].state_dict().items()}
    ctx = Context(args.seed, trained0)
    per_input = ctx.similarity(trained[1])  # trained network 1 against network 0
    estimate, interval = {}, {}
    for i, c in enumerate(CLAIMS):
        estimate[c] = per_input[c].mean()
        res = bootstrap((per_input[c],), np.mean, n_resamples=BOOTSTRAP, confidence_level=LEVEL, method="BCa",
                        random_state=np.random.default_rng(demo.derived_seed(args.seed, 900, i)))
        interval[c] = (res.confidence_interval.low, res.confidence_interval.high)
    t_trained = time.perf_counter() - started

    tests = [(c, SITES[0], "random-init") for c in CLAIMS] + [(c, s, "cascading-top-down") for c in CLAIMS for s in SITES]
    tests.sort(key=lambda t: CLAIMS.index(t[0]))
    nulls = {t: np.empty(ks[t[2]]) for t in tests}
    jobs = [delayed(null_task)(args.seed, name, k, trained0) for name, _ in FAMILIES for k in range(ks[name])]
    for family, k, values in Parallel(n_jobs=args.jobs, backend="loky")(jobs):
        for (c, site), v in values.items():
            nulls[(c, site, family)][k] = v
    t_nulls = time.perf_counter() - started - t_trained

    rows = []
    for c, site, family in tests:
        est, null = estimate[c], nulls[(c, site, family)]
        K = len(null)
        b = int(np.sum(null >= est - 1e-12 * max(1.0, abs(est))))
        ci = binomtest(b, K).proportion_ci(confidence_level=0.95, method="exact")
        q = np.quantile(null, [0.025, 0.5, 0.975])
        rows.append(dict(test_id=f"{c}@{site}~{family}", claim=c, site=site, family=family, method=METHOD[c],
                         statistic="similarityToTrained", estimate=est, ci_lower=interval[c][0], ci_upper=interval[c][1],
                         null_count=K, null_mean=null.mean(), null_sd=null.std(ddof=1) if K > 1 else 0.0,
                         null_median=q[1], null_q025=q[0], null_q975=q[2], extreme_count=b, p_value=(1 + b) / (1 + K),
                         p_ci_lower=ci.low, p_ci_upper=ci.high))
    pvals = [r["p_value"] for r in rows]
    reject, adjusted, _, _ = multipletests(pvals, alpha=ALPHA, method="holm")
    for i, r in enumerate(rows):
        r["p_adjusted"] = adjusted[i]
        r["effect_difference"] = r["estimate"] - r["null_median"]
        v = demo.verdict(i, pvals, reject, r["p_ci_lower"], r["null_count"])
        if v == "distinguishable" and r["effect_difference"] < 0.0:
            v = "dead-salmon"
        r["verdict"] = v
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)

    print(f"attribution audit peer: K = {ks}; {args.jobs} jobs")
    print(f"{'test':52s} {'estimate':>9s} {'95% BCa':>17s} {'null median':>11s} {'p':>7s} {'p_adj':>7s}  verdict")
    for r in rows:
        print(f"{r['test_id']:52s} {r['estimate']:9.4f} [{r['ci_lower']:7.4f},{r['ci_upper']:7.4f}] "
              f"{r['null_median']:11.4f} {r['p_value']:7.4f} {r['p_adjusted']:7.4f}  {r['verdict']}")
    print(f"timing: trained networks + estimates {t_trained:.1f} s, null models {t_nulls:.1f} s, "
          f"total {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
