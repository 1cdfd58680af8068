"""Text through a BERT checkpoint as transformers runs it: the reference for DeadSalmon's
encoder subject (WordPiece, padding, the attention mask, pooling) on the tiny random checkpoint
of ../../../SalmonNetworksTests/Fixtures/hf_bert/model (vocab_size 50, 3 layers, d 16, 12
positions, a pooler).

Run once, here (python3 generate.py; torch, transformers, numpy). Writes:
  vocab.txt              50 tokens: [PAD] [UNK] [CLS] [SEP] [MASK], 27 words, 18 "##" pieces
  tokenizer_config.json  do_lower_case true, model_max_length 12 (as transformers saves it)
  lines.txt              14 lines: mixed case, accents, punctuation, unknown words; line 3 is 13
                         pieces with [CLS] and [SEP], one more than the 12 positions
  ids.npy                int64 [14, 12]: BertTokenizerFast(lines, padding="max_length",
                         max_length=12, truncation=True), [PAD] = 0 on the right
  mean.npy, first.npy, last.npy
                         float32 [4, 14, 16]: hidden_states 0 … 3 pooled over the attention mask
                         (mean), at position 0, and at the last attended position
  tokens.npy             float32 [4, attended tokens, 16]: every attended position, line by line
  pooled.npy             float32 [14, 16]: pooler_output
  versions.txt           the torch and transformers versions used
"""
import json
import os

import numpy as np
import torch
import transformers
from transformers import BertModel, BertTokenizerFast

torch.set_num_threads(1)
here = os.path.dirname(os.path.abspath(__file__))
model_dir = os.path.join(here, "..", "..", "..", "SalmonNetworksTests", "Fixtures", "hf_bert", "model")
words = ["the", "a", "cat", "dog", "sat", "on", "mat", "good", "bad", "movie", "is", "was", "not", "very", "film",
         "café", "play", "run", "un", "happy", "!", ",", ".", "?", "'", "s", "it"]
pieces = ["##s", "##ed", "##ing", "##ly", "##er", "##y", "##a", "##b", "##c", "##d", "##e", "##n", "##o", "##t", "##h",
          "##i", "##p", "##r"]
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words + pieces
vocab[vocab.index("café")] = "cafe"  # accents are stripped before lookup
assert len(vocab) == 50 and len(set(vocab)) == 50
with open(os.path.join(here, "vocab.txt"), "w") as f:
    f.write("\n".join(vocab) + "\n")
lines = [
    "The cat sat on the mat.",
    "A good movie!",
    "It was NOT a very good film, was it?",
    "Café",
    "unhappy",
    "The dog's playing",
    "Bad.",
    "runs runner running",
    "zebra",
    "The movie is bad , bad , bad",
    "good",
    "A CAT, a dog.",
    "it's happy",
    "the mat the mat the mat the mat",
]
with open(os.path.join(here, "lines.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
for stale in ["tokenizer_config.json", "tokenizer.json", "special_tokens_map.json"]:
    if os.path.exists(os.path.join(here, stale)):
        os.remove(os.path.join(here, stale))
# transformers 5 reads vocab.txt through from_pretrained (its constructor takes the vocabulary itself).
tokenizer = BertTokenizerFast.from_pretrained(here, do_lower_case=True, model_max_length=12)
assert len(tokenizer.get_vocab()) == 50
tokenizer.save_pretrained(os.path.join(here, "saved_tokenizer"))
config = json.load(open(os.path.join(here, "saved_tokenizer", "tokenizer_config.json")))
with open(os.path.join(here, "tokenizer_config.json"), "w") as f:
    json.dump(config, f, indent=2, sort_keys=True)
for name in os.listdir(os.path.join(here, "saved_tokenizer")):
    os.remove(os.path.join(here, "saved_tokenizer", name))
os.rmdir(os.path.join(here, "saved_tokenizer"))

batch = tokenizer(lines, padding="max_length", max_length=12, truncation=True, return_tensors="pt")
assert len(tokenizer(lines[2])["input_ids"]) == 13, "line 3 is one piece too long, and truncated"
np.save(os.path.join(here, "ids.npy"), batch["input_ids"].numpy().astype(np.int64))
model = BertModel.from_pretrained(model_dir)
model.eval()
with torch.no_grad():
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                token_type_ids=torch.zeros_like(batch["input_ids"]), output_hidden_states=True)
mask = batch["attention_mask"].numpy().astype(bool)
lengths = mask.sum(axis=1)
hidden = [h.numpy().astype(np.float64) for h in out.hidden_states]
mean = np.stack([(h * mask[:, :, None]).sum(axis=1) / lengths[:, None] for h in hidden])
first = np.stack([h[:, 0] for h in hidden])
last = np.stack([h[np.arange(len(lines)), lengths - 1] for h in hidden])
tokens = np.stack([h[mask] for h in hidden])
for name, array in [("mean", mean), ("first", first), ("last", last), ("tokens", tokens)]:
    np.save(os.path.join(here, f"{name}.npy"), array.astype(np.float32))
np.save(os.path.join(here, "pooled.npy"), out.pooler_output.numpy().astype(np.float32))
with open(os.path.join(here, "versions.txt"), "w") as f:
    f.write(f"torch {torch.__version__}\ntransformers {transformers.__version__}\n")
print("lengths", lengths.tolist(), "ids", batch["input_ids"][:, :].tolist()[:3])
