"""A tiny random GPT-2 checkpoint written by Hugging Face transformers' own save_pretrained, and its
hidden states at every layer as transformers computes them: the reference for loading a checkpoint
directory (config.json + model.safetensors) in DeadSalmon.

Run once, here (python3 generate.py; torch, transformers, safetensors, numpy). Writes:
  lm/config.json, lm/model.safetensors      GPT2LMHeadModel (tensor names under "transformer.",
                                            the unembedding tied to the token embedding)
  base/config.json, base/model.safetensors  GPT2Model of another configuration (no prefix;
                                            activation "gelu", layer_norm_epsilon 1e-6, n_inner 24)
  tokens.npy                                int64 [4, 7], token ids (numpy RandomState(3))
  lm_hidden.npy, base_hidden.npy            float32 [layers + 1, 4, 7, n_embd]: output_hidden_states
                                            (the embeddings, after each block; the last after ln_f)
  lm_logits.npy                             float32 [4, 7, vocab_size]
  versions.txt                              the torch and transformers versions used
"""
import os

import numpy as np
import torch
import transformers
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Model

torch.manual_seed(0)
torch.set_num_threads(1)
here = os.path.dirname(os.path.abspath(__file__))
tokens = np.random.RandomState(3).randint(0, 40, size=(4, 7)).astype(np.int64)
np.save(os.path.join(here, "tokens.npy"), tokens)

# initializer_range 0.2 (ten times GPT-2's) so that every layer's contribution is visible.
lm = GPT2LMHeadModel(GPT2Config(vocab_size=40, n_positions=9, n_embd=16, n_layer=2, n_head=4, initializer_range=0.2))
lm.eval()
lm.save_pretrained(os.path.join(here, "lm"), safe_serialization=True)
with torch.no_grad():
    out = lm(torch.from_numpy(tokens), output_hidden_states=True)
np.save(os.path.join(here, "lm_hidden.npy"), torch.stack(out.hidden_states).numpy().astype(np.float32))
np.save(os.path.join(here, "lm_logits.npy"), out.logits.numpy().astype(np.float32))

base = GPT2Model(GPT2Config(vocab_size=40, n_positions=9, n_embd=12, n_layer=3, n_head=3, n_inner=24,
                            activation_function="gelu", layer_norm_epsilon=1e-6, initializer_range=0.2))
base.eval()
base.save_pretrained(os.path.join(here, "base"), safe_serialization=True)
with torch.no_grad():
    out = base(torch.from_numpy(tokens), output_hidden_states=True)
np.save(os.path.join(here, "base_hidden.npy"), torch.stack(out.hidden_states).numpy().astype(np.float32))

with open(os.path.join(here, "versions.txt"), "w") as f:
    f.write(f"torch {torch.__version__}\ntransformers {transformers.__version__}\n")

# The initialization transformers gives the lm configuration: 4 fresh GPT2LMHeadModels (seeds
# 10 ... 13), each group of parameters pooled over layers and models, float32 (init_<group>.npy).
config = lm.config
groups = {"wte": [], "wpe": [], "c_attn": [], "attn_c_proj": [], "c_fc": [], "mlp_c_proj": []}
for seed in range(10, 14):
    torch.manual_seed(seed)
    fresh = GPT2LMHeadModel(config)
    t = fresh.transformer
    groups["wte"].append(t.wte.weight)
    groups["wpe"].append(t.wpe.weight)
    for block in t.h:
        groups["c_attn"].append(block.attn.c_attn.weight)
        groups["attn_c_proj"].append(block.attn.c_proj.weight)
        groups["c_fc"].append(block.mlp.c_fc.weight)
        groups["mlp_c_proj"].append(block.mlp.c_proj.weight)
    assert all(float(b.detach().abs().max()) == 0 for block in t.h for b in
               (block.attn.c_attn.bias, block.attn.c_proj.bias, block.mlp.c_fc.bias, block.mlp.c_proj.bias))
    assert fresh.lm_head.weight.data_ptr() == t.wte.weight.data_ptr()
for name, tensors in groups.items():
    values = torch.cat([x.detach().flatten() for x in tensors]).numpy().astype(np.float32)
    np.save(os.path.join(here, f"init_{name}.npy"), values)
    print(name, values.size, values.std())
