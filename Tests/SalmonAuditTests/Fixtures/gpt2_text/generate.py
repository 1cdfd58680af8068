"""Text through a GPT-2 checkpoint as transformers runs it: the reference for a GPT-2 audit subject
read on lines of text (byte-level BPE, each line its own length, read at its last token).

Run once, here (python3 generate.py; torch, transformers, tokenizers, numpy). Writes:
  model/config.json, model/model.safetensors  GPT2LMHeadModel (vocab_size 300, 16 positions,
                                              d 16, 2 blocks, 4 heads, initializer_range 0.2)
  model/vocab.json, model/merges.txt          a byte-level BPE of 300 tokens trained by the
                                              tokenizers library on the lines below (GPT-2's
                                              pre-tokenizer, no prefix space), as GPT2TokenizerFast
                                              saves it
  lines.txt                                   12 lines of 1 … 16 tokens; line 5 is 44 tokens
  ids.json                                    the fast tokenizer's ids of every line (untruncated)
  last.npy                                    float32 [3, 12, 16]: output_hidden_states 0 … 2 at each
                                              line's last token, each line run alone (no padding),
                                              line 5 truncated to its first 16 tokens
  mean.npy                                    float32 [3, 12, 16]: the same, averaged over each line's tokens
  tokens.npy                                  float32 [3, 89, 16]: the same at every token, line by line
  versions.txt                                the torch, transformers and tokenizers versions used
"""
import json
import os

import numpy as np
import tokenizers
import torch
import transformers
from tokenizers import Tokenizer, models, pre_tokenizers, trainers, decoders
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

torch.manual_seed(0)
torch.set_num_threads(1)
here = os.path.dirname(os.path.abspath(__file__))
model_dir = os.path.join(here, "model")
os.makedirs(model_dir, exist_ok=True)
lines = [
    "The cat sat on the mat.",
    "A dog's life",
    "Hello, world!",
    "it",
    "The quick brown fox jumps over the lazy dog, and the cat watched it all.",
    "Café au lait",
    "don't stop",
    "  two spaces",
    "numbers 12345",
    "The mat",
    "Über naïve résumé",
    "end.",
]
corpus = lines * 3 + ["the cat and the dog on a mat", "hello world, it is the end"] * 5
bpe = Tokenizer(models.BPE())
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
bpe.decoder = decoders.ByteLevel()
bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                                   special_tokens=[]))
assert bpe.get_vocab_size() <= 300
bpe.model.save(model_dir)  # vocab.json, merges.txt
tokenizer = GPT2TokenizerFast.from_pretrained(model_dir)
vocab = bpe.get_vocab_size()
ids = [tokenizer(line)["input_ids"] for line in lines]
assert [len(i) for i in ids] == [len(bpe.encode(l).ids) for l in lines] and all(a == bpe.encode(l).ids for a, l in zip(ids, lines))
print("lengths", [len(i) for i in ids], "vocabulary", vocab)
with open(os.path.join(here, "lines.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(here, "ids.json"), "w") as f:
    json.dump(ids, f)
model = GPT2LMHeadModel(GPT2Config(vocab_size=vocab, n_positions=16, n_embd=16, n_layer=2, n_head=4, initializer_range=0.2))
model.eval()
model.save_pretrained(model_dir, safe_serialization=True)
for name in os.listdir(model_dir):
    if name not in ["config.json", "model.safetensors", "vocab.json", "merges.txt"]:
        os.remove(os.path.join(model_dir, name))
last = np.zeros((3, len(lines), 16), dtype=np.float32)
mean = np.zeros((3, len(lines), 16), dtype=np.float32)
tokens = [[] for _ in range(3)]
with torch.no_grad():
    for i, sequence in enumerate(ids):
        x = torch.tensor([sequence[:16]])
        states = model(input_ids=x, output_hidden_states=True).hidden_states
        for k in range(3):
            last[k, i] = states[k][0, -1].numpy()
            mean[k, i] = states[k][0].double().mean(dim=0).numpy()
            tokens[k].append(states[k][0].numpy())
np.save(os.path.join(here, "last.npy"), last)
np.save(os.path.join(here, "mean.npy"), mean)
np.save(os.path.join(here, "tokens.npy"), np.stack([np.concatenate(t) for t in tokens]).astype(np.float32))
with open(os.path.join(here, "versions.txt"), "w") as f:
    f.write(f"torch {torch.__version__}\ntransformers {transformers.__version__}\ntokenizers {tokenizers.__version__}\n")
