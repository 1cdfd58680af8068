#!/usr/bin/env python3
"""Peer benchmark: attribution maps for 1,000 8 x 8 images on the sanity checks' CNN, with Captum.

    python3 attribution_cnn_peer.py --make-data DIR --seed S   # write the model and inputs to DIR
    python3 attribution_cnn_peer.py DIR                        # time Captum on DIR, one JSON line per method

The network is the one `salmon sanity-checks --architecture cnn` trains (here with PyTorch's
default initialization under torch.manual_seed(S)):
    Conv2d(1, 16, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Conv2d(16, 32, 3, padding=1) -> ReLU
    -> MaxPool2d(2) -> Flatten -> Linear(128, 64) -> ReLU -> Linear(64, 10)
DIR holds model.safetensors (names conv1.*, conv2.*, fc1.*, fc2.*, float32), inputs.npy (float32
[1000, 64], uniform in [0, 1), each row an image in row-major order) and targets.npy (int64
[1000], the predicted class). Methods, as attribution_peer.py times them for the MLP (Captum
defaults, one attribute() call over all rows, best of 3): Saliency; IntegratedGradients with 50
Gauss-Legendre steps from a zero baseline; NoiseTunnel(Saliency) SmoothGrad with 50 samples;
and GuidedBackprop.
"""
import argparse
import json
import os
import sys

import numpy as np

from attribution_peer import best_of  # the same timing rule as the MLP peer

ROWS = 1000
STEPS = 50
SAMPLES = 50


def build_model():
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
            self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
            self.fc1 = nn.Linear(128, 64)
            self.fc2 = nn.Linear(64, 10)
            self.relu1, self.relu2, self.relu3 = nn.ReLU(), nn.ReLU(), nn.ReLU()
            self.pool = nn.MaxPool2d(2)

        def forward(self, x):
            x = x.view(-1, 1, 8, 8)
            x = self.pool(self.relu1(self.conv1(x)))
            x = self.pool(self.relu2(self.conv2(x)))
            return self.fc2(self.relu3(self.fc1(x.flatten(1))))

    return Net()


def make_data(directory, seed):
    import torch
    from safetensors.torch import save_file

    os.makedirs(directory, exist_ok=True)
    torch.manual_seed(seed)
    model = build_model().eval()
    inputs = np.random.default_rng(seed).random((ROWS, 64), dtype=np.float32)
    with torch.no_grad():
        targets = model(torch.from_numpy(inputs)).argmax(dim=1).numpy().astype(np.int64)
    save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, os.path.join(directory, "model.safetensors"))
    np.save(os.path.join(directory, "inputs.npy"), inputs)
    np.save(os.path.join(directory, "targets.npy"), targets)
    return {"wrote": directory, "seed": seed, "rows": ROWS}


def bench(directory, repetitions):
    import captum
    import torch
    from captum.attr import GuidedBackprop, IntegratedGradients, NoiseTunnel, Saliency
    from safetensors.torch import load_file

    model = build_model()
    model.load_state_dict(load_file(os.path.join(directory, "model.safetensors")))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    x = torch.from_numpy(np.load(os.path.join(directory, "inputs.npy")))
    t = torch.from_numpy(np.load(os.path.join(directory, "targets.npy")))
    common = {"peer": "captum", "captum": captum.__version__, "torch": torch.__version__,
              "threads": torch.get_num_threads(), "rows": ROWS, "repetitions": repetitions, "dtype": "float32"}
    saliency = Saliency(model)
    print(json.dumps({"name": "attribution_cnn_gradient_1000x64",
                      "seconds": best_of(repetitions, lambda: saliency.attribute(x, target=t, abs=False)), **common}), flush=True)
    ig = IntegratedGradients(model)
    print(json.dumps({"name": "attribution_cnn_integrated_gradients_1000x64", "steps": STEPS,
                      "seconds": best_of(repetitions, lambda: ig.attribute(x, target=t, n_steps=STEPS)), **common}), flush=True)
    tunnel = NoiseTunnel(Saliency(model))
    torch.manual_seed(0)
    print(json.dumps({"name": "attribution_cnn_smoothgrad_1000x64", "samples": SAMPLES,
                      "seconds": best_of(repetitions, lambda: tunnel.attribute(x, target=t, nt_type="smoothgrad",
                                                                              nt_samples=SAMPLES, abs=False)), **common}), flush=True)
    guided = GuidedBackprop(model)
    import warnings
    warnings.filterwarnings("ignore")
    print(json.dumps({"name": "attribution_cnn_guided_backprop_1000x64",
                      "seconds": best_of(repetitions, lambda: guided.attribute(x, target=t)), **common}), flush=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--make-data", metavar="DIR")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    if args.make_data:
        print(json.dumps(make_data(args.make_data, args.seed)))
        return 0
    if not args.data:
        parser.error("give DIR or --make-data DIR")
    bench(args.data, args.repetitions)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
