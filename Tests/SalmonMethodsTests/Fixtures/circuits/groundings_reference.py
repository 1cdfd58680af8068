#!/usr/bin/env python3
"""Reference groundings and what-then-where mappings of XOR networks, from Méloux et al.'s code.

Reference fixtures for DeadSalmon's grounding tests (SalmonMethodsTests). Two steps, run once
with PyTorch (CPU), safetensors, numpy, networkx, tqdm, pandas and matplotlib installed:

    python3 groundings_reference.py train
    PYTHONHASHSEED=0 python3 groundings_reference.py reference --published /path/to/MI-identifiability

(The published what-then-where search depends on the order of a Python set of variable names,
hence on string hashing; ``PYTHONHASHSEED=0`` makes the run repeatable, and each formula's order
is recorded as ``variableOrder``.)

``train`` (this script's own code) trains [2, 3, 3, 1] XOR networks with the recipe of the
published ``main.py`` (basic run of its README: noise 0): for seed S, ``random``, ``numpy`` and
``torch`` are seeded with S; the training rows are 4,000 corners drawn uniformly
(``np.random.choice``, as ``LogicGate.get_inputs``), the validation rows 200 likewise; the model
is ``nn.Linear`` + ``LeakyReLU(0.01)`` after every layer, the output included (the published
``MLP``'s behaviour), PyTorch default initialization; MSE, ``AdamW(lr=1e-3)``, batch 100 with
shuffling (``DataLoader``), at most 1,000 epochs, stopping when the epoch's mean batch loss is
below 0.01 or after 3 epochs without a new best; kept when the validation accuracy (rounded
outputs) is at least 0.99 and the final loss at most 0.01. Writes ``xor-recipe-2-3-3-1-seed{S}
.safetensors`` for the first ``--count`` (default 12) kept seeds.

``reference`` runs the *published* code (github.com/MelouxM/MI-identifiability, commit c08b08d,
"Update README.md", 2025-02-24; here from the fork gwherb/MI-identifiability, which carries that
history) on every ``xor*-2-3-3-1-seed*.safetensors`` next to this script, loaded into its ``MLP``:

* ``find_circuits(model, x_val, y_val, accuracy_threshold=0.99)`` with the 4 corners x 50 as
  validation rows (DeadSalmon's ``CircuitValidation.xor``);
* ``circuit.ground(model(x_tt, circuit=circuit, return_activations=True))`` for every perfect
  circuit, ``x_tt`` the 4 corners x 10 (``--n-repeats`` 10, noise 0), exactly as ``main.py``;
  the count is ``len`` of the list; for circuits with at most 64 groundings the list itself
  (per grounding and node: layer, node, separator, local truth table in the parents' order);
* ``get_formula_dataset([XOR], max_depth=3, device='cpu')`` and ``find_minimal_mappings`` for
  every formula, as ``main.py`` does (its ``device`` bug — tensors on cuda:0 — avoided by passing
  ``device``).

Writes ``groundings-<model>.json`` per network and ``groundings-timing.json`` (wall seconds of
the published grounding of every perfect circuit, per network). Nothing of the published code is
copied here; it is imported from ``--published``.
"""
import argparse
import glob
import json
import os
import random
import sys
import time

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

HERE = os.path.dirname(os.path.abspath(__file__))
CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR = np.array([0, 1, 1, 0], dtype=np.float32)


class RecipeMLP(nn.Module):
    """[2, 3, 3, 1] with LeakyReLU(0.01) after every linear layer; state dict layers.i.0.*."""

    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Sequential(nn.Linear(a, b), nn.LeakyReLU(0.01)) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def corners(n_per_corner_on_average):
    index = np.random.choice(4, size=4 * n_per_corner_on_average)
    return torch.tensor(CORNERS[index]), torch.tensor(XOR[index][:, None])


def train_one(seed, sizes):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    x, y = corners(1000)
    x_val, y_val = corners(50)
    model = RecipeMLP(sizes)
    loader = DataLoader(TensorDataset(x, y), batch_size=100, shuffle=True)
    criterion = nn.MSELoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    best, bad, average, epochs = float("inf"), 0, float("inf"), 0
    for epoch in range(1000):
        losses = []
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        average = float(np.mean(losses))
        epochs = epoch + 1
        if average < best:
            best, bad = average, 0
        else:
            bad += 1
        if average < 0.01 or bad >= 3:
            break
    with torch.no_grad():
        accuracy = float((torch.round(model(x_val)) == y_val).float().mean())
    return model, epochs, average, accuracy


def train(args):
    torch.set_num_threads(1)
    sizes = [2, 3, 3, 1]
    kept = 0
    for seed in range(args.max_seed):
        model, epochs, loss, accuracy = train_one(seed, sizes)
        converged = accuracy >= 0.99 and loss <= 0.01
        run = {"seed": seed, "epochs": epochs, "finalLoss": loss, "valAccuracy": accuracy, "converged": converged}
        if converged:
            tensors = {k: v.detach().to(torch.float32).contiguous() for k, v in model.state_dict().items()}
            name = f"xor-recipe-2-3-3-1-seed{seed}.safetensors"
            save_file(tensors, os.path.join(HERE, name), metadata={
                "sizes": json.dumps(sizes), "seed": str(seed), "epochs": str(epochs), "finalLoss": repr(loss),
                "torch": torch.__version__, "recipe": "Meloux et al. main.py, noise 0; see groundings_reference.py"})
            run["file"] = name
            kept += 1
        print(json.dumps(run), file=sys.stderr)
        if kept >= args.count:
            break


