#ifndef DENDRITE_COPENBLAS_SHIM_H
#define DENDRITE_COPENBLAS_SHIM_H

// If this include fails, install the system packages:
//   sudo apt-get install libopenblas-dev liblapacke-dev
#include <cblas.h>
#include <lapacke.h>

#endif
