/// Reconstruction and sparsity of a sparse autoencoder on `n` rows: the statistics an SAE claim
/// is tested on. Every sum is accumulated in `Double`.
///
/// With x the target rows, x̂ the reconstructions, x̄ the mean row, and f the codes:
/// - ``fractionOfVarianceUnexplained`` (FVU, **centred**): Σᵢ ‖xᵢ − x̂ᵢ‖² / Σᵢ ‖xᵢ − x̄‖². Smaller is
///   better. SAELens's `explained_variance` since its 2026 fix is 1 − this; before, it divided by
///   Σ ‖xᵢ‖² (against zero), which on residual streams with a large mean reads far higher.
/// - ``explainedVariance``: 1 − FVU.
/// - ``legacyExplainedVariance``: the per-row ratio averaged, (1/n) Σᵢ (1 − ‖xᵢ − x̂ᵢ‖² / ‖xᵢ − x̄‖²),
///   SAELens's `explained_variance_legacy` (the number SAEBench's paper reports); a row near the
///   mean weighs as much as any other, so it is reported beside ours, never instead of it.
/// - ``meanSquaredError``: (1/(n·d)) Σᵢ ‖xᵢ − x̂ᵢ‖² (SAELens `mse`, the mean over elements).
/// - ``cosineSimilarity``: (1/n) Σᵢ cos(xᵢ, x̂ᵢ) (SAELens `cossim`; a zero row counts as 0).
/// - ``meanL0``: the mean number of latents with fᵢⱼ > 0 per row.
/// - ``deadFraction``: latents that fire on none of the rows; ``denseFraction``: latents that fire
///   on more than 10 % of the rows (SAEBench's frequency-over-10 % count, as a fraction).
public struct SparseAutoencoderMetrics: Sendable, Hashable, Codable {
    public var fractionOfVarianceUnexplained: Double
    public var explainedVariance: Double { 1 - fractionOfVarianceUnexplained }
    public var legacyExplainedVariance: Double
    public var meanSquaredError: Double
    public var cosineSimilarity: Double
    public var meanL0: Double
    public var deadFraction: Double
    public var denseFraction: Double

    /// The latents' firing threshold for ``denseFraction``.
    public static let denseThreshold = 0.10

    /// The metrics of reconstructions `reconstruction` of `target` (both `rows × width`) from codes
    /// `code` (`rows × latents`). FVU is NaN when every row equals the mean (no variance to
    /// explain); the legacy ratio skips rows equal to the mean and is NaN when all are.
    public init(target: [Float], reconstruction: [Float], code: [Float], rows: Int, width: Int, latents: Int) {
        precondition(rows >= 1 && target.count == rows * width && reconstruction.count == target.count && code.count == rows * latents,
                     "SparseAutoencoderMetrics: sizes")
        self.init(SparseAutoencoderRowTerms(target: target, reconstruction: reconstruction, code: code, rows: rows, width: width, latents: latents),
                  width: width)
    }

    /// The metrics over all the rows of `terms` (of width `width`).
    public init(_ terms: SparseAutoencoderRowTerms, width: Int) {
        let rows = Double(terms.rows)
        fractionOfVarianceUnexplained = terms.fvu(over: nil)
        legacyExplainedVariance = terms.legacy(over: nil)
        meanSquaredError = terms.residual.reduce(0, +) / (rows * Double(width))
        cosineSimilarity = terms.cosine.reduce(0, +) / rows
        meanL0 = Double(terms.active.reduce(0, +)) / rows
        deadFraction = terms.firingFraction(over: nil) { $0 == 0 }
        denseFraction = terms.firingFraction(over: nil) { $0 > Self.denseThreshold }
    }
}

/// The per-row terms of ``SparseAutoencoderMetrics``, so that a resample of rows recomputes a
/// ratio without refitting (the audit's bootstrap). The mean row x̄ is that of all the rows given
/// here, fixed under resampling. Sums in `Double`.
public struct SparseAutoencoderRowTerms: Sendable {
    /// ‖xᵢ − x̂ᵢ‖², ‖xᵢ − x̄‖², cos(xᵢ, x̂ᵢ) (0 for a zero row), and the active latents per row.
    public let residual: [Double], total: [Double], cosine: [Double], active: [Int]
    /// Row-major `rows × latents`: whether latent j fired on row i.
    public let fired: [Bool]
    public let rows: Int, latents: Int

    public init(target: [Float], reconstruction: [Float], code: [Float], rows: Int, width: Int, latents: Int) {
        var mean = [Double](repeating: 0, count: width)
        for r in 0..<rows { for c in 0..<width { mean[c] += Double(target[r * width + c]) } }
        for c in 0..<width { mean[c] /= Double(rows) }
        var residual = [Double](repeating: 0, count: rows), total = residual, cosine = residual
        for r in 0..<rows {
            var dot = 0.0, xx = 0.0, yy = 0.0
            for c in 0..<width {
                let x = Double(target[r * width + c]), y = Double(reconstruction[r * width + c])
                residual[r] += (x - y) * (x - y)
                total[r] += (x - mean[c]) * (x - mean[c])
                dot += x * y; xx += x * x; yy += y * y
            }
            cosine[r] = xx > 0 && yy > 0 ? dot / (xx.squareRoot() * yy.squareRoot()) : 0
        }
        self.residual = residual
        self.total = total
        self.cosine = cosine
        fired = code.map { $0 > 0 }
        active = (0..<rows).map { r in (0..<latents).reduce(0) { $0 + (code[r * latents + $1] > 0 ? 1 : 0) } }
        self.rows = rows
        self.latents = latents
    }

    /// Σ residual / Σ total over `rows` (all rows when nil); NaN when the total is 0.
    public func fvu(over indices: UnsafeBufferPointer<Int>?) -> Double {
        var r = 0.0, t = 0.0
        if let indices { for i in indices { r += residual[i]; t += total[i] } } else { r = residual.reduce(0, +); t = total.reduce(0, +) }
        return t > 0 ? r / t : .nan
    }

    /// The mean of 1 − residual/total over the rows with a non-zero total; NaN when none has.
    public func legacy(over indices: UnsafeBufferPointer<Int>?) -> Double {
        var sum = 0.0, n = 0
        func add(_ i: Int) { if total[i] > 0 { sum += 1 - residual[i] / total[i]; n += 1 } }
        if let indices { for i in indices { add(i) } } else { for i in 0..<rows { add(i) } }
        return n > 0 ? sum / Double(n) : .nan
    }

    /// The fraction of latents whose firing fraction over the rows satisfies `keep`.
    public func firingFraction(over indices: UnsafeBufferPointer<Int>?, _ keep: (Double) -> Bool) -> Double {
        var counts = [Int](repeating: 0, count: latents)
        var n = 0
        func add(_ i: Int) { n += 1; for j in 0..<latents where fired[i * latents + j] { counts[j] += 1 } }
        if let indices { for i in indices { add(i) } } else { for i in 0..<rows { add(i) } }
        guard n > 0 else { return .nan }
        return Double(counts.filter { keep(Double($0) / Double(n)) }.count) / Double(latents)
    }
}
