// Dendrite's bridge to MPI (DendriteDistributed): Open MPI's libmpi is opened at run time
// (dlopen), so that a program linking DendriteDistributed starts — and trains in one process —
// on a machine without MPI, and says what to install when it is asked to run under MPI.
//
// Every function returns 0 on success, an MPI error code, or DD_MPI_NOT_LOADED before a
// successful dd_mpi_load. Buffers are reduced in place (MPI_IN_PLACE).
#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H

#include <stdint.h>

#define DD_MPI_NOT_LOADED (-1)

/// Opens libmpi ($DENDRITE_MPI_LIBRARY only, when set; else libmpi.so.40, else libmpi.so) and resolves the
/// functions and predefined handles Dendrite uses. On failure writes the reason to `message`.
int dd_mpi_load(char *message, int capacity);

/// MPI_Init_thread with MPI_THREAD_FUNNELED (only the main thread calls MPI), errors returned
/// rather than fatal on MPI_COMM_WORLD; then the world's rank and size.
int dd_mpi_init(int *rank, int *size);
int dd_mpi_finalize(void);
/// 1 when MPI_Init has run and MPI_Finalize has not.
int dd_mpi_is_active(void);

/// Σ over ranks, in place, blocking; counts beyond INT_MAX are sent in pieces.
int dd_mpi_allreduce_sum_float(float *buffer, int64_t count);
int dd_mpi_allreduce_sum_double(double *buffer, int64_t count);
/// Σ over ranks, in place, non-blocking: `*request` is waited for with dd_mpi_wait.
int dd_mpi_iallreduce_sum_float(float *buffer, int count, void **request);
int dd_mpi_wait(void **request);
/// Lets MPI progress `*request`; `*done` becomes 1 once it has completed (then *request is NULL).
int dd_mpi_test(void **request, int *done);
/// Rank `root`'s bytes to every rank.
int dd_mpi_broadcast(void *buffer, int64_t bytes, int root);
int dd_mpi_barrier(void);
/// Ends every rank of the job with `code` (MPI_Abort on MPI_COMM_WORLD).
void dd_mpi_abort(int code);
/// MPI's text for an error code.
void dd_mpi_error_string(int code, char *message, int capacity);
/// MPI_Wtime.
double dd_mpi_wtime(void);

#endif
