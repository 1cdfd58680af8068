import SalmonMethods

/// A similarity measure between two attribution maps as the sanity checks use it: a
/// ``MapSimilarity`` plus the preprocessing Adebayo et al. apply before it.
///
/// Every measure is computed per example (per row of the `[n, d]` maps) and is larger = more
/// similar; an undefined row (a constant map under Spearman, a zero map under cosine) is NaN.
///
/// - `spearmanAbsolute`: Spearman's ρ of |a| and |b| — Adebayo et al.'s headline measure, which
///   ignores the sign a method gives a feature.
/// - `spearman`: Spearman's ρ of the signed maps.
/// - `ssim`: the structural similarity of the two maps seen as `height × width` images, after each
///   map is replaced by |map| / max |map| (so both lie in [0, 1] and the data range is 1; a zero
///   map stays zero). The window is 3 × 3 when the image is smaller than 16 on a side, else 7 × 7
///   (scikit-image's default): on an 8 × 8 digit a 7 × 7 window leaves 4 nearly global windows,
///   a 3 × 3 one 36 local windows, which is what SSIM is meant to compare.
/// - `topK(k)`: the fraction of the k largest-|value| features the maps share; two independent
///   random maps share k/d on average (chance level).
/// - `cosine`: a · b / (‖a‖ ‖b‖) of the signed maps.
public enum AttributionSimilarity: Sendable, Hashable, Codable {
    case spearmanAbsolute
    case spearman
    case ssim(height: Int, width: Int)
    case topK(Int)
    case cosine

    /// The measure's name in options, CSV and file names: `spearman-abs`, `spearman`, `ssim`,
    /// `top-10`, `cosine`.
    public var name: String {
        switch self {
        case .spearmanAbsolute: return "spearman-abs"
        case .spearman: return "spearman"
        case .ssim: return "ssim"
        case .topK(let k): return "top-\(k)"
        case .cosine: return "cosine"
        }
    }

    /// How the measure reads in a report.
    public var label: String {
        switch self {
        case .spearmanAbsolute: return "Spearman rank correlation (absolute values)"
        case .spearman: return "Spearman rank correlation (signed)"
        case .ssim(let h, let w): return "SSIM (\(h) × \(w), |map| / max |map|, \(Self.window(h, w)) × \(Self.window(h, w)) window)"
        case .topK(let k): return "top-\(k) intersection"
        case .cosine: return "cosine similarity"
        }
    }

    /// The SSIM window for an image of this size.
    static func window(_ height: Int, _ width: Int) -> Int { min(height, width) < 16 ? 3 : 7 }

    /// The underlying per-row measure.
    var mapSimilarity: MapSimilarity {
        switch self {
        case .spearmanAbsolute: return .spearman(absolute: true)
        case .spearman: return .spearman(absolute: false)
        case .ssim(let h, let w):
            return .ssim(StructuralSimilarity(height: h, width: w, dataRange: .fixed(1), windowSize: Self.window(h, w)))
        case .topK(let k): return .topKIntersection(k: k)
        case .cosine: return .cosine
        }
    }

    /// Checks that rows of `d` features suit the measure.
    /// - Throws: ``MethodError`` (k outside 1…d, an image that is not d pixels or too small).
    public func validate(features d: Int) throws {
        guard d >= 1 else { throw MethodError("\(name): maps need at least one feature") }
        let ramp = (0..<d).map(Double.init)
        _ = try mapSimilarity.compare(ramp, ramp, rows: 1)
    }

    /// The measure between two row-major `[rows, d]` maps, one value per row.
    /// - Throws: ``MethodError`` when the maps differ in size, do not split into `rows`, do not
    ///   suit the measure, or hold a non-finite value.
    public func compare(_ a: [Double], _ b: [Double], rows: Int) throws -> MapSimilarityResult {
        var result: MapSimilarityResult
        if case .ssim = self {
            result = try mapSimilarity.compare(Self.scaledAbsolute(a, rows: rows), Self.scaledAbsolute(b, rows: rows), rows: rows)
        } else {
            result = try mapSimilarity.compare(a, b, rows: rows)
        }
        result.measure = name
        return result
    }

    /// Each row replaced by |row| / max |row| (a zero row stays zero; non-finite values are kept
    /// for the measure's own check to report).
    static func scaledAbsolute(_ values: [Double], rows: Int) -> [Double] {
        guard rows > 0, values.count % rows == 0 else { return values }
        let d = values.count / rows
        var out = values
        for r in 0..<rows {
            var top = 0.0
            for j in 0..<d { top = max(top, abs(values[r * d + j])) }
            for j in 0..<d { out[r * d + j] = top > 0 && top.isFinite ? abs(values[r * d + j]) / top : abs(values[r * d + j]) }
        }
        return out
    }
}
