"""Reference values of SparseAutoencoderMetrics (run once; writes metrics.json beside this file).

Float32 targets, reconstructions and codes (as the Swift code holds them), metrics computed in
float64 with numpy, by the definitions SAELens uses (sae_lens/training/sae_trainer.py,
_build_train_step_log_dict: explained_variance = 1 - mean per-token L2 / mean total variance;
explained_variance_legacy = mean of 1 - per-token L2 / per-token total variance; mse = mean over
elements; cossim = mean per-token cosine).

    python3 generate_metrics.py
"""
import json
import pathlib

import numpy as np

rng = np.random.default_rng(20261206)
rows, width, latents = 64, 12, 20
# A large mean, so that an explained variance against zero would read far higher than the centred one.
target = (rng.normal(size=(rows, width)) * 0.7 + 3.0).astype(np.float32)
reconstruction = (target + rng.normal(size=(rows, width)) * 0.35).astype(np.float32)
code = np.maximum(rng.normal(size=(rows, latents)) - 1.0, 0).astype(np.float32)
code[:, 3] = 0                      # a dead latent
code[:, 7] = np.abs(code[:, 7]) + 1  # a dense one

x = target.astype(np.float64)
y = reconstruction.astype(np.float64)
per_row = ((x - y) ** 2).sum(axis=1)
total = ((x - x.mean(axis=0)) ** 2).sum(axis=1)
fvu = per_row.sum() / total.sum()
legacy = (1 - per_row / total).mean()
mse = ((x - y) ** 2).mean()
cos = ((x * y).sum(axis=1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))).mean()
fires = (code > 0).sum(axis=0)
out = {
    "rows": rows, "width": width, "latents": latents,
    "target": target.ravel().tolist(), "reconstruction": reconstruction.ravel().tolist(), "code": code.ravel().tolist(),
    "fractionOfVarianceUnexplained": fvu,
    "explainedVarianceAgainstZero": 1 - per_row.sum() / (x ** 2).sum(),
    "legacyExplainedVariance": legacy,
    "meanSquaredError": mse,
    "cosineSimilarity": cos,
    "meanL0": (code > 0).sum(axis=1).mean(),
    "deadFraction": (fires == 0).mean(),
    "denseFraction": (fires > 0.10 * rows).mean(),
}
path = pathlib.Path(__file__).with_name("metrics.json")
path.write_text(json.dumps(out, indent=None) + "\n")
print(f"FVU {fvu:.6f}, EV {1 - fvu:.6f}, legacy {legacy:.6f}, against zero {out['explainedVarianceAgainstZero']:.6f}")
