"""scikit-learn parity fixtures for Dendrite's estimators (Tests/DendriteTests/EstimatorParityTests.swift).

    .venv-torch/bin/pip install scikit-learn && .venv-torch/bin/python Tests/DendriteTests/Fixtures/make_sklearn_fixtures.py

Every MLP case runs scikit-learn in float32 with shuffle off and random_state 0, and exports the
data, the initial weights scikit-learn drew (the same RandomState(0) draws as `_init_coef`, in
order), the validation split early stopping made from the same stream, and what fit produced:
loss_curve_, n_iter_, validation_scores_, the final weights, the predictions.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(__file__), "data", "sklearn_mlp.json")
LINEAR_OUT = os.path.join(os.path.dirname(__file__), "data", "sklearn_linear.json")
DATASETS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "Datasets")
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def initial_weights(units, activation, rs):
    coefs, intercepts = [], []
    factor = 2.0 if activation == "logistic" else 6.0
    for fan_in, fan_out in zip(units, units[1:]):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rs.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        intercepts.append(rs.uniform(-bound, bound, fan_out).astype(np.float32))
    return coefs, intercepts


def listed(arrays):
    return [a.astype(np.float64).ravel().tolist() for a in arrays]


def case(name, estimator, X, y, **settings):
    model = estimator(random_state=0, shuffle=False, **settings)
    outputs = (len(np.unique(y)) if len(np.unique(y)) > 2 else 1) if estimator is MLPClassifier else (1 if y.ndim == 1 else y.shape[1])
    units = [X.shape[1]] + list(model.hidden_layer_sizes) + [outputs]
    rs = np.random.RandomState(0)
    coefs, intercepts = initial_weights(units, model.activation, rs)
    entry = {"name": name, "estimator": estimator.__name__, "settings": settings, "x": X.ravel().tolist(), "x_shape": list(X.shape),
             "y": y.astype(np.float64).ravel().tolist(), "y_shape": list(y.shape), "units": units,
             "initial_coefs": listed(coefs), "initial_intercepts": listed(intercepts)}
    if settings.get("early_stopping"):
        # scikit-learn stratifies only when there is one output column (binary classification):
        # multiclass targets are one-hot by then (`should_stratify = ... and self.n_outputs_ == 1`).
        stratify = y if estimator is MLPClassifier and outputs == 1 else None
        train, validation = train_test_split(np.arange(len(X)), random_state=rs, test_size=model.validation_fraction, stratify=stratify)
        entry["train_rows"], entry["validation_rows"] = train.tolist(), validation.tolist()
    model.fit(X, y)
    np.testing.assert_allclose(model.coefs_[0].shape, coefs[0].shape)
    entry.update({"loss_curve": [float(v) for v in getattr(model, "loss_curve_", [])], "loss": float(model.loss_),
                  "n_iter": int(model.n_iter_), "coefs": listed(model.coefs_), "intercepts": listed(model.intercepts_),
                  "predictions": model.predict(X).astype(np.float64).ravel().tolist(),
                  "validation_scores": [float(v) for v in (model.validation_scores_ or [])] if settings.get("early_stopping") else []})
    if estimator is MLPClassifier:
        entry["probabilities"] = model.predict_proba(X).astype(np.float64).ravel().tolist()
    return entry


def main():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=1)
    X = X.astype(np.float32)
    Xb, yb = make_classification(n_samples=90, n_features=5, n_informative=3, n_classes=2, random_state=2)
    Xb = Xb.astype(np.float32)
    Xr, yr = make_regression(n_samples=100, n_features=5, n_targets=2, noise=0.1, random_state=3)
    Xr, yr = Xr.astype(np.float32), (yr / 100).astype(np.float32)
    cases = [
        case("adam relu multiclass", MLPClassifier, X, y, hidden_layer_sizes=(7,), max_iter=20, batch_size=32),
        case("sgd nesterov constant tanh", MLPClassifier, X, y, solver="sgd", activation="tanh", hidden_layer_sizes=(8, 5),
             max_iter=20, batch_size=25, learning_rate_init=0.05),
        case("sgd momentum invscaling logistic", MLPClassifier, X, y, solver="sgd", activation="logistic", hidden_layer_sizes=(6,),
             max_iter=20, batch_size=40, learning_rate="invscaling", learning_rate_init=0.5, nesterovs_momentum=False),
        case("sgd adaptive", MLPClassifier, X, y, solver="sgd", hidden_layer_sizes=(6,), max_iter=20, batch_size=30,
             learning_rate="adaptive", learning_rate_init=0.2, tol=0.05, n_iter_no_change=2),
        case("adam binary", MLPClassifier, Xb, yb, hidden_layer_sizes=(5,), max_iter=20, batch_size=20, alpha=0.01),
        case("adam regressor two outputs", MLPRegressor, Xr, yr, hidden_layer_sizes=(9,), max_iter=20, batch_size=16,
             learning_rate_init=0.01),
        case("sgd regressor", MLPRegressor, Xr, yr[:, 0], solver="sgd", activation="tanh", hidden_layer_sizes=(6,), max_iter=20,
             batch_size=20, learning_rate_init=0.01),
        case("early stopping", MLPClassifier, X, y, hidden_layer_sizes=(7,), max_iter=60, batch_size=16, learning_rate_init=0.01,
             early_stopping=True, n_iter_no_change=3, tol=0.01),
        # L-BFGS cases whose minimum is unique: with identity hidden units and width ≥ outputs, the
        # L2 penalty on the two factors is a nuclear-norm penalty on their product, a convex
        # problem — so two L-BFGS implementations must agree on the optimum, not only on a path.
        case("lbfgs classifier", MLPClassifier, X, y, solver="lbfgs", activation="identity", hidden_layer_sizes=(4,),
             max_iter=2000, alpha=1.0, tol=1e-6),
        # One output: with several, scikit-learn's loss averages over the outputs but its gradient
        # (δ = ŷ − y) does not, so under L-BFGS the line search sees a gradient of another function.
        case("lbfgs regressor", MLPRegressor, Xr, yr[:, 0], solver="lbfgs", activation="identity", hidden_layer_sizes=(3,),
             max_iter=2000, alpha=1.0, tol=1e-6),
    ]
    with open(OUT, "w") as handle:
        json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}, handle)
    print(f"wrote {OUT}: {len(cases)} cases, scikit-learn {sklearn.__version__}")
    linear_and_real_data()


def csv(name):
    table = np.loadtxt(os.path.join(DATASETS, f"{name}.csv"), delimiter=",", skiprows=1, dtype=np.float64)
    return table[:, :-1], table[:, -1]


def linear_and_real_data():
    """Linear-model coefficients (solved tightly) and, on the bundled data sets, every estimator's
    test score on one stratified split, the inputs standardized on the training part."""
    coefficients = []
    xr, yr = make_regression(n_samples=80, n_features=6, n_targets=2, noise=0.5, random_state=4)
    for name, model, y in [("linear", LinearRegression(), yr), ("linear 1-D", LinearRegression(), yr[:, 0]),
                           ("ridge", Ridge(alpha=2.5), yr), ("ridge 1-D", Ridge(alpha=2.5), yr[:, 0])]:
        model.fit(xr, y)
        coefficients.append({"name": name, "x": xr.ravel().tolist(), "x_shape": list(xr.shape), "y": np.ravel(y).tolist(),
                             "y_shape": list(np.shape(y)), "coef": np.ravel(model.coef_).tolist(),
                             "intercept": np.ravel(model.intercept_).tolist()})
    for name, C in [("breast_cancer", 0.5), ("wine", 2.0)]:
        x, y = csv(name)
        x = StandardScaler().fit_transform(x)
        model = LogisticRegression(C=C, tol=1e-10, max_iter=100000).fit(x, y)
        # The inputs are Datasets/<name>.csv standardized over all rows (the test does the same).
        coefficients.append({"name": f"logistic {name}", "dataset": name, "C": C, "coef": model.coef_.ravel().tolist(),
                             "intercept": model.intercept_.ravel().tolist()})
    scores = []
    for name in ["iris", "wine", "breast_cancer", "digits"]:
        x, y = csv(name)
        train, test = train_test_split(np.arange(len(y)), test_size=0.25, random_state=0, stratify=y)
        scaler = StandardScaler().fit(x[train])
        xs = scaler.transform(x).astype(np.float32)
        entry = {"name": name, "train": train.tolist(), "test": test.tolist()}
        entry["logistic"] = float(LogisticRegression().fit(xs[train], y[train]).score(xs[test], y[test]))
        # MLPs from scikit-learn's initial weights, shuffle off, so both sides train alike.
        mlp = MLPClassifier(random_state=0, shuffle=False, max_iter=50)
        classes = len(np.unique(y))
        units = [x.shape[1], 100, classes if classes > 2 else 1]
        coefs, intercepts = initial_weights(units, "relu", np.random.RandomState(0))
        mlp.fit(xs[train], y[train])
        entry.update({"mlp": float(mlp.score(xs[test], y[test])), "mlp_coefs": listed(coefs), "mlp_intercepts": listed(intercepts)})
        # Regression on the same rows: the last feature from the others.
        features, target = xs[:, :-1], xs[:, -1]
        entry["linear"] = float(LinearRegression().fit(features[train], target[train]).score(features[test], target[test]))
        entry["ridge"] = float(Ridge(alpha=1.0).fit(features[train], target[train]).score(features[test], target[test]))
        scores.append(entry)
    with open(LINEAR_OUT, "w") as handle:
        json.dump({"sklearn": sklearn.__version__, "coefficients": coefficients, "scores": scores}, handle)
    print(f"wrote {LINEAR_OUT}: {len(coefficients)} coefficient cases, {len(scores)} data sets")


if __name__ == "__main__":
    main()
