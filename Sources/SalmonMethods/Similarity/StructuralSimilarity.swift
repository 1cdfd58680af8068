/// The structural similarity index (SSIM) of two maps seen as `height × width` images (Wang,
/// Bovik, Sheikh & Simoncelli, "Image quality assessment: from error visibility to structural
/// similarity", IEEE TIP 13(4), 2004), as scikit-image's `structural_similarity` computes it with
/// its defaults.
///
/// For every `windowSize × windowSize` window lying wholly inside the image (scikit-image
/// filters the whole image and then crops a border of (windowSize − 1)/2, which leaves exactly
/// these windows), with means μ, variances σ² and covariance σ_ab over the window:
///
///     SSIM_w = (2 μ_a μ_b + C₁)(2 σ_ab + C₂) / ((μ_a² + μ_b² + C₁)(σ_a² + σ_b² + C₂)),
///     C₁ = (K₁ L)², C₂ = (K₂ L)²,
///
/// and the index is the mean of SSIM_w over the windows.
///
/// Defaults — scikit-image 0.26's: a 7 × 7 *uniform* window (`gaussian_weights=False`,
/// `win_size=7`), K₁ = 0.01, K₂ = 0.03, sample (co)variances (`use_sample_covariance=True`, the
/// factor N/(N − 1) with N = 49). Wang et al.'s own choice, an 11 × 11 Gaussian window with
/// σ = 1.5, does not fit an 8 × 8 digit. On 8 × 8 maps the default leaves 2 × 2 = 4 windows.
/// L, the data range, must be given (scikit-image refuses to guess it for floating-point data):
/// a fixed number, or the joint range max − min over both maps of the pair.
///
/// Mathematical properties: symmetric in a and b; 1 for identical non-constant images;
/// at most 1; NaN when C₁ = C₂ = 0 meets a window with zero means and variances (two
/// constant zero maps with `.jointRange`).
public struct StructuralSimilarity: Sendable, Hashable, Codable {
    /// How L, the dynamic range of the values, is set.
    public enum DataRange: Sendable, Hashable, Codable {
        /// A fixed L for every pair (scikit-image's `data_range`).
        case fixed(Double)
        /// L = max − min over the values of both maps of the pair (scikit-image's `data_range`
        /// set to that number for each pair).
        case jointRange
    }

    public var height: Int
    public var width: Int
    /// The side of the square uniform window; odd, at least 3 and at most min(height, width).
    public var windowSize: Int
    public var dataRange: DataRange
    public var k1: Double
    public var k2: Double
    /// Sample (co)variances, N/(N − 1) times the population ones (scikit-image's default); false
    /// gives the population form of Wang et al.
    public var sampleCovariance: Bool

    public init(height: Int, width: Int, dataRange: DataRange, windowSize: Int = 7, k1: Double = 0.01, k2: Double = 0.03,
                sampleCovariance: Bool = true) {
        self.height = height
        self.width = width
        self.windowSize = windowSize
        self.dataRange = dataRange
        self.k1 = k1
        self.k2 = k2
        self.sampleCovariance = sampleCovariance
    }

    /// Checks the settings against rows of `d` values.
    func validate(features d: Int) throws {
        guard height >= 1, width >= 1, height * width == d else {
            throw MethodError("ssim: a row of \(d) values is not a \(height) × \(width) image")
        }
        guard windowSize >= 3, windowSize % 2 == 1, windowSize <= min(height, width) else {
            throw MethodError("ssim: the window size must be odd, at least 3 and at most \(min(height, width)), found \(windowSize)")
        }
        guard k1 >= 0, k2 >= 0, k1.isFinite, k2.isFinite else { throw MethodError("ssim: K1 and K2 must be finite and ≥ 0") }
        if case .fixed(let l) = dataRange, !(l > 0 && l.isFinite) {
            throw MethodError("ssim: the data range must be a positive number, found \(l)")
        }
    }

    /// The index for one pair of validated rows.
    /// - Complexity: O(height · width · windowSize²).
    func index(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        let range: Double
        switch dataRange {
        case .fixed(let l): range = l
        case .jointRange:
            var lo = Double.infinity, hi = -Double.infinity
            for j in 0..<a.count {
                lo = min(lo, a[j], b[j])
                hi = max(hi, a[j], b[j])
            }
            range = hi - lo
        }
        let c1 = (k1 * range) * (k1 * range), c2 = (k2 * range) * (k2 * range)
        let count = Double(windowSize * windowSize)
        let covarianceFactor = sampleCovariance ? count / (count - 1) : 1
        var total = 0.0
        let positionsDown = height - windowSize + 1, positionsAcross = width - windowSize + 1
        for top in 0..<positionsDown {
            for left in 0..<positionsAcross {
                var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
                for i in top..<(top + windowSize) {
                    for j in left..<(left + windowSize) {
                        let x = a[i * width + j], y = b[i * width + j]
                        sa += x; sb += y
                        saa += x * x; sbb += y * y; sab += x * y
                    }
                }
                let ma = sa / count, mb = sb / count
                let va = covarianceFactor * (saa / count - ma * ma)
                let vb = covarianceFactor * (sbb / count - mb * mb)
                let vab = covarianceFactor * (sab / count - ma * mb)
                total += (2 * ma * mb + c1) * (2 * vab + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
            }
        }
        return total / Double(positionsDown * positionsAcross)
    }
}
