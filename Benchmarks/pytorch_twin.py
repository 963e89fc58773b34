"""PyTorch twin of dendrite-bench's training suite: the same workloads, the same thread count.

Run: make bench-peers   (or: python Benchmarks/pytorch_twin.py --threads 2)
Prints samples/s per workload as JSON lines, for comparison with `dendrite-bench --filter training`.
"""
import argparse
import json
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
        median = statistics.median(samples)
        print(json.dumps({"workload": name, "samples_per_second": batch / median, "median_seconds": median,
                          "min_seconds": min(samples), "max_seconds": max(samples), "threads": args.threads,
                          "torch": torch.__version__}))


if __name__ == "__main__":
    main()
