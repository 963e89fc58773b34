#!/usr/bin/env bash
# LeakSanitizer over real workloads: the AddressSanitizer build of `dendrite` (and CharLSTM) runs
# training, resuming, evaluation, prediction, export, compression, the estimators and federated
# averaging with detect_leaks=1, so any memory Dendrite allocates and never frees fails the run.
# (The XCTest suite itself runs with detect_leaks=0: XCTest keeps its test-case objects and
# Foundation's Process its weak references until exit, which LeakSanitizer reports as leaks.)
# Usage: scripts/leak-check.sh BUILD_DIR   (e.g. .build-asan/debug)
set -euo pipefail
bin="$(cd "$1" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=exitcode=23 SWIFT_BACKTRACE=enable=no
runs=0
run() {
    local name="$1"; shift
    if ! "$@" > "$work/$name.log" 2>&1; then
        echo "leak-check: '$name' failed (LeakSanitizer exits with 23):" >&2
        tail -40 "$work/$name.log" >&2
        exit 1
    fi
    runs=$((runs + 1))
}
common=(--limit 400 --batch-size 32 --seed 1 --quiet)
if [ -d /usr/share/datasets/fashion-mnist ]; then
    run train-mlp "$bin/dendrite" train --model "flatten,dense:32,relu,dropout:0.2,dense:10" --epochs 1 --out "$work/mlp" "${common[@]}"
    run resume "$bin/dendrite" train --model "flatten,dense:32,relu,dropout:0.2,dense:10" --epochs 2 --resume "$work/mlp" "${common[@]}"
    run train-cnn "$bin/dendrite" train --model cnn --epochs 1 --optimizer adam --schedule cosine --out "$work/cnn" "${common[@]}"
    run evaluate "$bin/dendrite" evaluate --checkpoint "$work/cnn" --limit 100
    run predict "$bin/dendrite" predict --checkpoint "$work/cnn" --index 3
    run export-run "$bin/dendrite" export --checkpoint "$work/cnn" --onnx "$work/cnn.onnx"
    run compress "$bin/dendrite" compress --checkpoint "$work/mlp" --out "$work/small" --prune 0.5 --finetune-epochs 1 --quantize dynamic
    run federated "$bin/dendrite" federated --limit 300 --clients 4 --rounds 2 --out "$work/federated"
fi
run export-zoo "$bin/dendrite" export --model resnet18 --input 3x32x32 --onnx "$work/resnet18.onnx"
run summary "$bin/dendrite" summary "lstm:16,last,dense:10" --input 1x28x28
run tabular "$bin/dendrite" tabular --csv "$root/Datasets/iris.csv" --target target --estimator mlp-classifier --standardize \
    --param solver=adam --param max_iter=5 --param random_state=0 --out "$work/tabular"
run tabular-logistic "$bin/dendrite" tabular --csv "$root/Datasets/wine.csv" --target target --estimator logistic --standardize \
    --out "$work/logistic"
echo "leak-check: $runs workloads under LeakSanitizer, no leaks"
