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
        var mean = [Double](repeating: 0, count: width)
        for r in 0..<rows { for c in 0..<width { mean[c] += Double(target[r * width + c]) } }
        for c in 0..<width { mean[c] /= Double(rows) }
        var residual = 0.0, total = 0.0, legacy = 0.0, legacyRows = 0, cosine = 0.0
        for r in 0..<rows {
            var rowResidual = 0.0, rowTotal = 0.0, dot = 0.0, xx = 0.0, yy = 0.0
            for c in 0..<width {
                let x = Double(target[r * width + c]), y = Double(reconstruction[r * width + c])
                rowResidual += (x - y) * (x - y)
                rowTotal += (x - mean[c]) * (x - mean[c])
                dot += x * y; xx += x * x; yy += y * y
            }
            residual += rowResidual
            total += rowTotal
            if rowTotal > 0 { legacy += 1 - rowResidual / rowTotal; legacyRows += 1 }
            if xx > 0 && yy > 0 { cosine += dot / (xx.squareRoot() * yy.squareRoot()) }
        }
        fractionOfVarianceUnexplained = total > 0 ? residual / total : .nan
        legacyExplainedVariance = legacyRows > 0 ? legacy / Double(legacyRows) : .nan
        meanSquaredError = residual / (Double(rows) * Double(width))
        cosineSimilarity = cosine / Double(rows)
        var active = 0
        var fires = [Int](repeating: 0, count: latents)
        for r in 0..<rows { for j in 0..<latents where code[r * latents + j] > 0 { active += 1; fires[j] += 1 } }
        meanL0 = Double(active) / Double(rows)
        deadFraction = Double(fires.filter { $0 == 0 }.count) / Double(latents)
        denseFraction = Double(fires.filter { Double($0) > Self.denseThreshold * Double(rows) }.count) / Double(latents)
    }
}
