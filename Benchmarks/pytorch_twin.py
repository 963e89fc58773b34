"""PyTorch twin of dendrite-bench's end-to-end workloads: the same models, optimizers, batches
and thread count.

Two ways to run it:

- `make bench-peers` starts it as `pytorch_twin.py --serve --threads N` under dendrite-bench,
  which then alternates one timed run of Dendrite with one timed run of PyTorch per round, so
  that both sides see the same machine state (the VMs this runs on drift by 20-40 % within
  minutes); the ratio it prints is the median of the per-round ratios.
- Standalone, `python Benchmarks/pytorch_twin.py --threads 2 [--quick]` prints each workload's
  median as a JSON line.

Serve protocol (one line each way): `prepare KEY` builds and warms a workload (a key of
WORKLOADS, or `conv:C:OC:HW:K:S:P:B` for one convolution) and answers
{"key", "items_per_call", "seconds_per_call"}; `time KEY INNER [WARMUP]` runs WARMUP untimed calls
(default 0), then INNER timed ones, and answers {"key", "seconds_per_call", "peak_mib", "torch"};
`quit` ends.

`--char-lstm [--steps 1000]` instead trains the CharLSTM example's model (Sources/Examples/CharLSTM)
on the same corpus and split, with the same batches' shape, optimizer and clipping, and prints
its losses and time as that example does.
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

FASHION = "/usr/share/datasets/fashion-mnist"


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def keras_rmsprop(model):
    return torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)


def preset_step(make, batch):
    model = make()
    optimizer = keras_rmsprop(model)
    x = torch.rand(batch, 1, 28, 28)
    y = torch.arange(batch) % 10

    def step():
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    return step, batch


def transformer_step():
    """One pre-norm causal block, d 128, 4 heads, FF 512, T 64, B 32, with Adam."""
    block = nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True)
    optimizer = torch.optim.Adam(block.parameters(), lr=1e-3)
    x = torch.randn(32, 64, 128)
    mask = nn.Transformer.generate_square_subsequent_mask(64)

    def step():
        optimizer.zero_grad()
        block(x, src_mask=mask, is_causal=True).pow(2).mean().backward()
        optimizer.step()
    return step, 2048


def recurrent_step(kind):
    """One nn.LSTM or nn.GRU layer, input 128, hidden 256, T 64, B 32 (time-major), with Adam."""
    layer = (nn.LSTM if kind == "lstm" else nn.GRU)(128, 256)
    optimizer = torch.optim.Adam(layer.parameters(), lr=1e-3)
    x = torch.randn(64, 32, 128)

    def step():
        optimizer.zero_grad()
        layer(x)[0].pow(2).mean().backward()
        optimizer.step()
    return step, 2048


def char_lstm(arguments):
    """The CharLSTM example in PyTorch: Debian's license texts as characters (the last 10 % for
    validation), embedding 128 → 2-layer LSTM 160 → linear, Adam 2e-3, gradient norm clipped at 1,
    batches of 32 random 64-character windows; validation is the mean loss over the whole
    validation split in back-to-back 64-character windows."""
    folder = "/usr/share/common-licenses"
    text = ""
    for name in sorted(os.listdir(folder)):
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text += handle.read() + "\n"
        except (OSError, UnicodeDecodeError):
            pass
    vocabulary = sorted(set(text))
    index = {character: i for i, character in enumerate(vocabulary)}
    ids = torch.tensor([index[character] for character in text])
    boundary = len(ids) - int(-(-len(ids) // 10))
    print(f"text: {folder} · {len(ids)} characters, vocabulary {len(vocabulary)} · torch {torch.__version__} · "
          f"{torch.get_num_threads()} threads")

    def batch(split, size=32, length=64):
        low, high = (0, boundary - length - 1) if split == "training" else (boundary, len(ids) - length - 1)
        starts = torch.randint(low, high, (size,))
        windows = torch.stack([ids[s:s + length + 1] for s in starts.tolist()])
        return windows[:, :-1], windows[:, 1:]

    class CharacterLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(len(vocabulary), 128)
            self.lstm = nn.LSTM(128, 160, num_layers=2, batch_first=True)
            self.head = nn.Linear(160, len(vocabulary))

        def forward(self, x):
            return self.head(self.lstm(self.embedding(x))[0])

    count = (len(ids) - boundary - 1) // 64
    validation_inputs = ids[boundary:boundary + count * 64].reshape(count, 64)
    validation_targets = ids[boundary + 1:boundary + count * 64 + 1].reshape(count, 64)
    model = CharacterLSTM()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    print(f"parameters: {sum(p.numel() for p in model.parameters())}")
    began = time.perf_counter()
    for step in range(arguments.steps):
        inputs, targets = batch("training")
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs).reshape(-1, len(vocabulary)), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if (step + 1) % 250 == 0 or step + 1 == arguments.steps:
            model.eval()
            with torch.no_grad():
                validation = sum(F.cross_entropy(model(validation_inputs[i:i + 64]).reshape(-1, len(vocabulary)),
                                                 validation_targets[i:i + 64].reshape(-1), reduction="sum").item()
                                 for i in range(0, count, 64)) / (count * 64)
            model.train()
            print(f"step {step + 1}/{arguments.steps} · train {loss.item():.3f} · validation {validation:.3f} nats/char · "
                  f"{int(time.perf_counter() - began)}s", flush=True)


def resnet_inference(batch, architecture="resnet18"):
    # Only these workloads need torchvision (its model definitions; see scripts/torchvision_models.py).
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
    from torchvision_models import load_torchvision
    torchvision = load_torchvision()
    model = getattr(torchvision.models, architecture)().eval()
    x = torch.randn(batch, 3, 224, 224)

    def infer():
        with torch.no_grad():
            model(x)
    return infer, batch


def inference(make, quantization, batch=128):
    """Batch inference of a course model in eval mode: float, `quantize_dynamic` (int8 Linear
    layers) or FX static post-training quantization (x86 backend: FBGEMM), calibrated on four
    random batches, as Dendrite's compression benchmark rows are."""
    import warnings
    warnings.simplefilter("ignore")   # torch.ao.quantization's deprecation notices
    model = make().eval()
    x = torch.rand(batch, 1, 28, 28)
    if quantization == "dynamic":
        model = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    elif quantization == "static":
        from torch.ao.quantization import get_default_qconfig_mapping
        from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
        prepared = prepare_fx(model, get_default_qconfig_mapping("x86"), example_inputs=(x,))
        with torch.no_grad():
            for _ in range(4):
                prepared(torch.rand(batch, 1, 28, 28))
        model = convert_fx(prepared)

    def infer():
        with torch.no_grad():
            model(x)
    return infer, batch


