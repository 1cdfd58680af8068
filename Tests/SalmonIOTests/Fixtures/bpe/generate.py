"""A corpus of 1,200 strings and the ids Hugging Face's fast GPT-2 tokenizer (the `tokenizers`
crate, as transformers' GPT2TokenizerFast runs it) gives them: the reference for DeadSalmon's
byte-level BPE tokenizer.

Run once, here (python3 generate.py; transformers, tokenizers). GPT-2's own vocab.json and
merges.txt come from the PyPI sdist openai-whisper==20230124 (whisper/assets/gpt2/, byte-for-byte
pinned below; its ids equal tiktoken's GPT-2 ranks), read from $WHISPER_SDIST or downloaded with
pip (the sdist's metadata step imports pkg_resources, so the build environment is pinned to
setuptools<70). Writes:
  vocab.json     a closed subset of GPT-2's vocabulary, with GPT-2's ids: the 256 byte tokens,
                 <|endoftext|> (50256), and the result of every merge kept
  merges.txt     the merges kept, in GPT-2's order (so their ranks keep GPT-2's order): every
                 merge that builds a token GPT-2 gives the corpus (with and without a prefix
                 space), and every merge that builds one of 300 other GPT-2 tokens drawn at
                 random — closed: each merge's parts are byte tokens or results of kept merges.
                 A merge GPT-2 applies to a corpus word is in the subset, and the subset only
                 lacks merges it does not apply, so on the corpus the subset's ids are GPT-2's
                 (checked below).
  corpus.txt     1,200 strings, one per line (no line feeds inside): English words (1,200 of
                 GPT-2's, drawn at random) in random case,
                 contractions ('s 't 're 've 'm 'll 'd, upper-case 'S 'T ..., curly ’s), punctuation
                 runs, digits of several scripts, runs of spaces, leading and trailing spaces, tabs
                 and other white space (NBSP, U+3000, U+2028, U+0085, \\v, \\f, \\r), accents
                 precomposed and combining, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, CJK,
                 emoji (skin tones, ZWJ sequences, flags, keycaps), controls, private use,
                 unassigned and Unicode 17 letters, code, rare words
  expected.json  per string, the ids of GPT2TokenizerFast on the subset ("ids"); for the first
                 400, also with add_prefix_space=True ("idsWithPrefixSpace"); the library versions
  classes.txt    the class GPT-2's regex gives every Unicode scalar, as runs: "START CLASS" per
                 line (hex start; L = \\p{L}, N = \\p{N}, S = \\s, O = none of them, surrogates O),
                 each run to the next line's start, the last to U+10FFFF; found by asking the
                 crate's ByteLevel pre-tokenizer how it splits " xa", " x0" and " x!" for each x
"""
import hashlib
import json
import os
import random
import shutil
import subprocess
import tarfile
import tempfile

import tokenizers
import transformers
from tokenizers import Tokenizer, pre_tokenizers
from tokenizers.models import BPE
from transformers import GPT2TokenizerFast

here = os.path.dirname(os.path.abspath(__file__))
VOCAB_SHA256 = "3ba3c3109ff33976c4bd966589c11ee14fcaa1f4c9e5e154c2ed7f99d80709e7"
MERGES_SHA256 = "fe36cab26d4f4421ed725e10a2e9ddb7f799449c603a96e7f29b5a3c82a95862"
PREFIXED = 400  # the strings encoded with add_prefix_space=True too (the first 400)

# GPT-2's files, from the whisper sdist.
sdist = os.environ.get("WHISPER_SDIST")
if not sdist:
    target = tempfile.mkdtemp()
    constraints = os.path.join(target, "constraints.txt")
    with open(constraints, "w") as f:
        f.write("setuptools<70\n")
    subprocess.run(["pip", "download", "--no-deps", "openai-whisper==20230124", "-d", target, "-q"], check=True,
                   env={**os.environ, "PIP_CONSTRAINT": constraints})
    sdist = os.path.join(target, "openai-whisper-20230124.tar.gz")
gpt2_dir = tempfile.mkdtemp()
with tarfile.open(sdist) as tar:
    for name, digest in [("vocab.json", VOCAB_SHA256), ("merges.txt", MERGES_SHA256)]:
        data = tar.extractfile(f"openai-whisper-20230124/whisper/assets/gpt2/{name}").read()
        assert hashlib.sha256(data).hexdigest() == digest, name
        with open(os.path.join(gpt2_dir, name), "wb") as f:
            f.write(data)
with open(os.path.join(gpt2_dir, "vocab.json"), encoding="utf-8") as f:
    full_vocab = json.load(f)
with open(os.path.join(gpt2_dir, "merges.txt"), encoding="utf-8") as f:
    merge_lines = f.read().split("\n")
assert merge_lines[0].startswith("#version") and merge_lines[-1] == ""
merges = [tuple(line.split(" ")) for line in merge_lines[1:-1]]
assert len(full_vocab) == 50257 and len(merges) == 50000
made_by = {a + b: (rank, a, b) for rank, (a, b) in enumerate(merges)}
assert len(made_by) == 50000  # each token is made by one merge


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


