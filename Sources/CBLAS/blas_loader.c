// Loads the CBLAS library with dlopen at the first matrix product. Linked at build time,
// OpenBLAS made every gradlog process pay for it at start, tensors or not: the dynamic loader
// resolved its ~14,000 relocations and OpenBLAS started its worker threads, about 6 ms of
// `gradlog --version`'s 20 ms (and of `gradlog runs`' 30) on 2 cores. A scalar log never
// loads it now, and a missing library is a message at the first matrix product instead of a
// process that cannot start.
#include "CBLAS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// CBLAS's enums (cblas.h): row-major order, no transpose, transpose.
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*dgemm_fn)(int order, int transa, int transb, int m, int n, int k, double alpha,
                         const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc);
typedef char *(*corename_fn)(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static dgemm_fn dgemm;
static corename_fn corename;
static const char *library;
static char problem[1024];

static void load(void) {
    const char *chosen = getenv("GRADLOG_BLAS");
    library = chosen && *chosen ? chosen : "libopenblas.so.0";
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(problem, sizeof problem, "cannot load the BLAS library %s (%s)%s", library, why ? why : "unknown error",
                 chosen && *chosen ? "; GRADLOG_BLAS names it" : "; install OpenBLAS (Debian: apt install libopenblas0) or name a CBLAS library in GRADLOG_BLAS");
        return;
    }
    dgemm = (dgemm_fn)dlsym(handle, "cblas_dgemm");
    if (!dgemm) {
        snprintf(problem, sizeof problem, "the BLAS library %s has no cblas_dgemm", library);
        return;
    }
    corename = (corename_fn)dlsym(handle, "openblas_get_corename");
}

const char *gradlog_blas_load(void) {
    pthread_once(&once, load);
    return dgemm ? NULL : problem;
}

void gradlog_dgemm(int transpose_a, int transpose_b, int m, int n, int k,
                   const double *a, int lda, const double *b, int ldb, double *c, int ldc) {
    dgemm(ROW_MAJOR, transpose_a ? TRANS : NO_TRANS, transpose_b ? TRANS : NO_TRANS, m, n, k,
          1.0, a, lda, b, ldb, 0.0, c, ldc);
}

const char *gradlog_blas_corename(void) {
    pthread_once(&once, load);
    return dgemm && corename ? corename() : NULL;
}
