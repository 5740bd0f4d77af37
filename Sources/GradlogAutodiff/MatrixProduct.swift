import CBLAS

/// `C = A @ B` through BLAS (`cblas_dgemm`, loaded at the first product: `BLASKernels.problem`), with NumPy's rules for 1-D operands: a 1-D A is a
/// row [1, k] and a 1-D B a column [k, 1], and that axis is dropped from C.
///
/// Backward: `dA = dC @ transpose(B)`, `dB = transpose(A) @ dC`, each one dgemm with the
/// transpose passed as a flag (no transposed copy).
enum MatrixProduct {
    /// (m, k, n) for A [m, k] @ B [k, n].
    private static func dimensions(_ sa: Shape, _ sb: Shape) -> (Int, Int, Int) {
        let m = sa.rank == 2 ? sa.dims[0] : 1
        let k = sa.dims.last!
        let n = sb.rank == 2 ? sb.dims[1] : 1
        return (m, k, n)
    }

    static func forward(
        _ a: UnsafeBufferPointer<Double>, _ sa: Shape, _ b: UnsafeBufferPointer<Double>, _ sb: Shape,
        _ c: UnsafeMutableBufferPointer<Double>
    ) {
        let (m, k, n) = dimensions(sa, sb)
        gradlog_dgemm(0, 0, blasInt(m), blasInt(n), blasInt(k), a.baseAddress, blasInt(k), b.baseAddress, blasInt(n), c.baseAddress, blasInt(n))
    }

    static func backward(
        _ g: UnsafeBufferPointer<Double>,
        _ a: UnsafeBufferPointer<Double>, _ sa: Shape, _ b: UnsafeBufferPointer<Double>, _ sb: Shape,
        dx: UnsafeMutableBufferPointer<Double>?, dy: UnsafeMutableBufferPointer<Double>?
    ) {
        let (m, k, n) = dimensions(sa, sb)
        if let dx {  // [m, k] = G [m, n] @ B^T ([k, n] transposed)
            gradlog_dgemm(0, 1, blasInt(m), blasInt(k), blasInt(n), g.baseAddress, blasInt(n), b.baseAddress, blasInt(n), dx.baseAddress, blasInt(k))
        }
        if let dy {  // [k, n] = A^T ([m, k] transposed) @ G [m, n]
            gradlog_dgemm(1, 0, blasInt(k), blasInt(n), blasInt(m), a.baseAddress, blasInt(k), g.baseAddress, blasInt(n), dy.baseAddress, blasInt(n))
        }
    }

    /// BLAS takes 32-bit sizes; `Shape.maximumCount` keeps every dimension within them.
    private static func blasInt(_ n: Int) -> Int32 { Int32(n) }
}
