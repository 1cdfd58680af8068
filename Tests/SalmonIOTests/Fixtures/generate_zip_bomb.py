"""A zip bomb in .npz form for DeadSalmon's reader (run once: python3 generate_zip_bomb.py; numpy).

bomb.npz holds one deflated member x.npy whose .npy header declares a float32 array of shape (2,)
(8 bytes of data) but which inflates to 64 MiB: the header followed by 64 MiB of zeros, recorded
truthfully in the zip (so the zip's own size checks pass). The reader must refuse it from the
declared sizes, before inflating: the zip records 64 MiB + header, the .npy header describes 8 bytes.
"""
import io
import pathlib
import zipfile

import numpy as np

HERE = pathlib.Path(__file__).parent
header = io.BytesIO()
np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (2,)})
payload = header.getvalue() + bytes(64 * 1024 * 1024)
with zipfile.ZipFile(HERE / "bomb.npz", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("x.npy", payload)
print(f"bomb.npz: {(HERE / 'bomb.npz').stat().st_size} bytes inflating to {len(payload)}")
