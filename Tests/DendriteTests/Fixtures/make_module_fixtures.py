"""Writes data/named_modules.json: torchvision's `named_modules()` for ResNet-18 and GoogLeNet
(without auxiliary heads), as `[[name, class name], ...]` in PyTorch's order, for
ModuleTreeTests, which checks Dendrite's `namedModules()` against it.

Run: `make fixtures`, or any python with torch and torchvision.
"""
import json
import os
import sys


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from torchvision_models import load_torchvision  # noqa: E402  (torchvision's model definitions)


def main():
    torchvision = load_torchvision()
    models = {
        "resnet18": torchvision.models.resnet18(),
        "googlenet": torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False),
    }
    result = {name: [[path, type(module).__name__] for path, module in model.named_modules()]
              for name, model in models.items()}
    result["torchvision"] = torchvision.__version__
    with open(os.path.join(HERE, "data", "named_modules.json"), "w") as handle:
        json.dump(result, handle, separators=(",", ":"))
        handle.write("\n")


if __name__ == "__main__":
    main()
