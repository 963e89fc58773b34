"""Fixtures for AttributionTests: Captum's Saliency, IntegratedGradients (Gauss-Legendre and
Riemann middle, 50 steps), Occlusion and LayerGradCam on a small fixed CNN, so that Dendrite's
attributions are checked against the reference implementation element by element.

    .venv-torch/bin/pip install captum
    .venv-torch/bin/python Tests/DendriteTests/Fixtures/make_attribution_fixtures.py

writes Tests/DendriteTests/Fixtures/data/attribution.json (weights, inputs, targets, results).
"""
import json
import os

import torch
import torch.nn as nn
from captum.attr import IntegratedGradients, LayerGradCam, Occlusion, Saliency

torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 5))
model.eval()
x = torch.rand(2, 1, 8, 8)
targets = torch.tensor([1, 3])

saliency = Saliency(model).attribute(x, target=targets, abs=True)
ig = IntegratedGradients(model)
gauss, gauss_delta = ig.attribute(x, target=targets, n_steps=50, method="gausslegendre", return_convergence_delta=True)
middle, middle_delta = ig.attribute(x, target=targets, n_steps=50, method="riemann_middle", return_convergence_delta=True)
occlusion = Occlusion(model).attribute(x, target=targets, sliding_window_shapes=(1, 3, 3), strides=(1, 2, 2), baselines=0.0)
gradcam = LayerGradCam(model, model[2]).attribute(x, target=targets, relu_attributions=True)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


fixture = {
    "weights": {name: flat(tensor) for name, tensor in model.state_dict().items()},
    "input": flat(x), "targets": targets.tolist(),
    "saliency": flat(saliency),
    "ig_gauss_legendre": flat(gauss), "ig_gauss_legendre_delta": flat(gauss_delta),
    "ig_riemann_middle": flat(middle), "ig_riemann_middle_delta": flat(middle_delta),
    "occlusion": flat(occlusion),
    "gradcam_layer_2": flat(gradcam),
    "captum": __import__("captum").__version__, "torch": torch.__version__,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "attribution.json")
with open(path, "w") as f:
    json.dump(fixture, f)
print("wrote", os.path.normpath(path))
