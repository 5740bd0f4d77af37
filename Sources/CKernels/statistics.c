// TensorStatistics' four-lane loop with AVX2 (CKernels.h). The Swift loop, compiled for SSE2,
// spends about 9 instructions an element (two-operand forms copy registers, and the five
// accumulators fill the sixteen registers); here three-operand 256-bit instructions take 3.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2")))
static long lanes_avx2(const double *x, long n, gradlog_statistics_lanes *lanes) {
    __m256d sum = _mm256_loadu_pd(lanes->sum), squares = _mm256_loadu_pd(lanes->squares);
    __m256d low = _mm256_loadu_pd(lanes->low), high = _mm256_loadu_pd(lanes->high);
    __m256i zeros = _mm256_loadu_si256((const __m256i *)lanes->zeros);
    const __m256d zero = _mm256_setzero_pd();
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d v = _mm256_loadu_pd(x + i);
        sum = _mm256_add_pd(sum, v);
        squares = _mm256_add_pd(squares, _mm256_mul_pd(v, v));  // rounded twice, as in Swift
        low = _mm256_min_pd(v, low);     // v < low ? v : low
        high = _mm256_max_pd(v, high);   // v > high ? v : high
        // A lane equal to 0 compares to all ones, -1 as an integer.
        zeros = _mm256_sub_epi64(zeros, _mm256_castpd_si256(_mm256_cmp_pd(v, zero, _CMP_EQ_OQ)));
    }
    _mm256_storeu_pd(lanes->sum, sum);
    _mm256_storeu_pd(lanes->squares, squares);
    _mm256_storeu_pd(lanes->low, low);
    _mm256_storeu_pd(lanes->high, high);
    _mm256_storeu_si256((__m256i *)lanes->zeros, zeros);
    return i;
}

long gradlog_statistics_lanes_avx2(const double *x, long n, gradlog_statistics_lanes *lanes) {
    static int available = -1;  // first calls may race; they all store the same answer
    int known = __atomic_load_n(&available, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&available, known, __ATOMIC_RELAXED);
    }
    return known ? lanes_avx2(x, n, lanes) : 0;
}

#else  // not x86-64: the Swift loop does the work

long gradlog_statistics_lanes_avx2(const double *x, long n, gradlog_statistics_lanes *lanes) {
    (void)x, (void)n, (void)lanes;
    return 0;
}

#endif
