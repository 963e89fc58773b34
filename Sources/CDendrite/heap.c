// Heap tuning for tensor buffers: see TensorStorage.swift.
#include "CDendrite.h"
#include <malloc.h>

void dd_tune_heap(void) {
    // Serve large blocks from the heap and keep freed memory for reuse: tensors of the same
    // sizes are freed and allocated again every training step.
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
