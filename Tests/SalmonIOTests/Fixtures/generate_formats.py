"""Writes the model- and array-file fixtures of Tests/SalmonIOTests (safetensors, .npy, .npz).

    pip install numpy safetensors      # checked with numpy 2.4.6 and safetensors 0.8.0
    python3 Tests/SalmonIOTests/Fixtures/generate_formats.py

Every file is written by the reference implementations (the `safetensors` package, numpy's
`np.save`, `numpy.lib.format.write_array`, `np.savez`, `np.savez_compressed`), except the
deliberately damaged ones, which are derived from them here. `formats_expected.json` holds what
the Swift tests compare against: for every tensor or array its dtype as the file spells it, its
shape, its values (floats as the bit patterns of their float32 conversion, so that NaN payloads,
signed zeros and subnormals compare exactly; integers and bools as numbers) and the CRC-32 of its
little-endian data bytes (what `salmon inspect` prints); and raw DEFLATE streams made with zlib
in each block style, with the length and CRC-32 of what they decompress to.

The output is deterministic: zip timestamps are pinned, random data is seeded, and safetensors
metadata has at most one key (the reference writer's metadata map has no fixed order).
"""
import base64
import contextlib
import io
import json
import pathlib
import random
import struct
import time
import zipfile
import zlib

import numpy as np
import safetensors
from numpy.lib import format as npformat
from safetensors import TensorSpec, serialize

HERE = pathlib.Path(__file__).resolve().parent
expected = {"generator": {"numpy": np.__version__, "safetensors": safetensors.__version__},
            "files": {}, "deflate": []}


def crc(data):
    return f"{zlib.crc32(bytes(data)) & 0xFFFFFFFF:08x}"


def values_of(array):
    """The values the Swift readers return: float32 bit patterns or integers."""
    flat = np.ascontiguousarray(array).reshape(-1)
    if flat.dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            return {"float_bits": [int(b) for b in flat.astype(np.float32).view(np.uint32)]}
    return {"integers": [int(v) for v in flat.astype(np.int64)]}


def little_endian_bytes(array):
    return np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()


@contextlib.contextmanager
def pinned_zip_time():
    """np.savez stamps members with the current time; pin it to 2020-01-01 00:00:00."""
    original = zipfile.time

    class FixedTime:
        @staticmethod
        def time():
            return 1577836800.0

        @staticmethod
        def localtime(_=None):
            return time.gmtime(1577836800)

    zipfile.time = FixedTime
    try:
        yield
    finally:
        zipfile.time = original


def halves(bits):
    return np.array(bits, dtype=np.uint16).view(np.float16)


# --- safetensors -------------------------------------------------------------------------------

F16_BITS = [0x0000, 0x8000, 0x0001, 0x8001, 0x0200, 0x03FF, 0x0400, 0x3C00,
            0xBC00, 0x3555, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFE55]
BF16_BITS = [0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x3F80, 0xBF80, 0x4049,
             0x7F7F, 0x7F80, 0xFF80, 0x7FC0, 0x7F81, 0xFFC1]


def safetensors_tensors():
    """name -> (safetensors dtype, shape, little-endian bytes, expected values)."""
    f64 = np.array([0.0, -0.0, 1.0, -2.5, 1e-310, 1e300, np.pi, np.nan, np.inf, -np.inf, 1e-40, 65504.0]).reshape(3, 4)
    f32 = np.array([0.0, -0.0, 1.0, -1.0, 1.4e-45, 1.17549435e-38, 3.4028235e38, np.inf, -np.inf, np.nan, 0.1,
                    16777217.0], dtype=np.float32)
    f32[9] = np.array([0x7FA00001], dtype=np.uint32).view(np.float32)[0]  # a signalling NaN, kept as is
    f16 = halves(F16_BITS).reshape(4, 4)
    bf16 = np.array(BF16_BITS, dtype=np.uint16)
    arrays = {
        "float64": ("F64", f64),
        "float32": ("F32", f32),
        "float16": ("F16", f16),
        "int64": ("I64", np.array([[-2**63, -1, 0], [1, 2**63 - 1, 1234567890123]], dtype=np.int64)),
        "int32": ("I32", np.array([[-2**31, -1], [0, 2**31 - 1]], dtype=np.int32)),
        "int16": ("I16", np.array([-32768, -1, 0, 32767], dtype=np.int16)),
        "int8": ("I8", np.array([[-128, -1], [0, 127]], dtype=np.int8)),
        "uint8": ("U8", np.array([0, 1, 127, 128, 255], dtype=np.uint8)),
        "bool": ("BOOL", np.array([True, False, True, True, False])),
    }
    out = {name: (dtype, list(a.shape), little_endian_bytes(a), values_of(a)) for name, (dtype, a) in arrays.items()}
    bf16_values = {"float_bits": [b << 16 for b in BF16_BITS]}
    out["bfloat16"] = ("BF16", [len(BF16_BITS)], bf16.astype("<u2").tobytes(), bf16_values)
    return out


