"""PyTorch torch.nn.utils.prune fixtures for PruningTests.swift.

    .venv-torch/bin/python Tests/DendriteTests/Fixtures/make_pruning_fixtures.py

A Linear(6, 5) and a Conv2d(3, 4, 3) with seeded weights go through a sequence of pruning
calls (compounding included); every mask after each step, the state_dict keys and the weight
after `remove` are saved.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.utils.prune as prune

torch.manual_seed(0)
linear, conv = nn.Linear(6, 5), nn.Conv2d(3, 4, 3)
initial = {"linear.weight": linear.weight.detach().clone(), "linear.bias": linear.bias.detach().clone(),
           "conv.weight": conv.weight.detach().clone(), "conv.bias": conv.bias.detach().clone()}
steps = []


def record(label):
    steps.append({"step": label, "linear_mask": getattr(linear, "weight_mask", torch.ones(5, 6)).flatten().tolist(),
                  "conv_mask": getattr(conv, "weight_mask", torch.ones(4, 3, 3, 3)).flatten().tolist()})


prune.l1_unstructured(linear, "weight", amount=0.3); record("l1 0.3 linear")
prune.l1_unstructured(linear, "weight", amount=0.5); record("l1 0.5 linear again")
prune.ln_structured(conv, "weight", amount=0.5, n=2, dim=0); record("ln2 0.5 dim0 conv")
prune.l1_unstructured(conv, "weight", amount=7); record("l1 7 conv")
prune.ln_structured(conv, "weight", amount=1, n=1, dim=1); record("ln1 1 dim1 conv")
prune.global_unstructured([(linear, "weight"), (conv, "weight")], pruning_method=prune.L1Unstructured, amount=0.2)
record("global 0.2")
keys = {"linear": list(linear.state_dict().keys()), "conv": list(conv.state_dict().keys())}
prune.remove(linear, "weight")
out = {"initial": {k: v.flatten().tolist() for k, v in initial.items()}, "steps": steps, "keys": keys,
       "removed_keys": list(linear.state_dict().keys()), "removed_weight": linear.weight.detach().flatten().tolist(),
       "torch": torch.__version__}
path = os.path.join(os.path.dirname(__file__), "data", "pruning.json")
with open(path, "w") as handle:
    json.dump(out, handle)
print(f"wrote {path}")
