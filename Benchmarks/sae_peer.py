#!/usr/bin/env python3
"""Peer benchmark: one epoch of sparse-autoencoder training in PyTorch, the SAE salmon-bench times.

    python3 sae_peer.py --make-data OUT.npy --seed S   # 100,000 x 128 float32 activations
    python3 sae_peer.py DATA.npy                        # time the peer, one JSON line per configuration

The SAE, as SparseAutoencoder.train does it: W_enc [d, 8d], b_enc, W_dec [8d, d] with unit-norm
rows, b_dec; z = x W_enc + b_enc; TopK (k = 32, then ReLU, scattered into a dense code) or ReLU
with an L1 penalty 1e-3 on the code; x_hat = f W_dec + b_dec; loss = mean over rows of the summed
squared error (+ L1). Decoder rows start as normalized Gaussians, the encoder as their transpose;
inputs are scaled to mean squared norm d; batches of 4,096 in a shuffled order; Adam (lr 1e-3,
betas 0.9/0.999, eps 1e-8); before each step the decoder gradient's component along each row is
removed, after it the rows are renormalized. No latent is dead within the first epoch, so the
TopK auxiliary loss does not run in either implementation. Timed: the epoch (best of 2), threads
set by torch.set_num_threads to 1 and 2, the data already in memory as a float32 tensor.
"""
import argparse
import json
import time

import numpy as np
import torch

ROWS, WIDTH, EXPANSION, K, L1, BATCH, LR = 100_000, 128, 8, 32, 1e-3, 4096, 1e-3


def make_data(out, seed):
    """Activations with sparse structure: 2,048 unit directions, 16 active per row, magnitudes
    Exp(1), plus Gaussian noise of std 0.1 and a mean offset (a residual stream is not centred)."""
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(2048, WIDTH))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    x = np.empty((ROWS, WIDTH), dtype=np.float32)
    for start in range(0, ROWS, 10_000):
        n = min(10_000, ROWS - start)
        idx = rng.integers(0, 2048, size=(n, 16))
        mag = rng.exponential(size=(n, 16))
        block = np.einsum("nk,nkd->nd", mag, directions[idx]) + 0.1 * rng.normal(size=(n, WIDTH)) + 0.5
        x[start:start + n] = block
    np.save(out, x)


def epoch(x, activation, seed=1):
    torch.manual_seed(seed)
    d, m = x.shape[1], EXPANSION * x.shape[1]
    w_dec = torch.randn(m, d)
    w_dec /= w_dec.norm(dim=1, keepdim=True)
    w_enc = w_dec.t().clone()
    b_enc = torch.zeros(m)
    b_dec = torch.zeros(d)
    params = [w_enc.requires_grad_(), b_enc.requires_grad_(), w_dec.requires_grad_(), b_dec.requires_grad_()]
    opt = torch.optim.Adam(params, lr=LR, betas=(0.9, 0.999), eps=1e-8)
    scale = (d / x.pow(2).sum(1).mean()).sqrt()
    order = torch.randperm(x.shape[0])
    total = 0.0
    for start in range(0, x.shape[0], BATCH):
        xb = x[order[start:start + BATCH]] * scale
        z = xb @ w_enc + b_enc
        if activation == "topk":
            values, indices = z.topk(K, dim=1)
            f = torch.zeros_like(z).scatter_(1, indices, values.relu())
        else:
            f = z.relu()
        recon = f @ w_dec + b_dec
        loss = (recon - xb).pow(2).sum(1).mean()
        if activation == "relu_l1":
            loss = loss + L1 * f.sum(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            g = w_dec.grad
            g -= (g * w_dec).sum(1, keepdim=True) * w_dec
        opt.step()
        with torch.no_grad():
            w_dec /= w_dec.norm(dim=1, keepdim=True)
        total += loss.item() * xb.shape[0]
    return total / x.shape[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?")
    parser.add_argument("--make-data")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.make_data:
        make_data(args.make_data, args.seed)
        return
    x = torch.from_numpy(np.load(args.data))
    for activation in ["topk", "relu_l1"]:
        for threads in [1, 2]:
            torch.set_num_threads(threads)
            best, loss = float("inf"), float("nan")
            for _ in range(2):
                start = time.perf_counter()
                loss = epoch(x, activation)
                best = min(best, time.perf_counter() - start)
            print(json.dumps({"name": f"sae_{activation}_train_epoch_t{threads}", "peer": "pytorch", "rows": x.shape[0], "width": x.shape[1],
                              "latents": EXPANSION * x.shape[1], "threads": threads, "seconds": best, "epochLoss": loss,
                              "torch": torch.__version__}))


if __name__ == "__main__":
    main()