byte_tokens = list(bytes_to_unicode().values())
assert all(t in full_vocab for t in byte_tokens)

gpt2 = GPT2TokenizerFast.from_pretrained(gpt2_dir)
gpt2_prefixed = GPT2TokenizerFast.from_pretrained(gpt2_dir, add_prefix_space=True)
assert len(gpt2) == 50257 and gpt2("Hello world")["input_ids"] == [15496, 995]  # transformers' docstring

# The corpus.
rng = random.Random(2019)
words = sorted({t[1:] for t in full_vocab if t.startswith("Ġ") and len(t) > 3 and t[1:].isascii() and t[1:].isalpha()})
words = rng.sample(words, 1200)  # a vocabulary of its own, so that words recur as in text
suffixes = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "'Ll", "’s", "'x", "'"]
contractions = ["don't", "I'm", "you're", "we've", "they'll", "she'd", "it's", "DON'T", "I'M", "YOU'RE", "WE'VE",
                "THEY'LL", "SHE'D", "IT'S", "Can'T", "o'clock", "rock'n'roll", "'tis", "y'all", "'s", "'", "''", "'''s",
                "it’s", "l'amour", "'re'", "'ll've", "ma'am", "'ssss", "'dd"]
accented = ["café", "naïve", "résumé", "jalapeño", "Zürich", "façade", "crème brûlée", "São Paulo", "Ångström",
            "coöperate", "cafe\u0301", "n\u0303", "u\u0308ber", "e\u0301\u0301", "Ελλάδα", "Москва", "עברית",
            "العربية", "हिन्दी", "ไทย", "Việt Nam", "straße", "İstanbul", "ǅemal", "ﬁnance", "Œuvre", "Ł\u0301ódź"]
cjk = ["中文", "日本語のテキスト", "한국어", "漢字", "北京市", "。", "「引用」", "𠀀", "㐀", "カタカナ", "ｈａｌｆ", "中文，标点！"]
emoji = ["🙂", "👍🏽", "👨\u200d👩\u200d👧", "🇫🇷", "1\ufe0f\u20e3", "❤\ufe0f", "🚀🚀", "✨", "🤖", "😀😃😄"]
punctuation = list(".,;:!?'\"()[]{}<>-_/\\|@#$%^&*+=~`…—–«»¿¡·•§¶†‰")
numbers = ["٣٤٥", "²³", "½", "Ⅻ", "१२३", "１２３", "3.14159", "1,000,000", "0x1F", "1e-9", "2024", "٫"]
oddities = ["\x00", "\x07", "\x1b[0m", "\x7f", "\x1c", "\x1f", "\u200b", "\ufeff", "\ufffd", "\ue000", "\U000f0000",
            "\u0378", "\uffff", "\u00ad", "\u180e", "\u2060", "\U00010940\U00010941", "\U00011db0\U00011db1",
            "\U000323b0", "\u0c5c", " \U00010940x", "\U00010d4a\U00010d4b", "\U0001e5d0"]
code = ["def f(x):", "return x**2", "snake_case_name", "camelCaseName", "https://example.com/a?b=c&d=1",
        "user@example.org", "C++", "#include <stdio.h>", "<|endoftext", "endoftext|>", "i += 1;", "{'a': [1, 2]}",
        "$HOME/.config", "--verbose", "==>", "// comment", "/* */", "0.5f", "arr[i][j]"]
spaces = [" "] * 12 + ["  ", "   ", "\t", " \t", "\u00a0", "\u3000", "\u2009", "", "\x0b", "\x0c", "\u0085", "\u2028",
                        "\u2029", "\u1680", "\u202f", "\u205f", "\r", "    "]


def word():
    w = rng.choice(words)
    w = rng.choice([w, w, w.lower(), w.upper(), w.capitalize()])
    if rng.random() < 0.15:
        w += rng.choice(suffixes)
    return w


def piece():
    r = rng.random()
    if r < 0.50:
        return word()
    if r < 0.56:
        return rng.choice(contractions)
    if r < 0.63:
        return rng.choice(accented)
    if r < 0.67:
        return rng.choice(cjk)
    if r < 0.71:
        return rng.choice(emoji)
    if r < 0.77:
        return "".join(rng.choice(punctuation) for _ in range(rng.randint(1, 5)))
    if r < 0.83:
        return rng.choice([str(rng.randint(0, 10 ** rng.randint(1, 12))), rng.choice(numbers)])
    if r < 0.86:
        return rng.choice(oddities)
    if r < 0.90:
        return rng.choice(code)
    if r < 0.96:  # a rare word: letters drawn at random, sometimes long
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzáé") for _ in range(rng.randint(4, rng.choice([12, 40]))))
    return word() + word()  # a compound


corpus = ["", " ", "  ", "Hello world", " Hello world", "a   b", "   leading", "trailing   ", "\t\ttabs\t",
          "It's", "IT'S", "it'S", "We'll've", "'s's", "a 's", "a\u00a0 b", "x \u3000y", "é", "e\u0301", "\u0301",
          " \u0301", "🙂", "日本", "1 2  3", "!!!?", " !!", "a\tb", "\u2028"]
