# Dendrite — the commands. `make train` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
RELEASE := -c release

.PHONY: deps build test test-deps test-downstream test-sanitize fuzz train bench bench-peers bench-distributed fixtures torch-venv \
        onnx-proto docs clean

## deps: install the missing Debian packages (OpenBLAS, LAPACKE, zlib, Fashion-MNIST, Open MPI)
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

## test-deps: Python's safetensors, onnx and onnxruntime packages, for the tests that read Dendrite's files from Python
## (skipped with a message where they cannot be installed)
test-deps:
	@python3 -c "import safetensors, numpy" 2>/dev/null || python3 -m pip install -q safetensors numpy 2>/dev/null \
	    || echo "note: python3 safetensors is not installable here; the Python round-trip test will be skipped"
	@python3 -c "import onnx, onnxruntime" 2>/dev/null || python3 -m pip install -q onnx onnxruntime 2>/dev/null \
	    || echo "note: onnx/onnxruntime are not installable here; the ONNX Runtime export tests will be skipped"

## test-downstream: builds and runs Tests/Downstream (the README example and the docs snippets, compiled against
## Dendrite; manifest caching off, or incremental builds can miss files added to Dendrite)
test-downstream:
	$(SWIFT) run --package-path Tests/Downstream --scratch-path .build-downstream --disable-build-manifest-caching DownstreamExample

## test-sanitize: every test under AddressSanitizer, then LeakSanitizer over real CLI workloads (scripts/leak-check.sh),
## then the concurrency tests under ThreadSanitizer (OpenBLAS single-threaded, so only Dendrite's own threads are
## checked); each sanitizer in its own build folder
TSAN_SUITES := TrainingLoopTests TensorBufferTests VectorizedKernelTests ParameterArenaTests GEMMTests
test-sanitize: deps test-deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan
	bash scripts/leak-check.sh .build-asan/debug
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	for suite in $(TSAN_SUITES); do \
	    OPENBLAS_NUM_THREADS=1 .build-tsan/debug/DendritePackageTests.xctest DendriteTests.$$suite || exit 1; \
	done

## fuzz: every libFuzzer target (Fuzz/DendriteFuzz) for FUZZ_SECONDS each, from the committed seeds
## in Fuzz/corpus/<target>; new inputs go to .build-fuzz/corpus/<target>, crashes to .build-fuzz/
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := idx safetensors csv spec history optimizer model onnx
fuzz: deps
	$(SWIFT) build --product DendriteFuzz --scratch-path .build-fuzz \
	    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING
	for target in $(FUZZ_TARGETS); do \
	    mkdir -p .build-fuzz/corpus/$$target .build-fuzz/artifacts/$$target; \
	    DENDRITE_FUZZ_TARGET=$$target ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no .build-fuzz/debug/DendriteFuzz \
	        -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -timeout=10 -print_final_stats=1 \
	        -artifact_prefix=.build-fuzz/artifacts/$$target/ .build-fuzz/corpus/$$target Fuzz/corpus/$$target || exit 1; \
	done

RUN ?= runs/fashion-mlp

## train: build in release and train the course's Keras MNIST network on Fashion-MNIST
train: build
	.build/release/dendrite train --model mlp --epochs 5 --batch-size 128 --optimizer rmsprop --lr 0.001 \
	    --schedule cosine --out $(RUN)
	@echo "Open $(RUN)/curves.svg in a browser; evaluate with: .build/release/dendrite evaluate --checkpoint $(RUN)"

## bench: the benchmark executable (GEMM, convolution and training steps)
bench: deps
	$(SWIFT) run $(RELEASE) dendrite-bench

TORCH_VENV ?= .venv-torch

## torch-venv: a local Python environment with torch, torchvision and safetensors (created on first use)
torch-venv:
	@test -x $(TORCH_VENV)/bin/python || (python3 -m venv $(TORCH_VENV) \
	    && $(TORCH_VENV)/bin/pip install -q torch torchvision safetensors numpy)

## bench-peers: the end-to-end workloads against PyTorch (Benchmarks/pytorch_twin.py), same thread count,
## interleaved round by round; prints the ratio table and redraws Docs/charts/training.svg. QUICK=1 for --quick.
bench-peers: deps torch-venv
	$(SWIFT) run $(RELEASE) dendrite-bench --filter training --threads $$(nproc) --pytorch $(TORCH_VENV)/bin/python \
	    --charts Docs/charts $(if $(QUICK),--quick,)

