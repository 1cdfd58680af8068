import SalmonAudit
import SalmonNetworks
import SalmonStatistics
import Testing

/// `gaussian-activations` draws rows with the source's mean and sample covariance, exactly what a
/// constant unit keeps constant, and is a function of its stream.
@Suite struct ActivationLevelNullTests {
    /// 400 source rows: u ~ N(1, 1), v = 2u + N(0, 0.5²) (correlation ≈ 0.97), a constant 5.
    static func source() -> Tensor {
        var s = RandomStream(seed: 21, path: ["source"])
        var values: [Float] = []
        for _ in 0..<400 {
            let u = 1 + s.gaussian()
            values += [Float(u), Float(2 * u + 0.5 * s.gaussian()), 5]
        }
        return Tensor(shape: [400, 3], scalars: values)
    }

    static func moments(_ x: Tensor) -> (mean: [Double], covariance: [Double]) {
        let n = x.shape[0]
        let (cross, mean) = SymmetricMatrix.centeredCrossProduct(x)
        return (mean, cross.map { $0 / Double(n - 1) })
    }

    @Test func drawsMatchTheSourceMomentsWithinSamplingError() throws {
        let x = Self.source()
        let m = 40_000
        let drawn = try ActivationLevelNull.gaussianDraw(like: x, rows: m, stream: RandomStream(seed: 3))
        #expect(drawn.shape == [m, 3])
        let (sourceMean, sourceCovariance) = Self.moments(x)
        let (mean, covariance) = Self.moments(drawn)
        for j in 0..<2 {
            // The mean of m draws has standard error √(S_jj/m); 5 of them is a 1-in-10⁶ miss.
            let se = (sourceCovariance[j * 3 + j] / Double(m)).squareRoot()
            #expect(abs(mean[j] - sourceMean[j]) < 5 * se, "mean \(j): \(mean[j]) vs \(sourceMean[j])")
            for k in 0..<2 {
                // Var of a sample covariance of normals: (S_jk² + S_jj S_kk)/m.
                let s = sourceCovariance
                let seCov = ((s[j * 3 + k] * s[j * 3 + k] + s[j * 3 + j] * s[k * 3 + k]) / Double(m)).squareRoot()
                #expect(abs(covariance[j * 3 + k] - s[j * 3 + k]) < 5 * seCov, "cov \(j),\(k): \(covariance[j * 3 + k]) vs \(s[j * 3 + k])")
            }
        }
        // The constant unit has no variance to draw.
        for r in 0..<m { #expect(abs(drawn.scalars[r * 3 + 2] - 5) < 1e-5) }
        let again = try ActivationLevelNull.gaussianDraw(like: x, rows: m, stream: RandomStream(seed: 3))
        #expect(again == drawn)
        let other = try ActivationLevelNull.gaussianDraw(like: x, rows: m, stream: RandomStream(seed: 4))
        #expect(other != drawn)
    }

    @Test func oneRowHasNoCovarianceAndIsRefused() {
        #expect(throws: AuditError.self) {
            try ActivationLevelNull.gaussianDraw(like: Tensor(shape: [1, 2], scalars: [1, 2]), stream: RandomStream(seed: 1))
        }
    }
}
