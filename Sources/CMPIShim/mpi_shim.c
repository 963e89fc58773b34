// Open MPI through dlopen: see include/CMPIShim.h. The handle types and predefined objects are
// Open MPI's ABI (libmpi.so.40, Open MPI 3.x–5.x): a communicator, datatype, operation, error
// handler or request is a pointer, and MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, … are the addresses of
// the exported objects ompi_mpi_comm_world, ompi_mpi_float, ompi_mpi_op_sum, … (mpi.h's
// OMPI_PREDEFINED_GLOBAL); MPI_IN_PLACE is (void *)1 and MPI_STATUS_IGNORE a null pointer.
#include "CMPIShim.h"
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *Handle;
#define IN_PLACE ((void *)1)
#define THREAD_FUNNELED 1

static struct {
    int loaded, active;
    Handle world, float_type, double_type, byte_type, sum, errors_return;
    int (*init_thread)(int *, char ***, int, int *);
    int (*finalize)(void);
    int (*initialized)(int *);
    int (*finalized)(int *);
    int (*comm_rank)(Handle, int *);
    int (*comm_size)(Handle, int *);
    int (*comm_set_errhandler)(Handle, Handle);
    int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
    int (*iallreduce)(const void *, void *, int, Handle, Handle, Handle, Handle *);
    int (*wait)(Handle *, void *);
    int (*test)(Handle *, int *, void *);
    int (*bcast)(void *, int, Handle, int, Handle);
    int (*barrier)(Handle);
    int (*abort)(Handle, int);
    int (*error_string)(int, char *, int *);
    double (*wtime)(void);
} mpi;

static int resolve(void *library, const char *name, void **slot, char *message, int capacity) {
    *slot = dlsym(library, name);
    if (*slot == NULL) snprintf(message, (size_t)capacity, "%s has no symbol %s (not Open MPI's libmpi?)", "libmpi", name);
    return *slot != NULL;
}

int dd_mpi_load(char *message, int capacity) {
    if (mpi.loaded) return 0;
    // $DENDRITE_MPI_LIBRARY, when set, is the only library tried.
    const char *override = getenv("DENDRITE_MPI_LIBRARY");
    const char *names[] = {override ? override : "libmpi.so.40", override ? NULL : "libmpi.so"};
    void *library = NULL;
    for (int i = 0; i < 2 && library == NULL; i++) {
        if (names[i] != NULL) library = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);   // GLOBAL: Open MPI's plugins link back
    }
    if (library == NULL) {
        snprintf(message, (size_t)capacity, "cannot open Open MPI's libmpi.so.40 (%s); install it with "
                 "`apt-get install openmpi-bin libopenmpi-dev` (or `make deps`), or set DENDRITE_MPI_LIBRARY", dlerror());
        return DD_MPI_NOT_LOADED;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"ompi_mpi_comm_world", &mpi.world}, {"ompi_mpi_float", &mpi.float_type}, {"ompi_mpi_double", &mpi.double_type},
        {"ompi_mpi_byte", &mpi.byte_type}, {"ompi_mpi_op_sum", &mpi.sum}, {"ompi_mpi_errors_return", &mpi.errors_return},
        {"MPI_Init_thread", (void **)&mpi.init_thread}, {"MPI_Finalize", (void **)&mpi.finalize},
        {"MPI_Initialized", (void **)&mpi.initialized}, {"MPI_Finalized", (void **)&mpi.finalized},
        {"MPI_Comm_rank", (void **)&mpi.comm_rank}, {"MPI_Comm_size", (void **)&mpi.comm_size},
        {"MPI_Comm_set_errhandler", (void **)&mpi.comm_set_errhandler}, {"MPI_Allreduce", (void **)&mpi.allreduce},
        {"MPI_Iallreduce", (void **)&mpi.iallreduce}, {"MPI_Wait", (void **)&mpi.wait}, {"MPI_Test", (void **)&mpi.test}, {"MPI_Bcast", (void **)&mpi.bcast},
        {"MPI_Barrier", (void **)&mpi.barrier}, {"MPI_Abort", (void **)&mpi.abort},
        {"MPI_Error_string", (void **)&mpi.error_string}, {"MPI_Wtime", (void **)&mpi.wtime},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (!resolve(library, symbols[i].name, symbols[i].slot, message, capacity)) { dlclose(library); return DD_MPI_NOT_LOADED; }
    }
    mpi.loaded = 1;
    return 0;
}

