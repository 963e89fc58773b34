"""PyTorch twin of dendrite-bench's training suite: the same workloads, the same thread count.

Run: make bench-peers   (or: python Benchmarks/pytorch_twin.py --threads 2)
Prints samples/s per workload as JSON lines, for comparison with `dendrite-bench --filter training`.
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def measure(step, runs, target=0.2):
    for _ in range(3):
        step()
    start = time.perf_counter()
    step()
    inner = max(1, int(target / max(time.perf_counter() - start, 1e-7)))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(inner):
            step()
        samples.append((time.perf_counter() - start) / inner)
    return samples


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name, make, batch in [("MLP 784-512-10 train step, batch 128 (RMSprop)", mlp, 128),
                              ("CNN preset train step, batch 64 (RMSprop)", cnn, 64)]:
        model = make()
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        x = torch.rand(batch, 1, 28, 28)
        y = torch.arange(batch) % 10

        def step():
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()

        samples = measure(step, 5 if args.quick else 9)
        # The MLP runs first, so the process peak here is PyTorch's footprint for training it.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if make is mlp else None
        report(name, batch, samples, args.threads, peak)
    block_benchmark(args)
    resnet_benchmark(args)
    epoch_benchmark(args)


def resnet_benchmark(args):
    """ResNet-18 inference in eval mode (needs torchvision; skipped without it)."""
    try:
        import torchvision
    except ImportError:
        return
    model = torchvision.models.resnet18().eval()
    for batch in ([1] if args.quick else [1, 8]):
        x = torch.randn(batch, 3, 224, 224)

        def infer():
            with torch.no_grad():
                model(x)

        samples = measure(infer, 3 if args.quick else 5)
        median = statistics.median(samples)
        print(json.dumps({"workload": f"ResNet-18 inference, batch {batch}, 3×224×224", "images_per_second": batch / median,
                          "median_seconds": median, "threads": args.threads, "torch": torch.__version__}), flush=True)


def block_benchmark(args):
    """One pre-norm causal transformer block, d 128, 4 heads, FF 512, T 64, B 32, with Adam."""
    block = nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True)
    optimizer = torch.optim.Adam(block.parameters(), lr=1e-3)
    x = torch.randn(32, 64, 128)
    mask = nn.Transformer.generate_square_subsequent_mask(64)

    def step():
        optimizer.zero_grad()
        block(x, src_mask=mask, is_causal=True).pow(2).mean().backward()
        optimizer.step()

    samples = measure(step, 5 if args.quick else 9)
    median = statistics.median(samples)
    print(json.dumps({"workload": "transformer block d128 h4 FF512 T64 B32 (Adam)", "tokens_per_second": 2048 / median,
                      "median_seconds": median, "threads": args.threads, "torch": torch.__version__}))


def report(name, count, samples, threads, peak=None):
    median = statistics.median(samples)
    entry = {"workload": name, "samples_per_second": count / median, "median_seconds": median,
             "min_seconds": min(samples), "max_seconds": max(samples), "threads": threads, "torch": torch.__version__}
    if peak is not None:
        entry["peak_mib"] = peak
    print(json.dumps(entry), flush=True)


def epoch_benchmark(args, root="/usr/share/datasets/fashion-mnist"):
    """One epoch of the Keras example over 54,000 Fashion-MNIST images with a shuffling DataLoader."""
    path = os.path.join(root, "train-images-idx3-ubyte.gz")
    if not os.path.exists(path):
        return
    import numpy as np
    with gzip.open(path) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:54000]
    with gzip.open(os.path.join(root, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:54000].astype(np.int64)
    x = torch.tensor(images, dtype=torch.float32) / 255
    y = torch.tensor(labels)
    model = mlp()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=128, shuffle=True)
    samples = []
    for _ in range(3 if args.quick else 5):
        start = time.perf_counter()
        correct = 0
        for xb, yb in loader:
            optimizer.zero_grad()
            out = model(xb)
            F.cross_entropy(out, yb).backward()
            optimizer.step()
            correct += (out.argmax(1) == yb).sum().item()
        samples.append(time.perf_counter() - start)
    report("MLP epoch, fit on 54,000 Fashion-MNIST images", 54000, samples[1:], args.threads)


if __name__ == "__main__":
    main()
