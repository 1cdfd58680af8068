"""Two CNNs trained by PyTorch on the 8 x 8 digits, for DeadSalmon's audit of CNN state dicts
(run once: python3 generate.py; PyTorch, safetensors and numpy).

The module (DigitsCNN below): convs = nn.ModuleList of nn.Conv2d(c_in, c_out, 3, padding=1), each
followed by ReLU and 2 x 2 max pooling; then flatten (NCHW, channel-major) and dense =
nn.ModuleList of nn.Linear with ReLU between them and identity logits. State-dict names:
convs.k.weight [out, in, 3, 3], convs.k.bias, dense.k.weight [out, in], dense.k.bias.

Writes:
  seed0.safetensors, seed1.safetensors  two networks trained from seeds 0 and 1 (20 epochs of AdamW)
  architecture.json                     {"type": "cnn", ...} for DeadSalmon's loader
  inputs.npy                            float32 [60, 64]: held-out digits (pixels / 16), the audit's inputs
  labels.npy                            int64 [60]: their digits
  reference_logits.npy                  float32 [2, 60, 10]: each network's logits on the inputs, which
                                        DeadSalmon's forward pass must equal
  spec.yaml is written by hand beside them.
"""
import csv
import json
import pathlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

torch.set_num_threads(1)
HERE = pathlib.Path(__file__).parent
ROOT = HERE.parents[3]
CONVOLUTIONS, DENSE = [4, 8], [16, 10]


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        channels = [1] + CONVOLUTIONS
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3, padding=1) for a, b in zip(channels, channels[1:]))
        side = 8 // 2 ** len(CONVOLUTIONS)
        widths = [CONVOLUTIONS[-1] * side * side] + DENSE
        self.dense = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))

    def forward(self, x):
        x = x.view(-1, 1, 8, 8)
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        x = x.flatten(1)
        for k, layer in enumerate(self.dense):
            x = layer(x)
            if k < len(self.dense) - 1:
                x = F.relu(x)
        return x


rows = list(csv.reader(open(ROOT / "Sources/SalmonTasks/Resources/digits.csv")))[1:]
data = np.array(rows, dtype=np.int64)
pixels = (data[:, :64] / 16).astype(np.float32)
labels = data[:, 64]
train_x, train_y = torch.tensor(pixels[60:]), torch.tensor(labels[60:])
test_x, test_y = pixels[:60], labels[:60]

logits = []
for seed in (0, 1):
    torch.manual_seed(seed)
    model = DigitsCNN()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for epoch in range(20):
        order = torch.randperm(len(train_x))
        for start in range(0, len(order), 64):
            batch = order[start:start + 64]
            optimizer.zero_grad()
            F.cross_entropy(model(train_x[batch]), train_y[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        out = model(torch.tensor(test_x))
    print(f"seed {seed}: held-out accuracy {(out.argmax(1).numpy() == test_y).mean():.3f}")
    logits.append(out.numpy())
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(HERE / f"seed{seed}.safetensors"))

json.dump({"type": "cnn", "input": [1, 8, 8], "convolutions": CONVOLUTIONS, "dense": DENSE}, open(HERE / "architecture.json", "w"))
np.save(HERE / "inputs.npy", test_x)
np.save(HERE / "labels.npy", test_y)
np.save(HERE / "reference_logits.npy", np.stack(logits).astype(np.float32))
