# Dendrite — the commands. `make train` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
RELEASE := -c release

.PHONY: deps build test test-deps test-downstream train bench bench-peers clean

## deps: install the missing Debian packages (OpenBLAS, LAPACKE, zlib, Fashion-MNIST)
deps:
	@bash scripts/install-deps.sh

## build: release build of the library, CLI and benchmark
build: deps
	$(SWIFT) build $(RELEASE)

## test: every unit test, then a downstream package that depends on Dendrite by path
test: deps test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) test-downstream

## test-deps: Python's safetensors package, for the test that reads Dendrite's files from Python (optional)
test-deps:
	@python3 -c "import safetensors, numpy" 2>/dev/null || python3 -m pip install -q safetensors numpy 2>/dev/null \
	    || echo "note: python3 safetensors is not installable here; the Python round-trip test will be skipped"

## test-downstream: builds and runs Tests/Downstream (the README example and the docs snippets, compiled against
## Dendrite; manifest caching off, or incremental builds can miss files added to Dendrite)
test-downstream:
	$(SWIFT) run --package-path Tests/Downstream --scratch-path .build-downstream --disable-build-manifest-caching DownstreamExample

RUN ?= runs/fashion-mlp

## train: build in release and train the course's Keras MNIST network on Fashion-MNIST
train: build
	.build/release/dendrite train --model mlp --epochs 5 --batch-size 128 --optimizer rmsprop --lr 0.001 \
	    --schedule cosine --out $(RUN)
	@echo "Open $(RUN)/curves.svg in a browser; evaluate with: .build/release/dendrite evaluate --checkpoint $(RUN)"

## bench: the benchmark executable (GEMM, convolution and training steps)
bench: deps
	$(SWIFT) run $(RELEASE) dendrite-bench

## bench-peers: the same training workloads in PyTorch (installs torch into .venv-bench on first use)
bench-peers:
	@test -x .venv-bench/bin/python || (python3 -m venv .venv-bench && .venv-bench/bin/pip install -q torch)
	.venv-bench/bin/python Benchmarks/pytorch_twin.py --threads $$(nproc) | tee .build/pytorch-twin.jsonl
	$(SWIFT) run $(RELEASE) dendrite-bench --filter training --threads $$(nproc) --peers .build/pytorch-twin.jsonl --charts Docs/charts

clean:
	rm -rf .build .build-downstream
