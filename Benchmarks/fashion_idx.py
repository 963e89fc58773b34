"""Debian's Fashion-MNIST IDX files as NumPy arrays, for the Python twins in this folder."""
import gzip
import os

import numpy as np

FASHION = "/usr/share/datasets/fashion-mnist"


def idx(name, folder=FASHION):
    """The array in the gzipped IDX file `name` of `folder` (its dimensions from the header)."""
    with gzip.open(os.path.join(folder, name)) as handle:
        data = handle.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