while len(corpus) < 1200:
    n = rng.randint(1, 9)
    text = rng.choice(["", "", "", " ", "  ", "\t"]) + "".join(piece() + rng.choice(spaces) for _ in range(n))
    text = text.rstrip("\r") if rng.random() < 0.6 else text.rstrip(" \r")
    corpus.append(text)
assert all("\n" not in s and "<|endoftext|>" not in s and not s.endswith("\r") for s in corpus)
assert len(corpus) == len(set(corpus))

# The subset: every merge that builds a token GPT-2 gives the corpus, and 1,500 other tokens' merges.
kept = set()


def keep(token):
    while token in made_by and made_by[token][0] not in kept:
        rank, a, b = made_by[token]
        kept.add(rank)
        keep(a)
        token = b


full_ids = [gpt2(s)["input_ids"] for s in corpus]
full_ids_prefixed = [gpt2_prefixed(s)["input_ids"] for s in corpus[:PREFIXED]]
used = {t for ids in full_ids + full_ids_prefixed for t in gpt2.convert_ids_to_tokens(ids)}
for t in sorted(used):
    keep(t)
others = sorted(t for t in full_vocab if t in made_by and t not in used)
for t in rng.sample(others, 300):
    keep(t)
subset_merges = [merges[r] for r in sorted(kept)]
subset_vocab = {t: full_vocab[t] for t in byte_tokens}
subset_vocab.update({a + b: full_vocab[a + b] for a, b in subset_merges})
subset_vocab["<|endoftext|>"] = full_vocab["<|endoftext|>"]
assert all(a in subset_vocab and b in subset_vocab for a, b in subset_merges)

with open(os.path.join(here, "vocab.json"), "w", encoding="utf-8") as f:
    f.write("{\n" + ",\n".join(json.dumps(t, ensure_ascii=False) + ": " + str(i)
                               for t, i in sorted(subset_vocab.items(), key=lambda e: e[1])) + "\n}\n")
with open(os.path.join(here, "merges.txt"), "w", encoding="utf-8") as f:
    f.write(merge_lines[0] + "\n" + "".join(f"{a} {b}\n" for a, b in subset_merges))
with open(os.path.join(here, "corpus.txt"), "w", encoding="utf-8", newline="") as f:
    f.write("\n".join(corpus) + "\n")

# The reference: transformers' fast tokenizer on the subset files (loaded from a copy of the two,
# so that nothing else in this folder is read as tokenizer configuration).
subset_dir = tempfile.mkdtemp()
for name in ["vocab.json", "merges.txt"]:
    shutil.copy(os.path.join(here, name), subset_dir)
small = GPT2TokenizerFast.from_pretrained(subset_dir)
small_prefixed = GPT2TokenizerFast.from_pretrained(subset_dir, add_prefix_space=True)
assert len(small) == len(subset_vocab)
ids = [small(s)["input_ids"] for s in corpus]
ids_prefixed = [small_prefixed(s)["input_ids"] for s in corpus[:PREFIXED]]
assert ids == full_ids and ids_prefixed == full_ids_prefixed  # the subset gives GPT-2's ids on the corpus
# The same from the crate directly: BPE from the files and the ByteLevel pre-tokenizer.
for flag, reference in [(False, ids), (True, ids_prefixed)]:
    crate = Tokenizer(BPE.from_file(os.path.join(subset_dir, "vocab.json"), os.path.join(subset_dir, "merges.txt")))
    crate.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=flag)
    assert [crate.encode(s).ids for s in corpus[:len(reference)]] == reference
with open(os.path.join(here, "expected.json"), "w", encoding="utf-8") as f:
    json.dump({"transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
               "vocabulary": len(subset_vocab), "merges": len(subset_merges),
               "ids": ids, "idsWithPrefixSpace": ids_prefixed}, f, separators=(",", ":"))

# The regex's class of every scalar, from the crate's pre-tokenizer.
splitter = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)


def regex_class(cp):
    if 0xD800 <= cp <= 0xDFFF:
        return "O"
    c = chr(cp)
    for probe, k in [("a", "L"), ("0", "N"), ("!", "O")]:
        if len(splitter.pre_tokenize_str(" " + c + probe)) == 1:
            return k
    assert len(splitter.pre_tokenize_str(c + c)) == 1 == len(splitter.pre_tokenize_str(" " + c)), hex(cp)  # white space
    return "S"


runs = []
for cp in range(0x110000):
    k = regex_class(cp)
    if not runs or runs[-1][1] != k:
        runs.append((cp, k))
with open(os.path.join(here, "classes.txt"), "w") as f:
    f.write("".join(f"{start:X} {k}\n" for start, k in runs))

total = sum(map(len, ids))
print(len(subset_vocab), "tokens,", len(subset_merges), "merges;", len(corpus), "strings;", total, "ids,",
      sum(map(len, ids_prefixed)), "with a prefix space;", len(runs), "class runs")
