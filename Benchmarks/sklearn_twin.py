"""scikit-learn side of dendrite-bench's `estimators` suite: the same estimator, data and
settings, timed on this machine. Prints one JSON line per workload.

    .venv-torch/bin/python Benchmarks/sklearn_twin.py [--threads 2] [--dtype float64|float32]
"""
import argparse
import json
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
parser.add_argument("--only", default=None)
arguments = parser.parse_args()
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(arguments.threads)

import numpy as np  # noqa: E402  (after the thread settings)
import sklearn  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from fashion_idx import idx  # noqa: E402  (Benchmarks/fashion_idx.py)


def report(workload, seconds, accuracy):
    print(json.dumps({"workload": workload, "seconds": seconds, "accuracy": accuracy, "dtype": arguments.dtype,
                      "threads": arguments.threads, "sklearn": sklearn.__version__}), flush=True)


dtype = np.float32 if arguments.dtype == "float32" else np.float64
if arguments.only in (None, "fashion"):
    x = (idx("train-images-idx3-ubyte.gz").reshape(60000, 784) / 255.0).astype(dtype)
    y = idx("train-labels-idx1-ubyte.gz")
    xt = (idx("t10k-images-idx3-ubyte.gz").reshape(10000, 784) / 255.0).astype(dtype)
    yt = idx("t10k-labels-idx1-ubyte.gz")
    model = MLPClassifier(hidden_layer_sizes=(100,), solver="adam", max_iter=10, random_state=0)
    start = time.perf_counter()
    model.fit(x, y)
    report("fashion-adam-10", time.perf_counter() - start, float(model.score(xt, yt)))
if arguments.only in (None, "digits"):
    digits = load_digits()
    x, y = (digits.data / 16.0).astype(dtype), digits.target
    order = np.random.RandomState(0).permutation(len(x))
    train, test = order[:1437], order[1437:]
    model = MLPClassifier(hidden_layer_sizes=(100,), solver="lbfgs", max_iter=200, random_state=0)
    start = time.perf_counter()
    model.fit(x[train], y[train])
    report("digits-lbfgs", time.perf_counter() - start, float(model.score(x[test], y[test])))
