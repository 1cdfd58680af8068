internal import COpenBLAS

/// Dense symmetric positive (semi)definite linear algebra in Float64 on OpenBLAS's LAPACK.
///
/// Matrices are `n × n`, row-major; because they are symmetric, row- and column-major storage
/// coincide, so LAPACK's column-major routines apply unchanged.
public enum SymmetricMatrix {
    /// A failure reported by LAPACK (`info ≠ 0`).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var routine: String
        public var info: Int
        public var description: String {
            info > 0 && routine == "dpotrf"
                ? "the matrix is not positive definite (dpotrf: leading minor \(info) is not positive)"
                : "\(routine) failed with info = \(info)"
        }
    }

    /// The eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix, by LAPACK's
    /// divide-and-conquer `dsyevd` (Anderson et al., *LAPACK Users' Guide*, 3rd ed., 1999, §2.4.4).
    ///
    /// - Parameters:
    ///   - matrix: `n × n` symmetric, row-major (only its lower triangle in row-major terms is read).
    /// - Returns: `values[j]` ascending and `vectors` `n × n` row-major, row j the unit eigenvector
    ///   of `values[j]` (each eigenvector's sign is LAPACK's; callers needing a convention fix it).
    /// - Guarantees: backward stable; eigenvalues accurate to O(ε‖A‖).
    public static func eigen(_ matrix: [Double], n: Int) throws -> (values: [Double], vectors: [Double]) {
        precondition(matrix.count == n * n, "eigen: \(matrix.count) entries for n = \(n)")
        guard n > 0 else { return ([], []) }
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        var info: Int32 = 0
        var size = Int32(n), lda = Int32(n)
        // Workspace query, then the decomposition.
        var workQuery = 0.0, iworkQuery: Int32 = 0, minusOne: Int32 = -1
        "V".withCString { jobz in
            "U".withCString { uplo in
                salmon_dsyevd(jobz, uplo, &size, &a, &lda, &w, &workQuery, &minusOne, &iworkQuery, &minusOne, &info, 1, 1)
            }
        }
        guard info == 0 else { throw Failure(routine: "dsyevd", info: Int(info)) }
        var lwork = Int32(workQuery), liwork = iworkQuery
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        "V".withCString { jobz in
            "U".withCString { uplo in
                salmon_dsyevd(jobz, uplo, &size, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
            }
        }
        guard info == 0 else { throw Failure(routine: "dsyevd", info: Int(info)) }
        return (w, a)
    }

    /// Solves A x = b for a symmetric positive definite A by Cholesky factorization (`dpotrf`,
    /// `dpotrs`).
    /// - Parameters:
    ///   - matrix: `n × n`, symmetric positive definite.
    ///   - rightHandSides: `r` vectors of length n, stored one after another.
    /// - Returns: the solutions, stored the same way.
    /// - Throws: ``Failure`` when A is not positive definite (numerically).
    public static func choleskySolve(_ matrix: [Double], n: Int, rightHandSides: [Double]) throws -> [Double] {
        precondition(matrix.count == n * n && n > 0 && rightHandSides.count % n == 0, "choleskySolve: sizes")
        var a = matrix, b = rightHandSides
        var size = Int32(n), lda = Int32(n), nrhs = Int32(rightHandSides.count / n), info: Int32 = 0
        "U".withCString { uplo in salmon_dpotrf(uplo, &size, &a, &lda, &info, 1) }
        guard info == 0 else { throw Failure(routine: "dpotrf", info: Int(info)) }
        "U".withCString { uplo in salmon_dpotrs(uplo, &size, &nrhs, a, &lda, &b, &lda, &info, 1) }
        guard info == 0 else { throw Failure(routine: "dpotrs", info: Int(info)) }
        return b
    }

    /// A Cholesky factorization A = UᵀU kept for repeated solves (`dpotrf` once, `dpotrs` per solve).
    public struct Cholesky: Sendable {
        let factor: [Double]
        public let n: Int

        /// Factors a symmetric positive definite `n × n` matrix.
        /// - Throws: ``Failure`` when it is not (numerically) positive definite.
        public init(_ matrix: [Double], n: Int) throws {
            precondition(matrix.count == n * n && n > 0, "Cholesky: \(matrix.count) entries for n = \(n)")
            var a = matrix
            var size = Int32(n), lda = Int32(n), info: Int32 = 0
            "U".withCString { uplo in salmon_dpotrf(uplo, &size, &a, &lda, &info, 1) }
            guard info == 0 else { throw Failure(routine: "dpotrf", info: Int(info)) }
            factor = a
            self.n = n
        }

        /// Overwrites `b` (length n) with A⁻¹ b.
        public func solve(_ b: inout [Double]) {
            precondition(b.count == n, "Cholesky.solve: \(b.count) entries for n = \(n)")
            var size = Int32(n), lda = Int32(n), nrhs: Int32 = 1, info: Int32 = 0
            "U".withCString { uplo in salmon_dpotrs(uplo, &size, &nrhs, factor, &lda, &b, &lda, &info, 1) }
        }
    }

    /// The centered cross-product matrix Σ_i (x_i − x̄)(x_i − x̄)ᵀ of a `rows × columns` matrix
    /// and its column means, the cross-product by single-precision GEMM on centered rows
    /// (accumulated in Float32: relative error of order √rows · 6e-8), returned in Float64.
    public static func centeredCrossProduct(_ x: Tensor) -> (matrix: [Double], means: [Double]) {
        precondition(x.rank == 2, "centeredCrossProduct needs a matrix")
        let n = x.shape[0], d = x.shape[1]
        var means = [Double](repeating: 0, count: d)
        x.scalars.withUnsafeBufferPointer { p in
            for i in 0..<n { for j in 0..<d { means[j] += Double(p[i * d + j]) } }
        }
        if n > 0 { for j in 0..<d { means[j] /= Double(n) } }
        var centered = x
        centered.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<n { for j in 0..<d { p[i * d + j] = Float(Double(p[i * d + j]) - means[j]) } }
        }
        let product = BLAS.matmul(centered, centered, transposeA: true)
        var matrix = product.scalars.map(Double.init)
        // Symmetrize exactly (GEMM's two triangles can differ in the last bit).
        for i in 0..<d { for j in 0..<i { let v = 0.5 * (matrix[i * d + j] + matrix[j * d + i]); matrix[i * d + j] = v; matrix[j * d + i] = v } }
        return (matrix, means)
    }
}
