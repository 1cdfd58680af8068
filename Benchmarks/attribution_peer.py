#!/usr/bin/env python3
"""Peer benchmark: attribution maps for 1,000 inputs of a 64 -> 64 -> 64 -> 10 ReLU MLP, with Captum.

    python3 attribution_peer.py --make-data DIR --seed S   # write the model and inputs to DIR
    python3 attribution_peer.py DIR                        # time Captum on DIR, print one JSON line per method
    python3 attribution_peer.py                            # both, in a temporary directory (seed 0)

DIR holds (everything the Swift side needs to time the same computation):
    model.safetensors   the MLP's state dict, nn.Sequential names: 0.weight [64, 64], 0.bias [64],
                        2.weight [64, 64], 2.bias [64], 4.weight [10, 64], 4.bias [10] (float32);
                        PyTorch's default nn.Linear initialization under torch.manual_seed(S)
    architecture.json   {"type": "mlp", "sizes": [64, 64, 64, 10], "hiddenActivation": "relu",
                        "outputActivation": "identity", "naming": "sequential"}
                        (DeadSalmon's StateDict.load(path:architecturePath:) reads the pair)
    inputs.npy          float32 [1000, 64], uniform in [0, 1) (a digits-sized input)
    targets.npy         int64 [1000], the model's predicted class per row (argmax of the logits)

Methods (Captum defaults except where named), each explaining the target logit of every row:
    attribution_gradient_1000x64              Saliency(model).attribute(x, target=t, abs=False)
    attribution_integrated_gradients_1000x64  IntegratedGradients(model).attribute(x, target=t, n_steps=50)
                                              (zero baseline, method="gausslegendre", one batch of 50,000 rows)
    attribution_smoothgrad_1000x64            NoiseTunnel(Saliency(model)).attribute(x, target=t,
                                              nt_type="smoothgrad", nt_samples=50, abs=False)
                                              (stdevs=1.0 absolute, Captum's default; one batch)
The timed region is one attribute() call over all 1,000 rows; best of 3 repetitions. Each line
also records the threads, the versions, and for Integrated Gradients the completeness gap
(computed once, outside the timed region, with return_convergence_delta=True):
mean |delta| / mean |F(x) - F(0)|.

Threads are left as the environment sets them (torch.get_num_threads() is recorded).

Note on what is timed: Captum's compute_gradients calls torch.autograd.grad(torch.unbind(outputs),
inputs), i.e. one graph root per selected logit. For Integrated Gradients and SmoothGrad that is
50,000 roots, and cProfile put ~80 % of IG's time in that backward call (3.6 s of 4.6 s on this
2-core machine while it was loaded), against ~0.2-0.4 s for a single autograd.grad of the summed
logits over the same 50,000-row batch. This is what a Captum user gets with the defaults, so it
is the peer configuration.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np

SIZES = [64, 64, 64, 10]
ROWS = 1000
STEPS = 50
SAMPLES = 50


def build_model():
    import torch.nn as nn
    layers = []
    for k in range(len(SIZES) - 1):
        layers.append(nn.Linear(SIZES[k], SIZES[k + 1]))
        if k < len(SIZES) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def make_data(directory, seed):
    import torch
    from safetensors.torch import save_file

    os.makedirs(directory, exist_ok=True)
    torch.manual_seed(seed)
    model = build_model().eval()
    rng = np.random.default_rng(seed)
    inputs = rng.random((ROWS, SIZES[0]), dtype=np.float32)
    with torch.no_grad():
        targets = model(torch.from_numpy(inputs)).argmax(dim=1).numpy().astype(np.int64)
    state = {name: tensor.detach().contiguous() for name, tensor in model.state_dict().items()}
    save_file(state, os.path.join(directory, "model.safetensors"))
    with open(os.path.join(directory, "architecture.json"), "w") as f:
        json.dump({"type": "mlp", "sizes": SIZES, "hiddenActivation": "relu",
                   "outputActivation": "identity", "naming": "sequential"}, f)
    np.save(os.path.join(directory, "inputs.npy"), inputs)
    np.save(os.path.join(directory, "targets.npy"), targets)
    return {"wrote": directory, "seed": seed, "sizes": SIZES, "rows": ROWS,
            "classes": np.bincount(targets, minlength=SIZES[-1]).tolist()}


def load(directory):
    import torch
    from safetensors.torch import load_file

    model = build_model()
    model.load_state_dict(load_file(os.path.join(directory, "model.safetensors")))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)  # as an audit would: only the input gradient is wanted
    inputs = torch.from_numpy(np.load(os.path.join(directory, "inputs.npy")))
    targets = torch.from_numpy(np.load(os.path.join(directory, "targets.npy")))
    assert inputs.shape == (ROWS, SIZES[0]) and inputs.dtype == torch.float32
    assert targets.shape == (ROWS,)
    return model, inputs, targets


def best_of(repetitions, run):
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def bench(directory, repetitions):
    import captum
    import torch
    from captum.attr import IntegratedGradients, NoiseTunnel, Saliency

    model, x, t = load(directory)
    common = {"peer": "captum", "captum": captum.__version__, "torch": torch.__version__,
              "threads": torch.get_num_threads(), "rows": ROWS, "sizes": SIZES,
              "repetitions": repetitions, "dtype": "float32"}

    saliency = Saliency(model)
    seconds = best_of(repetitions, lambda: saliency.attribute(x, target=t, abs=False))
    print(json.dumps({"name": "attribution_gradient_1000x64", "seconds": seconds, **common}), flush=True)

    ig = IntegratedGradients(model)
    seconds = best_of(repetitions, lambda: ig.attribute(x, target=t, n_steps=STEPS))
    _, delta = ig.attribute(x, target=t, n_steps=STEPS, return_convergence_delta=True)
    with torch.no_grad():
        rows = torch.arange(ROWS)
        difference = model(x)[rows, t] - model(torch.zeros_like(x))[rows, t]
    relative_gap = float(delta.abs().mean() / difference.abs().mean())
    print(json.dumps({"name": "attribution_integrated_gradients_1000x64", "seconds": seconds, "steps": STEPS,
                      "method": "gausslegendre", "completenessGapRelative": relative_gap, **common}), flush=True)

    noise_tunnel = NoiseTunnel(Saliency(model))
    torch.manual_seed(0)
    seconds = best_of(repetitions, lambda: noise_tunnel.attribute(x, target=t, nt_type="smoothgrad",
                                                                   nt_samples=SAMPLES, abs=False))
    print(json.dumps({"name": "attribution_smoothgrad_1000x64", "seconds": seconds, "samples": SAMPLES,
                      "stdevs": 1.0, **common}), flush=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="directory written by --make-data")
    parser.add_argument("--make-data", metavar="DIR", help="write the model, architecture, inputs and targets")
    parser.add_argument("--seed", type=int, default=0, help="seed for --make-data")
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    if args.make_data:
        print(json.dumps(make_data(args.make_data, args.seed)))
        return 0
    if args.data:
        bench(args.data, args.repetitions)
        return 0
    with tempfile.TemporaryDirectory() as directory:
        make_data(directory, args.seed)
        bench(directory, args.repetitions)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
