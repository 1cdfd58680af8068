"""Reference values for the Doshi et al. 2023 setting (run once; writes doshi.json beside this file).

The model, loss, optimizer and scores of `d-doshi/Grokking` (utils/models.py `fcn`, the notebook
Grokking_with_label_corruption.ipynb, utils/data_processing.py `calculate_ipr`), rewritten here
at a small size: (a + b) mod p on one-hot pairs, Linear(2p → N, no bias) → x² → Linear(N → p,
no bias), MSE to the one-hot label, AdamW(lr 1e-2, betas (0.9, 0.98), eps 1e-8, weight decay wd),
full batch. Recorded: the initial weights; the weights after `steps` steps; each neuron's IPR
(mean of U, V, W rFFT IPRs, r = 2) of the trained weights; and accuracies after zeroing the
`n` lowest-IPR neurons' input and output weights, for several n.

    python3 generate_doshi.py
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(20261206)
p, N, steps, wd = 11, 24, 40, 1.0
fc1 = nn.Linear(2 * p, N, bias=False)
fc2 = nn.Linear(N, p, bias=False)
std = 0.25 ** 0.5 / np.power(2 * N, 1 / 3)
nn.init.normal_(fc1.weight, 0.0, std)
nn.init.normal_(fc2.weight, 0.0, std)
init1 = fc1.weight.detach().clone()
init2 = fc2.weight.detach().clone()

pairs = [(a, b) for a in range(p) for b in range(p)]
rng = np.random.default_rng(7)
order = rng.permutation(len(pairs))
train = order[:60]
X = torch.zeros(len(pairs), 2 * p)
Y = torch.zeros(len(pairs), dtype=torch.long)
for i, (a, b) in enumerate(pairs):
    X[i, a] = 1
    X[i, p + b] = 1
    Y[i] = (a + b) % p
Ytrain = Y[train].clone()
Ytrain[:15] = (Ytrain[:15] + 1 + torch.as_tensor(rng.integers(0, p - 1, 15))) % p  # corrupted labels

def forward(x):
    return fc2(fc1(x) ** 2)

opt = torch.optim.AdamW(list(fc1.parameters()) + list(fc2.parameters()), lr=1e-2, betas=(0.9, 0.98), eps=1e-8, weight_decay=wd)
for _ in range(steps):
    opt.zero_grad()
    out = forward(X[train])
    loss = nn.functional.mse_loss(out, nn.functional.one_hot(Ytrain, p).float())
    loss.backward()
    opt.step()

def calculate_ipr(array, r):
    return np.power(array / np.sqrt((array ** 2).sum()), 2 * r).sum()

W1 = fc1.weight.detach().numpy().astype(np.float64)
W2 = fc2.weight.detach().numpy().astype(np.float64)
ipr = [(calculate_ipr(np.abs(np.fft.rfft(W1[k, :p])), 2) + calculate_ipr(np.abs(np.fft.rfft(W1[k, p:])), 2)
        + calculate_ipr(np.abs(np.fft.rfft(W2[:, k])), 2)) / 3 for k in range(N)]
sorted_args = np.argsort(ipr, kind="stable")
pruned = {}
for n in [0, 4, 8, 12, 20]:
    w1 = fc1.weight.detach().clone()
    w2 = fc2.weight.detach().clone()
    w1[sorted_args[:n], :] = 0
    w2[:, sorted_args[:n]] = 0
    preds = (w2 @ ((w1 @ X.T) ** 2)).T.argmax(dim=1)
    pruned[str(n)] = {
        "units": sorted(int(u) for u in sorted_args[:n]),
        "trainCorrect": int((preds[train] == Ytrain).sum()),
        "allCorrect": int((preds == Y).sum()),
    }

out = {
    "modulus": p, "hidden": N, "steps": steps, "weightDecay": wd,
    "trainRows": [int(r) for r in train], "trainLabels": Ytrain.tolist(), "labels": Y.tolist(),
    "initial1": init1.numpy().ravel().tolist(), "initial2": init2.numpy().ravel().tolist(),
    "trained1": fc1.weight.detach().numpy().ravel().tolist(), "trained2": fc2.weight.detach().numpy().ravel().tolist(),
    "finalLoss": float(loss.detach()),
    "ipr": ipr, "pruned": pruned,
    "spectrumOf": W1[0, :p].tolist(), "spectrum": np.abs(np.fft.rfft(W1[0, :p])).tolist(),
}
pathlib.Path(__file__).with_name("doshi.json").write_text(json.dumps(out))
print("wrote doshi.json; final loss", out["finalLoss"])