TORCH_NAMES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64",
               "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool"}


def write_safetensors(name, tensors, metadata):
    """Writes with the reference serializer (raw bytes, so BF16 needs no torch)."""
    keep = []
    specs = {}
    for tensor_name, (dtype, shape, data, _) in tensors.items():
        buffer = np.frombuffer(data, dtype=np.uint8).copy() if data else np.zeros(1, np.uint8)
        keep.append(buffer)
        specs[tensor_name] = TensorSpec(dtype=TORCH_NAMES[dtype], shape=shape, data_ptr=buffer.ctypes.data,
                                        data_len=len(data))
    blob = bytes(serialize(specs, metadata=metadata))
    (HERE / name).write_bytes(blob)
    entries = []
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    for tensor_name, info in sorted(header.items(), key=lambda kv: (kv[1]["data_offsets"] if kv[0] != "__metadata__" else [-1, -1], kv[0])):
        if tensor_name == "__metadata__":
            continue
        dtype, shape, data, values = tensors[tensor_name]
        entries.append({"name": tensor_name, "dtype": dtype, "shape": shape, "crc32": crc(data), **values})
    expected["files"][name] = {"format": "safetensors", "metadata": metadata, "tensors": entries}
    return blob


all_tensors = safetensors_tensors()
all_dtypes = write_safetensors("all_dtypes.safetensors", all_tensors, {"format": "np"})

empty = {
    "empty": ("F32", [0, 3], b"", {"float_bits": []}),
    "scalar": ("F32", [], np.array(2.5, np.float32).tobytes(), values_of(np.array(2.5, np.float32))),
    "count": ("I64", [], np.array(7, np.int64).tobytes(), values_of(np.array(7, np.int64))),
    "layers.0.weight": ("F16", [2, 1], halves([0x3C00, 0xC000]).tobytes(), values_of(halves([0x3C00, 0xC000]))),
}
write_safetensors("empty_and_scalar.safetensors", empty, None)
write_safetensors("metadata_only.safetensors", {}, {"note": "no tensors, only \"metadata\"\n"})

# Damaged copies for the CLI: truncated data, and a header that promises too much.
(HERE / "truncated.safetensors").write_bytes(all_dtypes[:-3])

# --- .npy ----------------------------------------------------------------------------------------

npy_arrays = {
    "float64": np.array([[0.0, -0.0, 1e-310], [1e300, np.nan, -np.inf]], dtype="<f8"),
    "float32": np.array([1.5, -0.0, 1.4e-45, np.inf, 3.4028235e38, -7.25], dtype="<f4"),
    "float16": halves(F16_BITS).reshape(2, 8),
    "int64": np.array([-2**63, -1, 0, 2**63 - 1], dtype="<i8"),
    "int32": np.array([[-2**31, 5], [6, 2**31 - 1]], dtype="<i4"),
    "int16": np.array([-32768, 0, 32767], dtype="<i2"),
    "int8": np.array([-128, 0, 127], dtype="|i1"),
    "uint8": np.array([0, 128, 255], dtype="|u1"),
    "bool": np.array([[True, False], [False, True]]),
    "float64_be": np.array([1.0, -2.5, np.inf], dtype=">f8"),
    "float32_be": np.array([[1.5, -0.0], [np.nan, 1e-45]], dtype=">f4"),
    "float16_be": halves([0x3C00, 0x0001, 0x7C01, 0xFBFF]).astype(">f2"),
    "int64_be": np.array([-2**63, 1, 2**40], dtype=">i8"),
    "int32_be": np.array([-2, 70000], dtype=">i4"),
    "int16_be": np.array([-300, 300], dtype=">i2"),
    "scalar": np.array(-3.25, dtype="<f8"),
    "empty": np.zeros((0, 4), dtype="<f4"),
}


def record_npy(name, array, version):
    expected["files"][name] = {"format": "npy", "version": version, "arrays": [
        {"name": pathlib.Path(name).stem, "dtype": array.dtype.str, "shape": list(array.shape),
         "crc32": crc(little_endian_bytes(array)), **values_of(array)}]}