int dd_mpi_init(int *rank, int *size) {
    if (!mpi.loaded) return DD_MPI_NOT_LOADED;
    int done = 0, status = mpi.initialized(&done);
    if (status == 0 && !done) {
        int provided = 0;
        status = mpi.init_thread(NULL, NULL, THREAD_FUNNELED, &provided);
    }
    if (status == 0) status = mpi.comm_set_errhandler(mpi.world, mpi.errors_return);
    if (status == 0) status = mpi.comm_rank(mpi.world, rank);
    if (status == 0) status = mpi.comm_size(mpi.world, size);
    if (status == 0) mpi.active = 1;
    return status;
}

int dd_mpi_finalize(void) {
    if (!mpi.active) return 0;
    mpi.active = 0;
    return mpi.finalize();
}

int dd_mpi_is_active(void) { return mpi.active; }

static int allreduce_pieces(void *buffer, int64_t count, size_t element, Handle type) {
    if (!mpi.active) return DD_MPI_NOT_LOADED;
    char *bytes = buffer;
    for (int64_t start = 0; start < count; start += INT_MAX) {   // every rank passes the same count
        const int64_t left = count - start;
        const int status = mpi.allreduce(IN_PLACE, bytes + (size_t)start * element, left > INT_MAX ? INT_MAX : (int)left,
                                         type, mpi.sum, mpi.world);
        if (status != 0) return status;
    }
    return 0;
}

int dd_mpi_allreduce_sum_float(float *buffer, int64_t count) { return allreduce_pieces(buffer, count, sizeof(float), mpi.float_type); }
int dd_mpi_allreduce_sum_double(double *buffer, int64_t count) { return allreduce_pieces(buffer, count, sizeof(double), mpi.double_type); }

int dd_mpi_iallreduce_sum_float(float *buffer, int count, void **request) {
    if (!mpi.active) return DD_MPI_NOT_LOADED;
    return mpi.iallreduce(IN_PLACE, buffer, count, mpi.float_type, mpi.sum, mpi.world, request);
}

int dd_mpi_wait(void **request) {
    if (!mpi.active) return DD_MPI_NOT_LOADED;
    return mpi.wait(request, NULL);
}

int dd_mpi_test(void **request, int *done) {
    if (!mpi.active) return DD_MPI_NOT_LOADED;
    return mpi.test(request, done, NULL);
}

int dd_mpi_broadcast(void *buffer, int64_t bytes, int root) {
    if (!mpi.active) return DD_MPI_NOT_LOADED;
    char *data = buffer;
    for (int64_t start = 0; start < bytes; start += INT_MAX) {
        const int64_t left = bytes - start;
        const int status = mpi.bcast(data + start, left > INT_MAX ? INT_MAX : (int)left, mpi.byte_type, root, mpi.world);
        if (status != 0) return status;
    }
    return 0;
}

int dd_mpi_barrier(void) { return mpi.active ? mpi.barrier(mpi.world) : DD_MPI_NOT_LOADED; }

void dd_mpi_abort(int code) {
    if (mpi.active) mpi.abort(mpi.world, code);
    exit(code);
}

void dd_mpi_error_string(int code, char *message, int capacity) {
    if (code == DD_MPI_NOT_LOADED || !mpi.loaded || capacity < 256) {
        snprintf(message, (size_t)capacity, code == DD_MPI_NOT_LOADED ? "MPI is not initialized" : "MPI error %d", code);
        return;
    }
    char text[1024];   // ≥ Open MPI's MPI_MAX_ERROR_STRING (256)
    int length = 0;
    if (mpi.error_string(code, text, &length) == 0) snprintf(message, (size_t)capacity, "%.*s", length, text);
    else snprintf(message, (size_t)capacity, "MPI error %d", code);
}

double dd_mpi_wtime(void) { return mpi.loaded ? mpi.wtime() : 0; }
