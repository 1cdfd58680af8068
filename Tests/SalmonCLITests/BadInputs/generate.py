"""Writes the binary and derived input files of the bad-input corpus (Tests/SalmonCLITests/BadInputs/files/).

    pip install numpy safetensors torch     # written with numpy 2.4.6, safetensors 0.8.0, torch 2.15
    python3 Tests/SalmonCLITests/BadInputs/generate.py [--record /path/to/salmon]

Hand-written text inputs (number lists, CSV, YAML, JSON) are committed as they are. This script
writes the rest:
- .npy, .npz and .safetensors arrays, good ones (that a case pairs with a bad one) and damaged
  ones, small state dicts written by PyTorch, copies of a few fixtures of Tests/*/Fixtures, and
  the files that are not UTF-8;
- damaged copies of the good outputs of salmon under results/, baselines/ and shards/ (a
  truncated results.json, a baseline whose null list was cut, a shard of another spec, …).
The good outputs themselves (results/audit.json, results/identifiability.json, baselines/acts,
baselines/sd, shards/s0, shards/s1) were written by salmon from the specs in specs/good/; with
--record SALMON they are recorded again with that binary first (needed when their schema changes).

The output is deterministic: random data is seeded, zip members are stamped 2020-01-01 00:00:00
and safetensors headers are written in a fixed order. Every file is far below 20 KB.
"""
import io
import json
import pathlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile

import numpy as np
import torch
from numpy.lib import format as npformat
from safetensors.torch import save as save_torch

HERE = pathlib.Path(__file__).resolve().parent
FILES = HERE / "files"
ROOT = HERE.parents[2]
ZIP_TIME = (2020, 1, 1, 0, 0, 0)

written = []


def path_of(rel):
    path = FILES / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    written.append(rel)
    return path


def write_bytes(rel, data):
    path_of(rel).write_bytes(bytes(data))


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def save_npy(rel, array):
    write_bytes(rel, npy_bytes(array))


def raw_npy(header_text, data=b"", version=(1, 0)):
    """A .npy with a header written by hand (padded with spaces to 64 bytes, ending in a newline)."""
    header = header_text.encode("latin1")
    length_size = 2 if version[0] == 1 else 4
    total = 6 + 2 + length_size + len(header) + 1
    padding = (64 - total % 64) % 64
    header = header + b" " * padding + b"\n"
    length = struct.pack("<H", len(header)) if length_size == 2 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes(version) + length + header + data


