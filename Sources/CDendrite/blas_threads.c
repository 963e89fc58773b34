// OpenBLAS worker threads: how long they spin between calls. See TensorStorage.swift.
#include "CDendrite.h"
#include <stdlib.h>

// Exported by Debian's pthread OpenBLAS (its fork handler uses them); weak, so that a build
// without them (the OpenMP or serial variants) still links and simply keeps its defaults.
extern void openblas_read_env(void) __attribute__((weak));
extern int blas_thread_shutdown_(void) __attribute__((weak));
extern int blas_thread_init(void) __attribute__((weak));

int dd_tune_blas_threads(int timeout_exponent) {
    if (getenv("OPENBLAS_THREAD_TIMEOUT") != NULL) return 0;   // the user's setting wins
    if (openblas_read_env == NULL || blas_thread_shutdown_ == NULL || blas_thread_init == NULL) return 0;
    char value[4] = {(char)('0' + timeout_exponent / 10), (char)('0' + timeout_exponent % 10), 0, 0};
    // OpenBLAS reads the timeout when it starts its threads: set it, let OpenBLAS read it, take
    // it out of the environment again (child processes keep theirs), and restart the threads.
    setenv("OPENBLAS_THREAD_TIMEOUT", value, 1);
    openblas_read_env();
    unsetenv("OPENBLAS_THREAD_TIMEOUT");
    blas_thread_shutdown_();
    blas_thread_init();
    return 1;
}
