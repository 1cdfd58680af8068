#!/usr/bin/env python3
"""Train small XOR MLPs following Méloux et al. (ICLR 2025) and save them as safetensors.

Reference fixtures for DeadSalmon's circuit-enumeration tests (SalmonMethodsTests). Run once,
from anywhere, with PyTorch (CPU) and safetensors installed:

    python3 Tests/SalmonMethodsTests/Fixtures/circuits/train_xor.py

Writes, next to this script:

    xor-2-3-3-1-seed{S}.safetensors   for every seed S in SEEDS_3 whose training converged
    xor-2-4-4-1-seed{S}.safetensors   the first converging seed of SEEDS_4
    xor-2-5-5-1-seed{S}.safetensors   the first converging seed of SEEDS_5
    architecture.json                 DeadSalmon ModelArchitecture for [2, 3, 3, 1]
    architecture-2-4-4-1.json         ... for [2, 4, 4, 1]
    architecture-2-5-5-1.json         ... for [2, 5, 5, 1]

Each run (seed, epochs, final full-data loss, converged, accuracy) is printed as a JSON line
on stderr; the saved files carry the same facts in their safetensors ``__metadata__``.

The semantics come from /work/shared/REFERENCES.md, bullet "Identifiability of circuits":

    Identifiability of circuits (Méloux et al., ICLR 2025, "Everything, everywhere, all at
    once"): small MLPs trained on Boolean gates; layer sizes [2, k, …, k, 1]; MSE loss, AdamW
    lr 1e-3, batch 100, trained until the loss is below 0.01. Their published code applies
    LeakyReLU (negative slope 0.01) after *every* linear layer, the output layer included (the
    paper describes an identity output; the code's behaviour is what their counts come from).

Recipe implemented here
-----------------------
* Model: ``layers = nn.ModuleList([nn.Sequential(nn.Linear(a, b), nn.LeakyReLU(0.01)) ...])``
  for consecutive sizes (a, b); LeakyReLU after every linear layer, the output one included.
  State-dict names ``layers.{i}.0.weight`` ([out, in]) and ``layers.{i}.0.bias``; saved as
  float32. PyTorch default initialization after ``torch.manual_seed(S)``.
* Data: the four XOR inputs (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0, each repeated 50 times
  (200 rows, ``np.repeat`` order: 50 x (0,0), then 50 x (0,1), ...). The same 200 rows are
  the validation set of count_circuits.py.
* Training: MSE loss, ``torch.optim.AdamW(lr=1e-3)`` (other arguments default, so
  weight_decay=0.01), batch size 100, i.e. two steps per epoch over a permutation of the 200
  rows drawn from ``torch.Generator().manual_seed(S)`` (a generator separate from the init
  RNG). After every epoch the loss on all 200 rows is computed; training stops as soon as it
  is < 0.01 ("converged") or after MAX_EPOCHS epochs (not converged; such models are not
  saved).  Single-threaded for reproducibility.

Re-running gives the same weights for the same PyTorch version / CPU (not guaranteed across
versions); the circuit counts in circuits-*.json are computed from the saved files, so the
fixtures stay consistent with each other even if a retrain differed.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_EPOCHS = 20_000
LOSS_TARGET = 0.01
SEEDS_3 = [0, 1, 2]
SEEDS_4 = [0, 1, 2, 3, 4]
SEEDS_5 = [0, 1, 2, 3, 4]


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Sequential(nn.Linear(a, b), nn.LeakyReLU(0.01)) for a, b in zip(sizes[:-1], sizes[1:])
        )

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def xor_data():
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    targets = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return torch.from_numpy(np.repeat(inputs, 50, axis=0)), torch.from_numpy(np.repeat(targets, 50, axis=0))


def train(sizes, seed):
    torch.manual_seed(seed)
    model = MLP(sizes)
    x, y = xor_data()
    shuffle = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    criterion = nn.MSELoss()
    loss = float("inf")
    for epoch in range(1, MAX_EPOCHS + 1):
        order = torch.randperm(x.shape[0], generator=shuffle)
        for start in range(0, x.shape[0], 100):
            batch = order[start:start + 100]
            optimizer.zero_grad()
            criterion(model(x[batch]), y[batch]).backward()
            optimizer.step()
        with torch.no_grad():
            loss = criterion(model(x), y).item()
        if loss < LOSS_TARGET:
            return model, epoch, loss, True
    return model, MAX_EPOCHS, loss, False


def architecture(sizes):
    return {
        "type": "mlp",
        "sizes": sizes,
        "hiddenActivation": "leaky_relu",
        "outputActivation": "leaky_relu",
        "negativeSlope": 0.01,
        "naming": "modulelist",
    }


def name(sizes):
    return "-".join(str(s) for s in sizes)


def save(model, sizes, seed, epochs, loss):
    tensors = {k: v.detach().to(torch.float32).contiguous() for k, v in model.state_dict().items()}
    path = os.path.join(HERE, f"xor-{name(sizes)}-seed{seed}.safetensors")
    save_file(tensors, path, metadata={
        "sizes": json.dumps(sizes), "seed": str(seed), "epochs": str(epochs),
        "finalLoss": repr(loss), "torch": torch.__version__, "recipe": "Meloux et al. XOR; see train_xor.py",
    })
    return os.path.basename(path)


def main():
    torch.set_num_threads(1)
    plan = [([2, 3, 3, 1], SEEDS_3, False), ([2, 4, 4, 1], SEEDS_4, True), ([2, 5, 5, 1], SEEDS_5, True)]
    for sizes, seeds, first_only in plan:
        for seed in seeds:
            model, epochs, loss, converged = train(sizes, seed)
            with torch.no_grad():
                x, y = xor_data()
                accuracy = float((torch.round(model(x)) == y).float().mean())
            run = {"sizes": sizes, "seed": seed, "epochs": epochs, "finalLoss": loss,
                   "converged": converged, "accuracy": accuracy}
            if converged:
                run["file"] = save(model, sizes, seed, epochs, loss)
            print(json.dumps(run), file=sys.stderr)
            if converged and first_only:
                break
        arch_name = "architecture.json" if sizes == [2, 3, 3, 1] else f"architecture-{name(sizes)}.json"
        with open(os.path.join(HERE, arch_name), "w") as f:
            json.dump(architecture(sizes), f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
