"""PyTorch DistributedDataParallel twin of `dendrite-mpi-bench train`: the same model (`mlp`:
Flatten → Linear 784-512 → ReLU → Linear 512-10; `cnn`: Dendrite's cnn preset), SGD with momentum
0.9 and lr 0.01, cross-entropy, synthetic 1×28×28 inputs, the same global batch split over the
processes, gloo backend, each process on `--threads` threads. Prints one JSON line: samples/s as
the median over `--runs` epochs of `--steps` global batches after one warm-up epoch.

    python Benchmarks/pytorch_ddp.py --model mlp --processes 2 --threads 1
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F


def build(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def worker(rank, arguments, results):
    torch.set_num_threads(arguments.threads)
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(arguments.port))
    if arguments.processes > 1:
        dist.init_process_group("gloo", rank=rank, world_size=arguments.processes)
    torch.manual_seed(0)
    model = build(arguments.model)
    if arguments.processes > 1:
        model = nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    per_rank = arguments.global_batch // arguments.processes
    generator = torch.Generator().manual_seed(rank)
    count = arguments.steps * per_rank
    inputs = torch.randn(count, 1, 28, 28, generator=generator)
    labels = torch.arange(count) % 10
    rates = []
    for epoch in range(1 + arguments.runs):
        order = torch.randperm(count, generator=generator)
        start = time.perf_counter()
        for step in range(arguments.steps):
            batch = order[step * per_rank:(step + 1) * per_rank]
            optimizer.zero_grad()
            F.cross_entropy(model(inputs[batch]), labels[batch]).backward()
            optimizer.step()
        elapsed = time.perf_counter() - start
        if epoch > 0:
            rates.append(arguments.steps * arguments.global_batch / elapsed)
    if rank == 0:
        results.put({"framework": "pytorch", "torch": torch.__version__, "model": arguments.model,
                     "processes": arguments.processes, "threads": arguments.threads, "global_batch": arguments.global_batch,
                     "samples_per_second": statistics.median(rates), "min": min(rates), "max": max(rates)})
    if arguments.processes > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="mlp", choices=["mlp", "cnn"])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--global-batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=29517)
    arguments = parser.parse_args()
    context = mp.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=worker, args=(rank, arguments, results)) for rank in range(arguments.processes)]
    for process in processes:
        process.start()
    answer = results.get()
    for process in processes:
        process.join()
    print(json.dumps(answer), flush=True)
