// Per-thread state of the Swift layer: how deep the current thread is inside noGrad scopes.
#include "CDendrite.h"

static _Thread_local int gradient_disabled_depth = 0;

int dd_gradient_disabled_depth(void) { return gradient_disabled_depth; }

void dd_set_gradient_disabled_depth(int depth) { gradient_disabled_depth = depth; }
