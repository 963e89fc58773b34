# Dendrite — the commands. `make train` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
RELEASE := -c release

.PHONY: deps build test test-downstream train bench docs clean

## deps: install the missing Debian packages (OpenBLAS, LAPACKE, zlib, Fashion-MNIST)
deps:
	@bash scripts/install-deps.sh

## build: release build of the library, CLI and benchmark
build: deps
	$(SWIFT) build $(RELEASE)

## test: every unit test, then a downstream package that depends on Dendrite by path
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) test-downstream

## test-downstream: builds and runs Tests/Downstream (the README example, compiled against Dendrite)
test-downstream:
	$(SWIFT) run --package-path Tests/Downstream --scratch-path .build-downstream DownstreamExample

## train: build in release and train the default model on Fashion-MNIST
train: build
	@echo "Training arrives with the training loop and data loaders (issues #3 and #4)."
	@echo "Until then: 'make bench' measures the kernels, 'make test' proves them."

## bench: the benchmark executable (GEMM and convolution, BLAS vs naive)
bench: deps
	$(SWIFT) run $(RELEASE) dendrite-bench

clean:
	rm -rf .build .build-downstream
