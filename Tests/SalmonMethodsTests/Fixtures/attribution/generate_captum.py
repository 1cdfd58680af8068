#!/usr/bin/env python3
"""Reference attributions from Captum for the Swift attribution estimators
(SalmonMethodsTests: AttributionCaptumTests).

Writes captum.json next to this script. Run once with PyTorch (CPU) and Captum:

    python3 Tests/SalmonMethodsTests/Fixtures/attribution/generate_captum.py

Deterministic: torch.manual_seed per case; float32 weights and inputs written as their exact
float64 values (shortest repr), attributions computed by Captum in float32.

Each case: an nn.Sequential MLP (Linear, act, Linear, act, Linear), weights [out, in] row-major,
inputs [n, d] and one target class per row; attributions [n, d] of the target logit:
  gradient                 Saliency(model).attribute(x, target=t, abs=False)
  absoluteGradient         Saliency(model).attribute(x, target=t)              (abs=True, Captum's default)
  gradientTimesInput       InputXGradient(model).attribute(x, target=t)
  integratedGradients      IntegratedGradients(model).attribute(x, target=t, n_steps=50)   (gausslegendre, zero baseline)
  integratedGradientsDelta the same with return_convergence_delta=True: the completeness gap per row
  integratedGradientsBaseline, ...BaselineValues  with baselines = a fixed vector, n_steps=20, method="riemann_middle"
  occlusion                FeatureAblation(model).attribute(x, target=t)       (each feature set to 0)
  guidedBackprop           GuidedBackprop(model).attribute(x, target=t)        (ReLU cases only)
"""
import json
import os

import captum
import torch
import torch.nn as nn
from captum.attr import FeatureAblation, GuidedBackprop, InputXGradient, IntegratedGradients, Saliency


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def case(name, sizes, activation, rows, seed):
    torch.manual_seed(seed)
    layers = []
    for k in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[k], sizes[k + 1]))
        if k < len(sizes) - 2:
            layers.append({"relu": nn.ReLU, "tanh": nn.Tanh}[activation]())
    model = nn.Sequential(*layers).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    x = torch.randn(rows, sizes[0])
    t = torch.randint(0, sizes[-1], (rows,))
    baseline = torch.linspace(-0.5, 0.5, sizes[0]).unsqueeze(0)

    out = {"name": name, "sizes": sizes, "activation": activation, "rows": rows,
           "weights": [flat(m.weight) for m in model if isinstance(m, nn.Linear)],
           "biases": [flat(m.bias) for m in model if isinstance(m, nn.Linear)],
           "inputs": flat(x), "targets": t.tolist(), "baseline": flat(baseline)}
    out["gradient"] = flat(Saliency(model).attribute(x, target=t, abs=False))
    out["absoluteGradient"] = flat(Saliency(model).attribute(x, target=t))
    out["gradientTimesInput"] = flat(InputXGradient(model).attribute(x, target=t))
    ig, delta = IntegratedGradients(model).attribute(x, target=t, n_steps=50, return_convergence_delta=True)
    out["integratedGradients"] = flat(ig)
    out["integratedGradientsDelta"] = flat(delta)
    out["integratedGradientsBaseline"] = flat(IntegratedGradients(model).attribute(
        x, baselines=baseline, target=t, n_steps=20, method="riemann_middle"))
    out["occlusion"] = flat(FeatureAblation(model).attribute(x, target=t))
    if activation == "relu":
        out["guidedBackprop"] = flat(GuidedBackprop(model).attribute(x, target=t))
    return out


def main():
    cases = [case("relu-8-7-6-4", [8, 7, 6, 4], "relu", 12, 1),
             case("tanh-8-7-6-4", [8, 7, 6, 4], "tanh", 12, 2),
             case("relu-16-12-10-5", [16, 12, 10, 5], "relu", 10, 3)]
    out = {"generator": "generate_captum.py",
           "versions": {"torch": torch.__version__, "captum": captum.__version__},
           "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "captum.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
