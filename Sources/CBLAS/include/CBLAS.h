// The one BLAS routine gradlog calls (cblas_dgemm), from a CBLAS library loaded at the first
// matrix product rather than when the process starts (blas_loader.c).
#ifndef GRADLOG_CBLAS_H
#define GRADLOG_CBLAS_H

/// Loads the library once (later calls return the first answer; safe from any thread): NULL
/// when cblas_dgemm is ready, else why not, in words (static storage).
const char *gradlog_blas_load(void);

/// cblas_dgemm in row-major order: C = A (transposed if transpose_a) @ B (likewise), alpha 1,
/// beta 0. Only after gradlog_blas_load() returned NULL.
void gradlog_dgemm(int transpose_a, int transpose_b, int m, int n, int k,
                   const double *a, int lda, const double *b, int ldb, double *c, int ldc);

/// OpenBLAS's name for the kernels it chose (openblas_get_corename), or NULL when the library
/// is not OpenBLAS or is not loaded.
const char *gradlog_blas_corename(void);

#endif