## bench-distributed: data-parallel throughput (1 rank × 1 and 2 threads, 2 ranks × 1 thread) for the MLP and
## the cnn preset, the arena allreduce against a raw MPI_Allreduce, and PyTorch DDP (gloo) on the same models
MPIRUN := mpirun --allow-run-as-root --oversubscribe --bind-to none
bench-distributed: deps torch-venv
	$(SWIFT) build $(RELEASE) --product dendrite-mpi-bench
	for model in mlp cnn; do \
	    .build/release/dendrite-mpi-bench train --model $$model --threads 1; \
	    .build/release/dendrite-mpi-bench train --model $$model --threads 2; \
	    $(MPIRUN) -np 2 .build/release/dendrite-mpi-bench train --model $$model --threads 1; \
	    $(MPIRUN) -np 2 .build/release/dendrite-mpi-bench allreduce --model $$model; \
	    $(TORCH_VENV)/bin/python Benchmarks/pytorch_ddp.py --model $$model --processes 1 --threads 1; \
	    $(TORCH_VENV)/bin/python Benchmarks/pytorch_ddp.py --model $$model --processes 2 --threads 1; \
	done

## fixtures: regenerate the PyTorch parity fixtures under Tests/DendriteTests/Fixtures/data
fixtures: torch-venv
	$(TORCH_VENV)/bin/python Tests/DendriteTests/Fixtures/make_fixtures.py
	$(TORCH_VENV)/bin/python Tests/DendriteTests/Fixtures/make_safetensors_fixture.py
	$(TORCH_VENV)/bin/python Tests/DendriteTests/Fixtures/make_model_fixtures.py
	$(TORCH_VENV)/bin/python Tests/DendriteTests/Fixtures/make_module_fixtures.py
	$(TORCH_VENV)/bin/python Tests/DendriteTests/Fixtures/make_recurrent_fixtures.py
	$(TORCH_VENV)/bin/python Tests/DendriteTests/Fixtures/make_pruning_fixtures.py
	$(TORCH_VENV)/bin/python -c "import sklearn" 2>/dev/null || $(TORCH_VENV)/bin/pip install -q scikit-learn
	$(TORCH_VENV)/bin/python Tests/DendriteTests/Fixtures/make_sklearn_fixtures.py
	$(TORCH_VENV)/bin/python -c "import captum" 2>/dev/null || $(TORCH_VENV)/bin/pip install -q captum
	$(TORCH_VENV)/bin/python Tests/DendriteTests/Fixtures/make_attribution_fixtures.py

## docs: the API reference of Dendrite, DendriteONNX and DendriteDistributed with the guides in Docs/ as articles
## (scripts/docs_articles.py), as a DocC archive and static site in docs-site/ (swift-docc-plugin); any DocC
## warning fails the build
DOCS_SITE ?= docs-site
docs: deps
	python3 scripts/docs_articles.py Docs Sources/Dendrite/Dendrite.docc/Articles
	mkdir -p $(DOCS_SITE)
	$(SWIFT) package --allow-writing-to-directory $(DOCS_SITE) generate-documentation \
	    --target Dendrite --target DendriteONNX --target DendriteDistributed --enable-experimental-combined-documentation \
	    --disable-indexing --transform-for-static-hosting --output-path $(DOCS_SITE) --warnings-as-errors
	@echo "Site: $(DOCS_SITE)/ — serve it with: python3 -m http.server --directory $(DOCS_SITE) 8000"
	@echo "then open http://localhost:8000/documentation/dendrite/"

## onnx-proto: regenerate Sources/DendriteONNX/Generated/onnx_subset.pb.swift from Proto/onnx_subset.proto with protoc and
## swift-protobuf's protoc-gen-swift (built from the resolved checkout); the generated file is committed, nothing is
## generated at build time
onnx-proto:
	@command -v protoc >/dev/null || (apt-get install -y -qq protobuf-compiler || sudo apt-get install -y -qq protobuf-compiler)
	$(SWIFT) package resolve
	$(SWIFT) build -c release --package-path .build/checkouts/swift-protobuf --scratch-path .build-protoc --product protoc-gen-swift
	protoc --plugin=protoc-gen-swift=.build-protoc/release/protoc-gen-swift --swift_opt=Visibility=Internal \
	    --swift_out=Sources/DendriteONNX/Generated -I Sources/DendriteONNX/Proto Sources/DendriteONNX/Proto/onnx_subset.proto

clean:
	rm -rf .build .build-downstream .build-asan .build-tsan .build-protoc docs-site Sources/Dendrite/Dendrite.docc/Articles
