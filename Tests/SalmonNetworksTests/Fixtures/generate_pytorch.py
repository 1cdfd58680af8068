"""PyTorch reference models for DeadSalmon's state-dict loading (run once: python3 generate_pytorch.py).

Writes, for each model, a safetensors state dict (PyTorch's own names), the architecture JSON
DeadSalmon reads, and pytorch_outputs.json with inputs and PyTorch's outputs (float32, CPU).
  mlp_modulelist: the layout of Méloux et al.'s code, nn.ModuleList of Sequential(Linear, LeakyReLU)
  mlp_sequential: nn.Sequential(Linear, ReLU, Linear, ReLU, Linear)
  gpt2_linear / gpt2_conv1d: a 2-layer GPT-2-style decoder (pre-LayerNorm, causal attention,
  GELU tanh), saved with nn.Linear weights [out, in] and, transposed, in Hugging Face's Conv1D
  layout [in, out].
"""
import json
import math

import torch
import torch.nn as nn
from safetensors.torch import save_file

torch.manual_seed(0)
torch.set_num_threads(1)
outputs = {"torch": torch.__version__}


class LayeredMLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Sequential(nn.Linear(a, b), nn.LeakyReLU(0.01)) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def save(name, model, architecture, tensors=None):
    save_file({k: v.contiguous() for k, v in (tensors or model.state_dict()).items()}, f"{name}.safetensors")
    with open(f"{name}.json", "w") as f:
        json.dump(architecture, f, indent=1)
        f.write("\n")


# MLPs
mlp1 = LayeredMLP([2, 3, 3, 1])
save("mlp_modulelist", mlp1, {"type": "mlp", "sizes": [2, 3, 3, 1], "hiddenActivation": "leaky_relu",
                              "outputActivation": "leaky_relu", "negativeSlope": 0.01, "naming": "modulelist"})
x1 = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.], [0.3, -2.0]])
outputs["mlp_modulelist"] = {"inputs": x1.tolist(), "outputs": mlp1(x1).tolist()}

mlp2 = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))
save("mlp_sequential", mlp2, {"type": "mlp", "sizes": [4, 16, 8, 3], "hiddenActivation": "relu",
                              "outputActivation": "identity", "naming": "sequential"})
x2 = torch.randn(6, 4)
outputs["mlp_sequential"] = {"inputs": x2.tolist(), "outputs": mlp2(x2).tolist()}


# GPT-2-style decoder
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

    def forward(self, x):
        b, t, d = x.shape
        h = self.ln_1(x)
        q, k, v = self.attn.c_attn(h).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        y = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.attn.c_proj(y)
        return x + self.mlp.c_proj(nn.functional.gelu(self.mlp.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab, context, d, heads, layers):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(context, d)
        self.h = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T   # tied unembedding, as GPT-2


gpt = GPT(vocab=11, context=8, d=16, heads=2, layers=2)
with torch.no_grad():   # non-trivial LayerNorm parameters, so they are tested too
    for name, p in gpt.named_parameters():
        if "ln" in name:
            p.add_(0.1 * torch.randn_like(p))
architecture = {"type": "gpt2", "vocabulary": 11, "context": 8, "dimension": 16, "heads": 2, "layers": 2,
                "activation": "gelu_tanh", "tiedUnembedding": True}
save("gpt2_linear", gpt, dict(architecture, linearLayout="linear"))
conv1d = {k: (v.T if k.endswith(".weight") and (".attn." in k or ".mlp." in k) else v) for k, v in gpt.state_dict().items()}
save("gpt2_conv1d", gpt, dict(architecture, linearLayout="conv1d"), tensors=conv1d)
tokens = torch.tensor([[1, 4, 0, 6, 2, 10, 3, 7], [5, 5, 9, 2, 8, 1, 0, 4]])
outputs["gpt2"] = {"tokens": tokens.tolist(), "logits": gpt(tokens).reshape(-1, 11).tolist()}

with open("pytorch_outputs.json", "w") as f:
    json.dump(outputs, f)
    f.write("\n")
