#ifndef DENDRITE_CZLIB_SHIM_H
#define DENDRITE_CZLIB_SHIM_H
// If this include fails: sudo apt-get install zlib1g-dev
#include <zlib.h>
#endif
