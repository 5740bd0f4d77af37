// Loops that gain from instructions the Swift build does not assume (it targets baseline x86-64,
// SSE2), run where the CPU has them: chosen at run time, with the same arithmetic in the same
// order as the Swift loops they stand in for, so results do not depend on the machine.
#ifndef GRADLOG_CKERNELS_H
#define GRADLOG_CKERNELS_H

#include <stdint.h>

/// Four lanes of a tensor's running statistics: element i goes to lane i % 4.
typedef struct {
    double sum[4];
    double squares[4];
    double low[4];
    double high[4];
    int64_t zeros[4];
} gradlog_statistics_lanes;

/// Adds the first 4 * floor(n / 4) elements of x to `lanes` (which the caller initialised: sums
/// 0, low +inf, high -inf, zeros 0), lane by lane as TensorStatistics does (sum += v; squares +=
/// v * v, not fused; low = v < low ? v : low; high = v > high ? v : high; zeros counted), with
/// AVX2; returns how many elements it took, or 0 without AVX2 (then the caller's loop runs).
long gradlog_statistics_lanes_avx2(const double *x, long n, gradlog_statistics_lanes *lanes);

#endif