def zip_bytes(members, compression=zipfile.ZIP_STORED):
    """A zip archive of (name, bytes) members, stamped with a fixed time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buffer.getvalue()


def save_npz(rel, arrays, compression=zipfile.ZIP_STORED):
    write_bytes(rel, zip_bytes([(name + ".npy", npy_bytes(a)) for name, a in arrays], compression))


def safetensors_bytes(header, data=b""):
    """A safetensors file with a header given as a Python object (or text), padded to 8 bytes."""
    text = header if isinstance(header, (str, bytes)) else json.dumps(header, separators=(",", ":"))
    raw = text.encode("utf-8") if isinstance(text, str) else text
    raw += b" " * ((8 - len(raw) % 8) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


def save_state_dict(rel, tensors):
    write_bytes(rel, save_torch({k: v.contiguous() for k, v in tensors.items()}))


def copy_fixture(rel, source):
    shutil.copyfile(ROOT / source, path_of(rel))


rng = np.random.default_rng(20240611)

# --- Activations for probe / audit specs: 40 rows ------------------------------------------------
rows, width = 40, 3
trained = rng.normal(size=(rows, width)).astype(np.float32)
save_npy("act/trained.npy", trained)
for k in range(3):
    save_npy(f"act/nulls/null-{k}.npy", rng.normal(size=(rows, width)).astype(np.float32))
labels = (np.arange(rows) % 2).astype(np.int64)
save_npy("act/labels.npy", labels)
save_npy("act/targets.npy", rng.normal(size=rows).astype(np.float64))
save_npy("act/types.npy", (np.arange(rows) % 4).astype(np.int64))

# Bad activations.
nan_trained = trained.copy()
nan_trained[5, 1] = np.nan
save_npy("act/trained_nan.npy", nan_trained)
inf_trained = trained.copy()
inf_trained[7, 2] = np.inf
save_npy("act/trained_inf.npy", inf_trained)
save_npy("act/trained_1d.npy", trained[:, 0].copy())
save_npy("act/trained_0d.npy", np.float32(1.5))
save_npy("act/trained_30rows.npy", trained[:30].copy())
save_npy("act/trained_0rows.npy", np.zeros((0, width), np.float32))
save_npy("act/trained_0cols.npy", np.zeros((rows, 0), np.float32))
save_npy("act/trained_complex.npy", trained.astype(np.complex64))
save_npy("act/trained_object.npy", np.array([[1, "a"], [2, "b"]], dtype=object))
save_npy("act/trained_unicode.npy", np.array([["a", "b"]] * rows))
save_npy("act/trained_uint16.npy", np.ones((rows, width), np.uint16))
save_npy("act/trained_fortran.npy", np.asfortranarray(trained))
save_npy("act/null_nan.npy", np.where(np.arange(rows * width).reshape(rows, width) == 13, np.nan, trained).astype(np.float32))
save_npy("act/null_wide.npy", rng.normal(size=(rows, width + 2)).astype(np.float32))
save_npy("act/null_30rows.npy", rng.normal(size=(30, width)).astype(np.float32))
save_npy("act/labels_one_class.npy", np.zeros(rows, np.int64))
save_npy("act/labels_float.npy", (np.arange(rows) % 2).astype(np.float32) + 0.5)
save_npy("act/labels_2d.npy", labels.reshape(rows // 2, 2).copy())
save_npy("act/labels_30.npy", labels[:30].copy())
save_npy("act/labels_nan.npy", np.where(np.arange(rows) == 3, np.nan, np.arange(rows) % 2).astype(np.float64))
save_npy("act/targets_constant.npy", np.full(rows, 2.5))
save_npy("act/targets_inf.npy", np.where(np.arange(rows) == 9, np.inf, 1.0 * np.arange(rows)))
save_npy("act/types_30.npy", (np.arange(30) % 4).astype(np.int64))
save_npy("act/types_float.npy", (np.arange(rows) % 4).astype(np.float32) + 0.25)
save_npz("act/two_arrays.npz", [("a", trained), ("b", trained)])
save_npz("act/one_array.npz", [("acts", trained)])

# --- Damaged array files (inspect and every array reader) ---------------------------------------
good = npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))
write_bytes("arrays/magic_only.npy", b"\x93NUMPY")
write_bytes("arrays/truncated_header.npy", good[:20])
write_bytes("arrays/truncated_data.npy", good[:-5])
write_bytes("arrays/extra_data.npy", good + b"\x00" * 4)
write_bytes("arrays/version_9.npy", b"\x93NUMPY\x09\x00" + good[8:])
write_bytes("arrays/header_length_beyond.npy", b"\x93NUMPY\x01\x00\xff\xff" + good[10:])
write_bytes("arrays/header_not_dict.npy", raw_npy("[1, 2, 3]", bytes(24)))
write_bytes("arrays/header_garbage.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", bytes(24)))
write_bytes("arrays/header_no_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, }", bytes(24)))
write_bytes("arrays/header_no_descr.npy", raw_npy("{'fortran_order': False, 'shape': (2, 3), }", bytes(24)))
write_bytes("arrays/negative_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", bytes(24)))
write_bytes("arrays/huge_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }", bytes(24)))
write_bytes("arrays/big_shape_small_data.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", bytes(24)))
write_bytes("arrays/shape_text.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': 'big', }", bytes(24)))
write_bytes("arrays/descr_unknown.npy", raw_npy("{'descr': '<q9', 'fortran_order': False, 'shape': (2, 3), }", bytes(24)))
write_bytes("arrays/header_not_latin1.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': '\u00ff'}", bytes(24)))
save_npy("arrays/complex128.npy", np.arange(4, dtype=np.complex128))
save_npy("arrays/object.npy", np.array([1, "two", None], dtype=object))
save_npy("arrays/unicode.npy", np.array(["ab", "cd"]))
save_npy("arrays/bytes.npy", np.array([b"ab", b"cd"]))
save_npy("arrays/structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
save_npy("arrays/datetime.npy", np.array(["2020-01-01"], dtype="datetime64[D]"))
save_npy("arrays/fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
save_npy("arrays/uint32.npy", np.arange(3, dtype=np.uint32))
write_bytes("arrays/float128.npy", raw_npy("{'descr': '<f16', 'fortran_order': False, 'shape': (3,), }", bytes(48)))
save_npy("arrays/good.npy", np.arange(6, dtype=np.float32).reshape(2, 3))
write_bytes("arrays/empty.npy", b"")
write_bytes("arrays/seven_bytes.bin", b"\x01\x02\x03\x04\x05\x06\x07")
write_bytes("arrays/garbage.bin", np.random.default_rng(7).integers(0, 256, 300, dtype=np.uint8).tobytes())

# .npz
write_bytes("arrays/npz_member_txt.npz", zip_bytes([("notes.txt", b"hello\n")]))
write_bytes("arrays/npz_member_bad_npy.npz", zip_bytes([("x.npy", good[:-5])]))
write_bytes("arrays/npz_member_object.npz", zip_bytes([("x.npy", npy_bytes(np.array([1, "a"], dtype=object)))]))
whole = zip_bytes([("x.npy", good), ("y.npy", good)])
write_bytes("arrays/npz_truncated.npz", whole[: len(whole) // 2])
write_bytes("arrays/npz_no_directory.npz", whole[: whole.rfind(b"PK\x01\x02")])
corrupt = bytearray(zip_bytes([("x.npy", good)]))
corrupt[30 + len("x.npy") + len(good) - 2] ^= 0xFF          # a data byte of the stored member: its CRC-32 fails
write_bytes("arrays/npz_bad_crc.npz", corrupt)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")            # zipfile warns about the duplicate name, which is the point
    write_bytes("arrays/npz_duplicate_member.npz", zip_bytes([("x.npy", good), ("x.npy", good)]))
write_bytes("arrays/npz_bzip2.npz", zip_bytes([("x.npy", good)], compression=zipfile.ZIP_BZIP2))
write_bytes("arrays/npz_lzma.npz", zip_bytes([("x.npy", good)], compression=zipfile.ZIP_LZMA))
write_bytes("arrays/pk_only.npz", b"PK\x03\x04")
# A zip bomb: one deflated member whose .npy header describes 2 floats and which inflates to 16 MiB.
header = io.BytesIO()
npformat.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (2,)})
write_bytes("arrays/bomb.npz", zip_bytes([("x.npy", header.getvalue() + bytes(16 * 1024 * 1024))], compression=zipfile.ZIP_DEFLATED))

# safetensors
tensor = np.arange(6, dtype=np.float32)
entry = {"x": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}
write_bytes("arrays/st_header_length_huge.safetensors", struct.pack("<Q", 2**62) + b"{}")
write_bytes("arrays/st_header_not_json.safetensors", safetensors_bytes("{not json", tensor.tobytes()))
write_bytes("arrays/st_header_list.safetensors", safetensors_bytes([1, 2, 3]))
write_bytes("arrays/st_dtype_unknown.safetensors", safetensors_bytes({"x": {"dtype": "F128", "shape": [2, 3], "data_offsets": [0, 24]}}, tensor.tobytes()))
write_bytes("arrays/st_shape_mismatch.safetensors", safetensors_bytes({"x": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 24]}}, tensor.tobytes()))
write_bytes("arrays/st_offsets_beyond.safetensors", safetensors_bytes({"x": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 240]}}, tensor.tobytes()))
write_bytes("arrays/st_offsets_reversed.safetensors", safetensors_bytes({"x": {"dtype": "F32", "shape": [0], "data_offsets": [24, 0]}}, tensor.tobytes()))
write_bytes("arrays/st_missing_offsets.safetensors", safetensors_bytes({"x": {"dtype": "F32", "shape": [2, 3]}}, tensor.tobytes()))
write_bytes("arrays/st_negative_shape.safetensors", safetensors_bytes({"x": {"dtype": "F32", "shape": [-2, 3], "data_offsets": [0, 24]}}, tensor.tobytes()))
write_bytes("arrays/st_shape_strings.safetensors", safetensors_bytes('{"x":{"dtype":"F32","shape":["2","3"],"data_offsets":[0,24]}}', tensor.tobytes()))
write_bytes("arrays/st_overlap.safetensors", safetensors_bytes('{"a":{"dtype":"F32","shape":[6],"data_offsets":[0,24]},"b":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}}', tensor.tobytes()))
write_bytes("arrays/st_gap.safetensors", safetensors_bytes({"x": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}, tensor.tobytes() + bytes(16)))
write_bytes("arrays/st_metadata_not_strings.safetensors", safetensors_bytes('{"__metadata__":{"format":3},"x":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}}', tensor.tobytes()))
write_bytes("arrays/st_header_bad_utf8.safetensors", safetensors_bytes(b'{"x\xff":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}}', tensor.tobytes()))
copy_fixture("arrays/truncated.safetensors", "Tests/SalmonIOTests/Fixtures/truncated.safetensors")

# --- Attribution maps: 12 rows of 16 features ---------------------------------------------------
maps_rows = 12
maps = rng.normal(size=(maps_rows, 16)).astype(np.float32)
save_npy("maps/trained.npy", maps)
save_npy("maps/reference.npy", (maps + 0.1 * rng.normal(size=maps.shape)).astype(np.float32))
for k in range(3):
    save_npy(f"maps/nulls/null-{k}.npy", rng.normal(size=maps.shape).astype(np.float32))
nan_maps = maps.copy()
nan_maps[2, 3] = np.nan
save_npy("maps/trained_nan.npy", nan_maps)
save_npy("maps/reference_10rows.npy", maps[:10].copy())
save_npy("maps/null_wide.npy", rng.normal(size=(maps_rows, 20)).astype(np.float32))
save_npy("maps/null_inf.npy", np.where(np.arange(maps_rows * 16).reshape(maps_rows, 16) == 40, -np.inf, maps).astype(np.float32))
save_npy("maps/trained_1d.npy", maps[:, 0].copy())
save_npy("maps/trained_15.npy", rng.normal(size=(maps_rows, 15)).astype(np.float32))
save_npy("maps/constant.npy", np.ones((maps_rows, 16), np.float32))

# --- State dicts (PyTorch) for circuits and audit specs -----------------------------------------
torch.manual_seed(3)
mlp = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
sd = {k: v.detach().clone() for k, v in mlp.state_dict().items()}
save_state_dict("model/mlp.safetensors", sd)
nan_sd = {k: v.clone() for k, v in sd.items()}
nan_sd["0.weight"][1, 2] = float("nan")
save_state_dict("model/mlp_nan.safetensors", nan_sd)
save_state_dict("model/mlp_missing.safetensors", {k: v for k, v in sd.items() if k != "2.bias"})
wrong = dict(sd)
wrong["2.weight"] = torch.zeros(5, 3)
save_state_dict("model/mlp_wrong_shape.safetensors", wrong)
extra = dict(sd)
extra["4.weight"] = torch.zeros(2, 2)
save_state_dict("model/mlp_extra.safetensors", extra)
save_state_dict("model/mlp_int.safetensors", {k: (v * 100).to(torch.int32) for k, v in sd.items()})
save_npy("model/inputs.npy", rng.normal(size=(20, 4)).astype(np.float32))
save_npy("model/inputs_5cols.npy", rng.normal(size=(20, 5)).astype(np.float32))
save_npy("model/inputs_nan.npy", np.where(np.arange(80).reshape(20, 4) == 17, np.nan, 0.5).astype(np.float32))
save_npy("model/labels.npy", (np.arange(20) % 2).astype(np.int64))
save_npy("model/labels_15.npy", (np.arange(15) % 2).astype(np.int64))

# XOR circuits (PyTorch-trained, with their architecture) from Tests/SalmonMethodsTests.
copy_fixture("circuits/xor.safetensors", "Tests/SalmonMethodsTests/Fixtures/circuits/xor-2-3-3-1-seed0.safetensors")
xor = bytearray((FILES / "circuits/xor.safetensors").read_bytes())
header_length = struct.unpack("<Q", xor[:8])[0]
header_json = json.loads(xor[8:8 + header_length])
offset = 8 + header_length + header_json["layers.1.0.bias"]["data_offsets"][0] + 4
xor[offset:offset + 4] = struct.pack("<f", float("inf"))
write_bytes("circuits/xor_inf.safetensors", xor)

def random_mlp(sizes, seed):
    """A state dict of an MLP with standard-normal weights and biases, in modulelist naming."""
    torch.manual_seed(seed)
    tensors = {}
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        tensors[f"layers.{i}.0.weight"] = torch.randn(b, a)
        tensors[f"layers.{i}.0.bias"] = torch.randn(b)
    return tensors


# A [2, 30, 30, 1] MLP: its layers are wider than circuit enumeration allows.
save_state_dict("circuits/wide30.safetensors", random_mlp([2, 30, 30, 1], seed=5))
# A [2, 8, 8, 1] MLP: within the 16-node limit, but 4.7e21 candidate circuits (beyond --max-candidates).
save_state_dict("circuits/wide8.safetensors", random_mlp([2, 8, 8, 1], seed=6))

# A GPT-2-layout transformer (vocabulary 7, context 3, d 4, 2 heads, 1 block; random weights) with
# token inputs and clean/corrupted pairs for it (model.counterfactuals), good and damaged.
torch.manual_seed(7)
gpt2 = {"wte.weight": torch.randn(7, 4) * 0.02, "wpe.weight": torch.randn(3, 4) * 0.02,
        "h.0.ln_1.weight": torch.ones(4), "h.0.ln_1.bias": torch.zeros(4),
        "h.0.attn.c_attn.weight": torch.randn(12, 4) * 0.02, "h.0.attn.c_attn.bias": torch.zeros(12),
        "h.0.attn.c_proj.weight": torch.randn(4, 4) * 0.02, "h.0.attn.c_proj.bias": torch.zeros(4),
        "h.0.ln_2.weight": torch.ones(4), "h.0.ln_2.bias": torch.zeros(4),
        "h.0.mlp.c_fc.weight": torch.randn(16, 4) * 0.02, "h.0.mlp.c_fc.bias": torch.zeros(16),
        "h.0.mlp.c_proj.weight": torch.randn(4, 16) * 0.02, "h.0.mlp.c_proj.bias": torch.zeros(4),
        "ln_f.weight": torch.ones(4), "ln_f.bias": torch.zeros(4), "lm_head.weight": torch.randn(7, 4) * 0.02}
save_state_dict("gpt2/model.safetensors", gpt2)
write_bytes("gpt2/architecture.json", (json.dumps({"type": "gpt2", "vocabulary": 7, "context": 3, "dimension": 4, "heads": 2, "layers": 1,
                                                 "activation": "gelu_tanh", "tiedUnembedding": False, "linearLayout": "linear"}) + "\n").encode())
clean_tokens = np.array([[i % 7, (i * 3) % 7, (i * 5 + 1) % 7] for i in range(12)], dtype=np.int64)
corrupted_tokens = clean_tokens.copy()
corrupted_tokens[:, 0] = (clean_tokens[:, 0] + 1) % 7
save_npy("gpt2/clean.npy", clean_tokens)
save_npy("gpt2/corrupted.npy", corrupted_tokens)
save_npy("gpt2/correct.npy", clean_tokens.sum(1) % 7)
save_npy("gpt2/wrong.npy", corrupted_tokens.sum(1) % 7)
save_npy("gpt2/corrupted_11.npy", corrupted_tokens[:11])
save_npy("gpt2/corrupted_length2.npy", corrupted_tokens[:, :2])
save_npy("gpt2/corrupted_oov.npy", np.where(np.arange(36).reshape(12, 3) == 20, 9, corrupted_tokens))
save_npy("gpt2/correct_11.npy", (clean_tokens.sum(1) % 7)[:11])
save_npy("gpt2/correct_oov.npy", np.where(np.arange(12) == 4, 7, clean_tokens.sum(1) % 7))

# --- Text files that are not UTF-8 (or not text at all) ------------------------------------------
write_bytes("numbers/bad_utf8_line3.txt", b"0.1\n0.2\n0.\xff3\n")
write_bytes("numbers/latin1.txt", "0.1\n5\u00b0\n".encode("latin1"))
write_bytes("numbers/utf16.txt", "0.1\n0.2\n".encode("utf-16"))
write_bytes("numbers/garbage.bin", np.random.default_rng(11).integers(0, 256, 512, dtype=np.uint8).tobytes())
write_bytes("numbers/nul_byte.txt", b"0.1\n0.\x002\n")
write_bytes("csv/bad_utf8.csv", b"p,q\n0.1,0.2\n0.3,\xc3\x28\n")
write_bytes("specs/bad_utf8.yaml", b"version: 1\nname: caf\xe9\n")
write_bytes("json/bad_utf8.json", b'{"type": "mlp", "sizes": [2, 3, 3, 1], "naming": "modul\xe9list"}')
write_bytes("results/bad_utf8.json", b'{"schema": "deadsalmon.audit-result/2", "name": "\xff"}')



# --- The good outputs of salmon (with --record) and damaged copies of them ----------------------
def record(salmon):
    """Runs salmon on specs/good/ in a scratch directory whose `in` is files/, and keeps its outputs."""
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="salmon-record-"))
    try:
        os.symlink(FILES, scratch / "in")
        for name in ("acts.yaml", "sd.yaml", "arch.json", "xor-tiny.yaml"):
            shutil.copyfile(FILES / "specs/good" / name, scratch / name)
        runs = [["audit", "acts.yaml", "--out", "o_acts"], ["audit", "xor-tiny.yaml", "--out", "o_idf"],
                ["baseline", "record", "acts.yaml", "--to", "acts"], ["baseline", "record", "sd.yaml", "--to", "sd"],
                ["audit", "sd.yaml", "--out", "s0", "--shard", "0/2"], ["audit", "sd.yaml", "--out", "s1", "--shard", "1/2"]]
        for args in runs:
            status = subprocess.run([salmon] + args, cwd=scratch, stdout=subprocess.DEVNULL).returncode
            assert status in (0, 1), f"salmon {' '.join(args)} exited {status}"
        prefix = str(scratch) + "/"
        for source, target in (("o_acts/results.json", "results/audit.json"), ("o_idf/results.json", "results/identifiability.json")):
            path_of(target).write_text((scratch / source).read_text().replace(prefix, ""))
        for name in ("acts", "sd"):
            for f in ("baseline.json", "README.md"):
                path_of(f"baselines/{name}/{f}").write_text((scratch / name / f).read_text())
        for name in ("s0", "s1"):
            target = FILES / "shards" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(scratch / name, target)
            # salmon writes the manifest's keys in no fixed order: sort them, so that a record is reproducible
            manifest = json.loads((target / "shard.json").read_text())
            (target / "shard.json").write_text(json.dumps(manifest, sort_keys=True, separators=(",", ":")))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if "--record" in sys.argv:
    record(os.path.abspath(sys.argv[sys.argv.index("--record") + 1]))


def write_text(rel, content):
    path_of(rel).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def changed(obj, edit):
    copy = json.loads(json.dumps(obj))
    edit(copy)
    return copy


def json_text(obj):
    return json.dumps(obj, indent=1, sort_keys=True) + "\n"


good_text = (FILES / "results/audit.json").read_text()
good = json.loads(good_text)
idf_text = (FILES / "results/identifiability.json").read_text()
idf = json.loads(idf_text)
write_text("results/truncated.json", good_text[: len(good_text) // 2])
write_text("results/empty.json", "")
write_text("results/whitespace.json", "\n \n")
write_text("results/list.json", "[1, 2, 3]\n")
write_text("results/scalar.json", '"results"\n')
write_text("results/schema_1.json", json_text(changed(good, lambda o: o.__setitem__("schema", "deadsalmon.audit-result/1"))))
write_text("results/schema_unknown.json", json_text(changed(good, lambda o: o.__setitem__("schema", "acme.results/7"))))
write_text("results/no_schema.json", json_text(changed(good, lambda o: o.pop("schema"))))
write_text("results/no_tests.json", json_text(changed(good, lambda o: o.pop("tests"))))
write_text("results/no_claims.json", json_text(changed(good, lambda o: o.pop("claims"))))
write_text("results/pvalue_string.json", json_text(changed(good, lambda o: o["tests"][0].__setitem__("pValue", "small"))))
write_text("results/verdict_unknown.json", json_text(changed(good, lambda o: o["tests"][0].__setitem__("verdict", "probably"))))
write_text("results/claim_unknown_test.json", json_text(changed(good, lambda o: o["claims"][0].__setitem__("testIDs", ["nope@nowhere~none"]))))
write_text("results/pvalue_1.5.json", json_text(changed(good, lambda o: o["tests"][0].__setitem__("pValue", 1.5))))
write_text("results/claim_no_test.json", json_text(changed(good, lambda o: o["claims"][0].__setitem__("testIDs", []))))
write_text("results/claim_holds_flipped.json", json_text(changed(good, lambda o: o["claims"][0].__setitem__("holds", not o["claims"][0]["holds"]))))
write_text("results/adjusted_below_raw.json", json_text(changed(good, lambda o: o["tests"][0].__setitem__("adjustedPValue", o["tests"][0]["pValue"] / 2))))
write_text("results/identifiability_claim_width_unknown.json", json_text(changed(idf, lambda o: o["claims"][0].__setitem__("width", 17))))
write_text("results/tests_object.json", json_text(changed(good, lambda o: o.__setitem__("tests", {"a": 1}))))
assert '"alpha" : 0.05' in good_text
write_text("results/nan_literal.json", good_text.replace('"alpha" : 0.05', '"alpha" : NaN', 1))
write_text("results/identifiability_no_claims.json", json_text(changed(idf, lambda o: o.pop("claims"))))
write_text("results/identifiability_truncated.json", idf_text[: len(idf_text) * 2 // 3])
write_text("results/identifiability_schema_1.json", json_text(changed(idf, lambda o: o.__setitem__("schema", "deadsalmon.identifiability-result/1"))))
write_text("results/baseline.json", (FILES / "baselines/acts/baseline.json").read_text())
write_text("results/shard.json", (FILES / "shards/s0/shard.json").read_text())
write_text("results/spec.yaml", "version: 1\nname: x\n")

baseline_text = (FILES / "baselines/acts/baseline.json").read_text()
baseline = json.loads(baseline_text)
readme = (FILES / "baselines/acts/README.md").read_text()
nulls_key = next(iter(baseline["nullValues"]["supplied"]))


def baseline_dir(name, content):
    write_text(f"baselines/{name}/baseline.json", content)
    write_text(f"baselines/{name}/README.md", readme)


def without_family(o):
    o["nullValues"]["random-init"] = o["nullValues"].pop("supplied")


def spec_hash_zero(o):
    o["specHash"] = "0000000000000000"
    o["provenance"]["specHash"] = "0000000000000000"


write_text("baselines/no_baseline/README.md", readme)
baseline_dir("truncated", baseline_text[: len(baseline_text) // 2])
baseline_dir("empty", "")
baseline_dir("list", "[]\n")
baseline_dir("format_9", json_text(changed(baseline, lambda o: o.__setitem__("format", "deadsalmon.baseline/9"))))
baseline_dir("cut_nulls", json_text(changed(baseline, lambda o: o["nullValues"]["supplied"].__setitem__(nulls_key, o["nullValues"]["supplied"][nulls_key][:1]))))
baseline_dir("no_null_values", json_text(changed(baseline, lambda o: o.pop("nullValues"))))
baseline_dir("null_value_text", json_text(changed(baseline, lambda o: o["nullValues"]["supplied"][nulls_key].__setitem__(1, "high"))))
baseline_dir("spec_hash_changed", json_text(changed(baseline, spec_hash_zero)))
baseline_dir("missing_family", json_text(changed(baseline, without_family)))
baseline_dir("bad_utf8", b'{"format": "deadsalmon.baseline/1", "name": "\xff"}')

manifest_text = (FILES / "shards/s1/shard.json").read_text()
manifest = json.loads(manifest_text)
records = {p.name: p.read_text() for p in sorted((FILES / "shards/s1/records").iterdir())}
first = sorted(records)[0]


def shard_dir(name, manifest_content, shard_records=None):
    target = FILES / "shards" / name
    shutil.rmtree(target, ignore_errors=True)
    if manifest_content is not None:
        write_text(f"shards/{name}/shard.json", manifest_content)
    for file, content in (records if shard_records is None else shard_records).items():
        write_text(f"shards/{name}/records/{file}", content)


def with_value_text(record_text):
    o = json.loads(record_text)
    o["values"] = {k: "NaN" for k in o["values"]}
    return json.dumps(o, sort_keys=True)


shard_dir("no_manifest", None)
shard_dir("truncated_manifest", manifest_text[: len(manifest_text) // 2])
shard_dir("manifest_format_9", json_text(changed(manifest, lambda o: o.__setitem__("format", "deadsalmon.shard/9"))))
shard_dir("other_spec", json_text(changed(manifest, lambda o: o.__setitem__("specHash", "0000000000000000"))))
shard_dir("count_3", json_text(changed(manifest, lambda o: o["shard"].__setitem__("count", 3))))
shard_dir("index_out_of_range", json_text(changed(manifest, lambda o: o["shard"].__setitem__("index", 5))))
shard_dir("no_records", manifest_text, {})
shard_dir("truncated_record", manifest_text, dict(records, **{first: records[first][: len(records[first]) // 2]}))
shard_dir("record_other_spec", manifest_text, dict(records, **{first: records[first].replace(manifest["specHash"], "1111111111111111")}))
shard_dir("record_nan_value", manifest_text, dict(records, **{first: with_value_text(records[first])}))

for rel in sorted(written):
    size = (FILES / rel).stat().st_size
    assert size < 20 * 1024, f"{rel} is {size} bytes"
print(f"{len(written)} files under {FILES.relative_to(ROOT)}")
