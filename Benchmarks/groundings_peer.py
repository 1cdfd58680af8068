#!/usr/bin/env python3
"""The published way to count every grounding of every perfect circuit of an XOR network.

Méloux et al.'s code (MI-identifiability, commit c08b08d), imported from the checkout named by
the environment variable MI_IDENTIFIABILITY, run as its main.py does: ``find_circuits`` on the
4 inputs x 50 at accuracy threshold 0.99, then ``circuit.ground`` of every perfect circuit on the
4 inputs x 10, counting ``len`` of each list. One thread. Prints one JSON line.

    MI_IDENTIFIABILITY=/path/to/MI-identifiability python3 groundings_peer.py MODEL.safetensors
"""
import json
import os
import sys
import time

import numpy as np
import torch
from safetensors.torch import load_file

sys.path.insert(0, os.environ["MI_IDENTIFIABILITY"])
from mi_identifiability.circuit import find_circuits  # noqa: E402
from mi_identifiability.neural_model import MLP  # noqa: E402


def main():
    torch.set_num_threads(1)
    started = time.perf_counter()
    state = load_file(sys.argv[1])
    hidden = [state[f"layers.{i}.0.weight"].shape[0] for i in range(len(state) // 2 - 1)]
    model = MLP(hidden_sizes=hidden, input_size=2, output_size=1, device="cpu")
    model.load_state_dict(state)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    x_val = torch.tensor(np.repeat(corners, 50, axis=0))
    y_val = torch.tensor(np.repeat(np.array([0, 1, 1, 0], dtype=np.float32), 50)[:, None])
    x_tt = torch.tensor(np.tile(corners, (10, 1)))
    with torch.no_grad():
        circuits, _, _ = find_circuits(model, x_val, y_val, accuracy_threshold=0.99)
    counts = [len(c.ground(model(x_tt.clone(), circuit=c, return_activations=True))) for c in circuits]
    print(json.dumps({"name": "groundings", "peer": "MI-identifiability c08b08d", "perfectCircuits": len(circuits),
                      "explanations": sum(counts), "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