def grounding_rows(grounding_list):
    """One grounding as [[layer, node, separator, local truth table as [[inputs...], bit]...], ...]."""
    rows = []
    for entry in grounding_list:
        layer, node = entry["neuron_info"]
        table = sorted(([int(b) for b in k], int(v)) for k, v in entry["local_tt"].items())
        rows.append({"layer": int(layer), "node": int(node), "separator": float(entry["separator"]),
                     "table": [[k, v] for k, v in table]})
    return rows


def reference(args):
    sys.path.insert(0, os.path.abspath(args.published))
    import mi_identifiability.circuit as published_circuit
    from mi_identifiability.circuit import find_circuits
    from mi_identifiability.logic_gates import ALL_LOGIC_GATES, get_formula_dataset
    from mi_identifiability.mappings import find_minimal_mappings
    from mi_identifiability.neural_model import MLP

    torch.set_num_threads(1)
    x_val = torch.tensor(np.repeat(CORNERS, 50, axis=0))
    y_val = torch.tensor(np.repeat(XOR, 50)[:, None])
    x_tt = torch.tensor(np.tile(CORNERS, (10, 1)))
    formulas = get_formula_dataset([ALL_LOGIC_GATES["XOR"]], max_depth=3, device="cpu")["XOR"]
    timing = {}
    paths = sorted(glob.glob(os.path.join(HERE, "xor*-2-3-3-1-seed*.safetensors")))
    if args.only:
        paths = [p for p in paths if args.only in p]
    for path in paths:
        name = os.path.basename(path)[:-len(".safetensors")]
        model = MLP(hidden_sizes=[3, 3], input_size=2, output_size=1, device="cpu")
        model.load_state_dict(load_file(path))
        model.eval()
        with torch.no_grad():
            circuits, _, _ = find_circuits(model, x_val, y_val, accuracy_threshold=0.99)
        records = []
        start = time.perf_counter()
        lists = []
        for circuit in circuits:
            groundings = circuit.ground(model(x_tt.clone(), circuit=circuit, return_activations=True))
            lists.append(groundings)
        seconds = time.perf_counter() - start
        for circuit, groundings in zip(circuits, lists):
            record = {"nodeMasks": [list(map(int, m)) for m in circuit.node_masks],
                      "edgeMasks": [np.asarray(m).astype(int).tolist() for m in circuit.edge_masks],
                      "groundings": len(groundings)}
            if len(groundings) <= 64:
                # The published Grounding keeps only gate names; the assignments it was built from
                # are recovered by re-running the expansion with the same code path below.
                record["groundingList"] = None
            records.append(record)
        # The lists: ground again through the published expansion, keeping its partial records.
        for record, circuit in zip(records, circuits):
            if record["groundings"] <= 64:
                record["groundingList"] = [grounding_rows(g) for g in expand(circuit, model, x_tt, published_circuit)]
                assert len(record["groundingList"]) == record["groundings"]
        mapping_records = []
        for formula, pairs, intervened in formulas:
            minimal = find_minimal_mappings(model, formula, pairs, intervened)
            # The published samples follow the iteration order of a Python set of variable names,
            # which depends on the process's string hashing (PYTHONHASHSEED): the second sample is
            # (A, B) = (0, 1) when A comes first. Interchange pairs run one way (earlier sample as
            # source), so the order is recorded with the result.
            second = pairs[0][1][0]
            mapping_records.append({
                "formula": str(formula),
                "variableOrder": "AB" if (second["A"], second["B"]) == (0, 1) else "BA",
                "minimalMappings": [{node: {str(layer): sorted(int(n) for n in neurons)
                                            for layer, neurons in layers.items()}
                                     for node, layers in m.items()} for m in minimal]})
        out = {"model": name, "publishedCommit": "c08b08d", "perfectCircuits": records,
               "formulaCount": len(formulas), "formulas": mapping_records,
               "groundingSeconds": seconds}
        with open(os.path.join(HERE, f"groundings-{name}.json"), "w") as f:
            json.dump(out, f, separators=(",", ":"))
            f.write("\n")
        timing[name] = {"perfectCircuits": len(circuits), "groundings": sum(len(g) for g in lists),
                        "seconds": seconds}
        print(json.dumps({"model": name, **timing[name],
                          "formulasWithMappings": sum(1 for m in mapping_records if m["minimalMappings"])}),
              file=sys.stderr)
    if not args.only:
        with open(os.path.join(HERE, "groundings-timing.json"), "w") as f:
            json.dump({"torch": torch.__version__, "threads": 1, "networks": timing}, f, indent=1)
            f.write("\n")


def expand(circuit, model, x_tt, published_circuit):
    """The published expansion's partial groundings (its ``ground`` minus the final wrapping).

    ``Circuit.ground`` returns ``Grounding`` dicts of gate names only; the separators and local
    truth tables it chose live in the lists it wraps. ``Grounding`` is replaced for the duration of
    one call by a recorder that keeps the list it is given, so the published code runs unchanged.
    """
    kept = []

    class Recorder(dict):
        def __init__(self, assignments, circuit_):
            super().__init__()
            kept.append(assignments)

    original = published_circuit.Grounding
    published_circuit.Grounding = Recorder
    try:
        circuit.ground(model(x_tt.clone(), circuit=circuit, return_activations=True))
    finally:
        published_circuit.Grounding = original
    return kept


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--count", type=int, default=12)
    t.add_argument("--max-seed", type=int, default=200)
    r = sub.add_parser("reference")
    r.add_argument("--published", required=True)
    r.add_argument("--only", default=None)
    args = parser.parse_args()
    train(args) if args.command == "train" else reference(args)


if __name__ == "__main__":
    main()