def convolution(key):
    """`conv:C:OC:HW:K:S:P:B`: one `F.conv2d` forward (with bias, no graph) of a square
    HW×HW input, K×K kernel, stride S, padding P, batch B — dendrite-bench's per-layer rows."""
    c, oc, hw, k, stride, padding, batch = map(int, key.split(":")[1:])
    x = torch.randn(batch, c, hw, hw)
    w = torch.randn(oc, c, k, k)
    b = torch.randn(oc)

    def forward():
        with torch.no_grad():
            F.conv2d(x, w, b, stride=stride, padding=padding)
    return forward, batch


def mlp_epoch():
    """One epoch of the Keras example over 54,000 Fashion-MNIST images, shuffling DataLoader."""
    import numpy as np
    with gzip.open(os.path.join(FASHION, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:54000]
    with gzip.open(os.path.join(FASHION, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:54000].astype(np.int64)
    x = torch.tensor(images, dtype=torch.float32) / 255
    y = torch.tensor(labels)
    model = mlp()
    optimizer = keras_rmsprop(model)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=128, shuffle=True)

    def epoch():
        correct = 0
        for xb, yb in loader:
            optimizer.zero_grad()
            out = model(xb)
            F.cross_entropy(out, yb).backward()
            optimizer.step()
            correct += (out.argmax(1) == yb).sum().item()
    return epoch, 54000


# Keys as dendrite-bench names them.
WORKLOADS = {
    "mlp": ("MLP 784-512-10 train step, batch 128 (RMSprop)", lambda: preset_step(mlp, 128)),
    "cnn": ("CNN preset train step, batch 64 (RMSprop)", lambda: preset_step(cnn, 64)),
    "transformer": ("transformer block d128 h4 FF512 T64 B32 (Adam)", transformer_step),
    "lstm": ("LSTM layer 128→256 T64 B32 (Adam)", lambda: recurrent_step("lstm")),
    "gru": ("GRU layer 128→256 T64 B32 (Adam)", lambda: recurrent_step("gru")),
    "resnet-1": ("ResNet-18 inference, batch 1, 3×224×224", lambda: resnet_inference(1)),
    "resnet-8": ("ResNet-18 inference, batch 8, 3×224×224", lambda: resnet_inference(8)),
    "vgg11-1": ("VGG-11 inference, batch 1, 3×224×224", lambda: resnet_inference(1, "vgg11")),
    "vgg11-4": ("VGG-11 inference, batch 4, 3×224×224", lambda: resnet_inference(4, "vgg11")),
    "epoch": ("MLP epoch, fit on 54,000 Fashion-MNIST images", mlp_epoch),
    "mlp-infer": ("MLP inference, batch 128", lambda: inference(mlp, None)),
    "mlp-int8": ("MLP inference, batch 128, quantize_dynamic int8", lambda: inference(mlp, "dynamic")),
    "cnn-infer": ("CNN preset inference, batch 128", lambda: inference(cnn, None)),
    "cnn-int8": ("CNN preset inference, batch 128, FX static int8", lambda: inference(cnn, "static")),
}


def timed(call, inner):
    start = time.perf_counter()
    for _ in range(inner):
        call()
    return (time.perf_counter() - start) / inner


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve():
    prepared = {}
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        key = words[1]
        if words[0] == "prepare":
            if key not in prepared:
                prepared[key] = convolution(key) if key.startswith("conv:") else WORKLOADS[key][1]()
            call, items = prepared[key]
            for _ in range(2):
                call()
            answer = {"key": key, "items_per_call": items, "seconds_per_call": timed(call, 1)}
        else:
            call, _ = prepared[key]
            for _ in range(int(words[3]) if len(words) > 3 else 0):
                call()
            answer = {"key": key, "seconds_per_call": timed(call, int(words[2])), "peak_mib": peak_mib(),
                      "torch": torch.__version__}
        print(json.dumps(answer), flush=True)


def standalone(args):
    for key, (name, make) in WORKLOADS.items():
        if key == "resnet-8" and args.quick:
            continue
        if key == "epoch" and not os.path.exists(os.path.join(FASHION, "train-images-idx3-ubyte.gz")):
            continue
        call, items = make()
        for _ in range(2):
            call()
        once = timed(call, 1)
        inner = max(1, int(0.2 / max(once, 1e-7)))
        samples = [timed(call, inner) for _ in range(3 if args.quick else 5)]
        median = statistics.median(samples)
        print(json.dumps({"workload": name, "per_second": items / median, "median_seconds": median,
                          "min_seconds": min(samples), "max_seconds": max(samples), "threads": args.threads,
                          "peak_mib": peak_mib(), "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--char-lstm", action="store_true", help="train the CharLSTM example's twin instead")
    parser.add_argument("--steps", type=int, default=1000, help="optimizer steps of --char-lstm")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    torch.manual_seed(0)
    if arguments.char_lstm:
        char_lstm(arguments)
    else:
        serve() if arguments.serve else standalone(arguments)
