"""Imports torchvision for its model definitions only.

PyPI's torchvision wheels carry a compiled extension (detection ops such as nms) built against
PyPI's CUDA torch; beside a CPU-only torch that extension cannot load, and importing torchvision
fails while it registers those ops. The model classes (ResNet, GoogLeNet, VGG, AlexNet) are plain
Python and need none of them, so this module stubs the op registrations when the extension is
missing and returns the real `torchvision` package.
"""
import sys
import types


def load_torchvision():
    try:
        import torchvision
    except RuntimeError as error:
        if "torchvision::" not in str(error):
            raise
        for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
            del sys.modules[name]
        sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
        import torchvision
    return torchvision