for stem, array in npy_arrays.items():
    np.save(HERE / f"{stem}.npy", array)
    record_npy(f"{stem}.npy", array, 1)

matrix = np.arange(6, dtype="<f4").reshape(2, 3) / 4
for version in (2, 3):
    with open(HERE / f"matrix_v{version}.npy", "wb") as f:
        npformat.write_array(f, matrix, version=(version, 0))
    record_npy(f"matrix_v{version}.npy", matrix, version)

# Dtypes and layouts the reader rejects, each written by numpy itself.
unsupported = {
    "object": np.array([1, "a"], dtype=object),
    "complex64": np.array([1 + 2j], dtype="<c8"),
    "complex128": np.array([1 + 2j], dtype="<c16"),
    "unicode": np.array(["ab", "c"]),
    "bytes": np.array([b"ab"]),
    "void": np.zeros(2, dtype="V4"),
    "structured": np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]),
    "fortran": np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)),
    "uint16": np.array([1, 2], dtype="<u2"),
    "datetime": np.array(["2020-01-01"], dtype="datetime64[D]"),
}
for stem, array in unsupported.items():
    np.save(HERE / f"unsupported_{stem}.npy", array, allow_pickle=True)

# --- .npz ----------------------------------------------------------------------------------------

npz_arrays = {
    "weights": (np.arange(600, dtype="<f4") / 7).reshape(20, 30),
    "steps": np.arange(500, dtype="<i8"),
    "mask": np.arange(40) % 3 == 0,
    "scale": np.array(0.5, dtype="<f8"),
    "halves": halves(F16_BITS),
}


def record_npz(name, arrays):
    expected["files"][name] = {"format": "npz", "arrays": [
        {"name": key, "dtype": a.dtype.str, "shape": list(a.shape), "crc32": crc(little_endian_bytes(a)),
         **values_of(a)} for key, a in arrays.items()]}


with pinned_zip_time():
    np.savez(HERE / "arrays.npz", **npz_arrays)
    np.savez_compressed(HERE / "arrays_compressed.npz", **npz_arrays)
    np.savez(HERE / "empty.npz")
record_npz("arrays.npz", npz_arrays)
record_npz("arrays_compressed.npz", npz_arrays)
record_npz("empty.npz", {})
with zipfile.ZipFile(HERE / "arrays_compressed.npz") as z:
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in z.infolist())

# --- raw DEFLATE streams ------------------------------------------------------------------------

rng = random.Random(1951)
text = ("The dead salmon was shown photographs of humans in social situations. " * 40).encode()
noise = bytes(rng.randrange(256) for _ in range(3000))
four_letters = bytes(rng.choice(b"ACGT") for _ in range(33000))


def deflate(chunks, level=9, strategy=zlib.Z_DEFAULT_STRATEGY, flush_between=zlib.Z_NO_FLUSH):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    out = b""
    for i, chunk in enumerate(chunks):
        out += c.compress(chunk)
        if i + 1 < len(chunks) and flush_between != zlib.Z_NO_FLUSH:
            out += c.flush(flush_between)
    return out + c.flush(zlib.Z_FINISH)


cases = {
    "empty": ([b""], {}),
    "stored": ([text[:1000], noise[:1000], text[:500]], {"level": 0, "flush_between": zlib.Z_FULL_FLUSH}),
    "fixed": ([text[:2000] + noise[:200]], {"strategy": zlib.Z_FIXED}),
    "dynamic": ([text + noise], {}),
    "mixed": ([text[:1500], noise[:800], text[:700]], {"flush_between": zlib.Z_SYNC_FLUSH}),
    "huffman_only": ([text[:3000]], {"strategy": zlib.Z_HUFFMAN_ONLY}),
    "runs": ([b"a" * 10000 + b"b" * 3 + b"ab" * 700], {"strategy": zlib.Z_RLE}),
    "long_distance": ([four_letters + four_letters[:600]], {}),
}
for name, (chunks, options) in cases.items():
    raw = b"".join(chunks)
    stream = deflate(chunks, **options)
    assert zlib.decompress(stream, -15) == raw
    expected["deflate"].append({"name": name, "compressed": base64.b64encode(stream).decode(),
                                "length": len(raw), "crc32": crc(raw)})

(HERE / "formats_expected.json").write_text(json.dumps(expected, indent=1) + "\n")
total = sum(p.stat().st_size for p in HERE.iterdir() if p.is_file())
print(f"wrote {len(expected['files'])} fixture files and {len(expected['deflate'])} deflate streams; "
      f"folder {total / 1024:.1f} KB")
