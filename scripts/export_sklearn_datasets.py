"""Exports scikit-learn's bundled toy data sets to Datasets/*.csv (a header row, the features,
then a `target` column), for the estimator tests, the benchmark and `dendrite tabular`.

    .venv-torch/bin/python scripts/export_sklearn_datasets.py
"""
import os

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine

OUT = os.path.join(os.path.dirname(__file__), "..", "Datasets")
for name, loader in [("iris", load_iris), ("wine", load_wine), ("breast_cancer", load_breast_cancer), ("digits", load_digits)]:
    data = loader()
    columns = [str(c).replace(" ", "_").replace(",", "") for c in data.feature_names] + ["target"]
    values = np.column_stack([data.data, data.target])
    integral = np.all(values == np.round(values))
    with open(os.path.join(OUT, f"{name}.csv"), "w") as handle:
        handle.write(",".join(columns) + "\n")
        for row in values:
            handle.write(",".join((f"{int(v)}" if integral else f"{v:.10g}") for v in row) + "\n")
    print(f"{name}: {values.shape[0]} rows, {values.shape[1] - 1} features, {len(np.unique(data.target))} classes")
