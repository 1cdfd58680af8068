"""Reads the state dicts DeadSalmon wrote (written_by_deadsalmon/*.safetensors, kept equal to what
the code writes by StateDictTests.writtenStateDictsAreTheFilesPythonReads) with the Python
`safetensors` package, and checks them tensor for tensor against the files PyTorch saved.

    python3 check_written_by_deadsalmon.py      # checked with safetensors 0.8.0 and torch 2.15
"""
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

failures = 0
for name in ["mlp_modulelist", "gpt2_conv1d", "gpt2_linear"]:
    ours = load_file(f"written_by_deadsalmon/{name}.safetensors")
    theirs = load_file(f"{name}.safetensors")
    with safe_open(f"written_by_deadsalmon/{name}.safetensors", framework="pt") as f:
        keys = sorted(f.keys())
    missing = sorted(set(theirs) - set(ours))
    extra = sorted(set(ours) - set(theirs))
    worst = 0.0
    for key in sorted(set(ours) & set(theirs)):
        a, b = ours[key], theirs[key]
        if a.dtype != b.dtype or a.shape != b.shape:
            print(f"{name}: {key}: {a.dtype} {tuple(a.shape)} against {b.dtype} {tuple(b.shape)}")
            failures += 1
            continue
        worst = max(worst, (a - b).abs().max().item() if a.numel() else 0.0)
    ok = not missing and not extra and worst == 0.0
    failures += 0 if ok else 1
    print(f"{name}: {len(keys)} tensors read by safetensors {('equal to PyTorch' if ok else 'DIFFERENT')}"
          f" (max |difference| {worst}; missing {missing}; extra {extra})")
sys.exit(1 if failures else 0)
