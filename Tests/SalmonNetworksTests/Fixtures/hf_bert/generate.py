"""A tiny random BERT checkpoint written by Hugging Face transformers' save_pretrained, and its
hidden states at every layer as transformers computes them, with padding: the reference for
loading a BERT-family checkpoint directory (config.json + model.safetensors) in DeadSalmon.

Run once, here (python3 generate.py; torch, transformers, numpy). Writes:
  model/config.json, model/model.safetensors   BertModel (post-LayerNorm encoder, exact GELU,
                                               token-type and position embeddings, the pooler),
                                               the shape of all-MiniLM-L6-v2 scaled down
  tokens.npy, types.npy, mask.npy              int64 [3, 9]: token ids (numpy RandomState(5)),
                                               token types (0, then 1 from position 5), attention
                                               mask (sequence 1 padded after 6 tokens, 2 after 3)
  hidden.npy                                   float32 [layers + 1, 3, 9, hidden]: output_hidden_states
  pooled.npy                                   float32 [3, hidden]: the pooler's output
  versions.txt                                 the torch and transformers versions used
"""
import os

import numpy as np
import torch
import transformers
from transformers import BertConfig, BertModel

torch.manual_seed(0)
torch.set_num_threads(1)
here = os.path.dirname(os.path.abspath(__file__))
config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=3, num_attention_heads=4, intermediate_size=32,
                    max_position_embeddings=12, type_vocab_size=2, initializer_range=0.2, layer_norm_eps=1e-12)
model = BertModel(config)
model.eval()
model.save_pretrained(os.path.join(here, "model"), safe_serialization=True)

rs = np.random.RandomState(5)
tokens = rs.randint(0, 50, size=(3, 9)).astype(np.int64)
types = np.zeros((3, 9), dtype=np.int64)
types[:, 5:] = 1
mask = np.ones((3, 9), dtype=np.int64)
mask[1, 6:] = 0
mask[2, 3:] = 0
tokens[mask == 0] = 0  # [PAD]
for name, array in [("tokens", tokens), ("types", types), ("mask", mask)]:
    np.save(os.path.join(here, f"{name}.npy"), array)
with torch.no_grad():
    out = model(input_ids=torch.from_numpy(tokens), token_type_ids=torch.from_numpy(types),
                attention_mask=torch.from_numpy(mask), output_hidden_states=True)
np.save(os.path.join(here, "hidden.npy"), torch.stack(out.hidden_states).numpy().astype(np.float32))
np.save(os.path.join(here, "pooled.npy"), out.pooler_output.numpy().astype(np.float32))
with open(os.path.join(here, "versions.txt"), "w") as f:
    f.write(f"torch {torch.__version__}\ntransformers {transformers.__version__}\n")

# The initialization transformers gives this config: 4 fresh BertModels (seeds 10 ... 13), each
# group of weights pooled over layers and models, float32 (init_<group>.npy); the [PAD] row of the
# word embeddings (pad_token_id 0) is left out of init_words (transformers zeroes it).
groups = {"words": [], "positions": [], "types": [], "attention": [], "attention_output": [], "intermediate": [],
          "output": [], "pooler": []}
for seed in range(10, 14):
    torch.manual_seed(seed)
    fresh = BertModel(config)
    e = fresh.embeddings
    assert float(e.word_embeddings.weight[0].detach().abs().max()) == 0
    groups["words"].append(e.word_embeddings.weight[1:])
    groups["positions"].append(e.position_embeddings.weight)
    groups["types"].append(e.token_type_embeddings.weight)
    for layer in fresh.encoder.layer:
        groups["attention"] += [layer.attention.self.query.weight, layer.attention.self.key.weight, layer.attention.self.value.weight]
        groups["attention_output"].append(layer.attention.output.dense.weight)
        groups["intermediate"].append(layer.intermediate.dense.weight)
        groups["output"].append(layer.output.dense.weight)
        for m in [layer.attention.self.query, layer.attention.output.dense, layer.intermediate.dense, layer.output.dense]:
            assert float(m.bias.detach().abs().max()) == 0
        assert float((layer.output.LayerNorm.weight.detach() - 1).abs().max()) == 0
    groups["pooler"].append(fresh.pooler.dense.weight)
for name, tensors in groups.items():
    values = torch.cat([x.detach().flatten() for x in tensors]).numpy().astype(np.float32)
    np.save(os.path.join(here, f"init_{name}.npy"), values)
    print(name, values.size, values.std())
