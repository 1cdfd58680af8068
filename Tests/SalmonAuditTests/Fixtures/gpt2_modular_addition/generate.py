"""A GPT-2-layout transformer trained by PyTorch on modular addition, for DeadSalmon's audit of a
state dict (run once: python3 generate.py; PyTorch, safetensors and numpy).

Writes:
  model.safetensors, architecture.json  the state dict (nn.Linear layout [out, in], untied lm_head)
  tokens.npy                            int64 [n, 2]: the held-out pairs (a, b), the audit's inputs
  labels.npy                            int64 [n]: (a + b) mod p, the probe's target
  operand_a.npy                         int64 [n]: a, the first operand
  reference_resid.npy                   float32 [n, d]: PyTorch's residual stream after block 0 at
                                        the last position, which DeadSalmon's captured activations
                                        (site blocks.0.resid) must equal
  reference_logits.npy                  float32 [n, p]: PyTorch's logits at the last position
  spec.yaml is written by hand beside them.
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import save_file

torch.manual_seed(0)
torch.set_num_threads(1)
P, D, HEADS, LAYERS = 13, 32, 4, 1


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(d, 3 * d)
        self.attn.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(d, 4 * d)
        self.mlp.c_proj = nn.Linear(4 * d, d)
        self.heads = heads

    def forward(self, x, heads_out=None, heads_in=None):
        """heads_out, a list, receives the heads' concatenated outputs before c_proj; heads_in, a
        pair (h, y), puts head h's columns of y in place of its own (head patching)."""
        b, t, d = x.shape
        h = self.ln_1(x)
        q, k, v = self.attn.c_attn(h).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        y = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        if heads_out is not None:
            heads_out.append(y)
        if heads_in is not None:
            head, other = heads_in
            width = d // self.heads
            y = y.clone()
            y[:, :, head * width:(head + 1) * width] = other[:, :, head * width:(head + 1) * width]
        x = x + self.attn.c_proj(y)
        return x + self.mlp.c_proj(nn.functional.gelu(self.mlp.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(P, D)
        self.wpe = nn.Embedding(2, D)
        self.h = nn.ModuleList(Block(D, HEADS) for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(D)
        self.lm_head = nn.Linear(D, P, bias=False)

    def forward(self, idx, residuals=None, heads_out=None, heads_in=None):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x, heads_out, heads_in)
            if residuals is not None:
                residuals.append(x)
        return self.lm_head(self.ln_f(x))


def main():
    pairs = torch.tensor([[a, b] for a in range(P) for b in range(P)])
    order = torch.randperm(len(pairs))
    held_out, train = pairs[order[:39]], pairs[order[39:]]
    model = GPT()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.5)
    for step in range(4000):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(train)[:, -1], train.sum(1) % P)
        loss.backward()
        optimizer.step()

    with torch.no_grad():
        residuals = []
        logits = model(held_out, residuals)[:, -1]
        accuracy = (logits.argmax(1) == held_out.sum(1) % P).float().mean().item()
        print(f"final training loss {loss.item():.4f}, held-out accuracy {accuracy:.3f}")
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, "model.safetensors")
        with open("architecture.json", "w") as f:
            json.dump({"type": "gpt2", "vocabulary": P, "context": 2, "dimension": D, "heads": HEADS, "layers": LAYERS,
                       "activation": "gelu_tanh", "tiedUnembedding": False, "linearLayout": "linear"}, f, indent=1)
            f.write("\n")
        np.save("tokens.npy", held_out.numpy().astype(np.int64))
        np.save("labels.npy", (held_out.sum(1) % P).numpy().astype(np.int64))
        np.save("operand_a.npy", held_out[:, 0].numpy().astype(np.int64))
        np.save("reference_resid.npy", residuals[0][:, -1].numpy().astype(np.float32))
        np.save("reference_logits.npy", logits.numpy().astype(np.float32))


if __name__ == "__main__":
    main()
