import Foundation
internal import COpenBLAS

/// Matrix products on OpenBLAS (single precision).
///
/// Only `SalmonNetworks` imports OpenBLAS's CBLAS, with `internal import`: GSL's `gsl_cblas.h`
/// declares the same enums differently, so the two C modules must never meet in one Swift module.
public enum BLAS {
    /// C ← α · op(A) · op(B) + β · C for row-major matrices, where op(X) is X or Xᵀ.
    ///
    /// - Parameters:
    ///   - a: `m × k` after `transposeA` (stored `k × m` when transposed); likewise `b` is `k × n`.
    ///   - c: `m × n`, accumulated into when `beta` ≠ 0.
    /// - Parameters:
    ///   - lda, ldb, ldc: row strides of the stored matrices (default: packed), so that a block of a
    ///     larger matrix — one head's queries inside the fused q|k|v projection — is used in place.
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil, b: UnsafePointer<Float>,
                            ldb: Int? = nil, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        guard m > 0, n > 0 else { return }
        let ldc = ldc ?? n
        if k == 0 {
            // β = 0 overwrites C without reading it, as sgemm does (C may be uninitialized).
            if beta == 0 {
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] = 0 } }
            } else if beta != 1 {
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
            }
            return
        }
        let noTrans = Int32(SALMON_CBLAS_NO_TRANS), trans = Int32(SALMON_CBLAS_TRANS)
        salmon_cblas_sgemm(Int32(SALMON_CBLAS_ROW_MAJOR), transposeA ? trans : noTrans, transposeB ? trans : noTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda ?? (transposeA ? m : k)), b, Int32(ldb ?? (transposeB ? k : n)), beta, c, Int32(ldc))
    }

    /// y ← α · op(A) · x + β · y for a row-major `rows × columns` matrix A (op(A) = Aᵀ when
    /// `transpose`), with row stride `lda` (default `columns`).
    public static func gemv(transpose: Bool = false, rows: Int, columns: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int? = nil, x: UnsafePointer<Float>, beta: Float = 0,
                            y: UnsafeMutablePointer<Float>) {
        guard rows > 0, columns > 0 else {
            let outputs = transpose ? columns : rows
            for i in 0..<outputs { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        salmon_cblas_sgemv(Int32(SALMON_CBLAS_ROW_MAJOR), Int32(transpose ? SALMON_CBLAS_TRANS : SALMON_CBLAS_NO_TRANS),
                           Int32(rows), Int32(columns), alpha, a, Int32(lda ?? columns), x, 1, beta, y, 1)
    }

    /// The product of two matrices, `op(a) · op(b)`.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs matrices")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == kb, "matmul: inner dimensions \(k) and \(kb) differ")
        // sgemm with β = 0 overwrites C, so the output needs no zero fill (k = 0 is filled by gemm).
        let c = [Float](unsafeUninitializedCapacity: m * n) { pc, initialized in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    if let ra = pa.baseAddress, let rb = pb.baseAddress, let rc = pc.baseAddress {
                        if k == 0 { rc.initialize(repeating: 0, count: m * n) }
                        gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: ra, b: rb, c: rc)
                    } else if let rc = pc.baseAddress {
                        rc.initialize(repeating: 0, count: m * n)
                    }
                }
            }
            initialized = m * n
        }
        return Tensor(shape: [m, n], scalars: c)
    }

    /// Sets the number of threads OpenBLAS uses (process-wide). The audit runner sets 1 while its
    /// own workers run in parallel, so that cores are not oversubscribed.
    public static func setThreadCount(_ count: Int) {
        salmon_openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS uses.
    public static var threadCount: Int { Int(salmon_openblas_get_num_threads()) }

    /// Runs with OpenBLAS single-threaded — for work that must give the same bits whatever else
    /// runs (OpenBLAS's results can depend on its thread count) and that is parallel at a higher
    /// level. Scopes nest and overlap across threads: the first to enter sets one thread, the last
    /// to leave restores the previous count, so one scope ending never changes BLAS under another.
    public static func enterSingleThreaded() { SingleThreadScope.shared.enter() }

    /// Leaves a scope entered by ``enterSingleThreaded()``.
    public static func leaveSingleThreaded() { SingleThreadScope.shared.leave() }

    /// The shared library that provides `cblas_sgemm` at run time (to check that it is OpenBLAS
    /// and not GSL's reference CBLAS, which also exports the symbol).
    public static var sgemmLibrary: String? {
        salmon_sgemm_library().map { String(cString: $0) }
    }
}

/// The process-wide count of single-threaded BLAS scopes.
final class SingleThreadScope: @unchecked Sendable {
    static let shared = SingleThreadScope()
    private let lock = NSLock()
    private var depth = 0
    private var saved = 1

    func enter() {
        lock.lock(); defer { lock.unlock() }
        if depth == 0 {
            saved = BLAS.threadCount
            BLAS.setThreadCount(1)
        }
        depth += 1
    }

    func leave() {
        lock.lock(); defer { lock.unlock() }
        precondition(depth > 0, "BLAS.leaveSingleThreaded() without a matching enter")
        depth -= 1
        if depth == 0 { BLAS.setThreadCount(saved) }
    }
}
