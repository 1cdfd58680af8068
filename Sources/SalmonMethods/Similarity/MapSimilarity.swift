/// A similarity measure between two attribution maps of equal shape, computed per example (per
/// row of the map: the first axis, the rest flattened) and averaged.
///
/// These are the measures Adebayo et al. ("Sanity checks for saliency maps", NeurIPS 2018) use
/// to compare a trained model's explanation with a randomized model's: Spearman rank
/// correlation of the flattened maps with and without absolute values, SSIM; plus the top-k
/// intersection and cosine similarity common in later work. All are larger = more similar.
///
/// Per-row values are returned so that an audit can bootstrap over inputs (the cheap path of
/// the resampling plan). A row where a measure is undefined — a constant map for Spearman, a
/// zero map for cosine, a constant pair with `.jointRange` for SSIM — gets NaN, is counted in
/// ``MapSimilarityResult/undefinedRows`` and left out of the mean (as scipy gives NaN, never a
/// crash); a null network whose ReLUs are all dead can produce such rows.
public enum MapSimilarity: Sendable, Hashable, Codable {
    /// Spearman's ρ of the row's values (average ranks for ties, `scipy.stats.spearmanr`), of
    /// |values| when `absolute` (Adebayo et al.'s "absolute value" variant, which ignores sign).
    case spearman(absolute: Bool)
    /// |top-k(a) ∩ top-k(b)| / k, top-k the k features of largest |value| (ties broken by the
    /// lower feature index).
    case topKIntersection(k: Int)
    /// a · b / (‖a‖ ‖b‖).
    case cosine
    /// The structural similarity index of the row seen as an image (``StructuralSimilarity``).
    case ssim(StructuralSimilarity)

    /// The measure's name in specs and reports.
    public var name: String {
        switch self {
        case .spearman(let absolute): return absolute ? "spearman-absolute" : "spearman"
        case .topKIntersection(let k): return "top-\(k)-intersection"
        case .cosine: return "cosine"
        case .ssim: return "ssim"
        }
    }

    /// The measure between two maps, row by row.
    /// - Throws: ``MethodError`` when the shapes differ, have no rows, or do not suit the
    ///   measure (k outside 1…features, a row that is not height × width for SSIM), or a value is
    ///   not finite.
    public func compare(_ a: Explanation.Map, _ b: Explanation.Map) throws -> MapSimilarityResult {
        guard a.shape == b.shape else { throw MethodError("\(name): the maps' shapes differ, \(a.shape) and \(b.shape)") }
        guard let rows = a.shape.first else { throw MethodError("\(name): the maps have no axes") }
        return try compare(a.values, b.values, rows: rows)
    }

    /// The measure between two row-major arrays of `rows` equal-length rows.
    /// - Throws: ``MethodError`` as the form on two maps.
    public func compare(_ a: [Double], _ b: [Double], rows: Int) throws -> MapSimilarityResult {
        guard a.count == b.count else { throw MethodError("\(name): the maps hold \(a.count) and \(b.count) values") }
        guard rows >= 1, a.count % rows == 0, a.count > 0 else {
            throw MethodError("\(name): \(a.count) values do not split into \(rows) non-empty rows")
        }
        let d = a.count / rows
        try validate(features: d)
        if let i = a.firstIndex(where: { !$0.isFinite }) { throw MethodError("\(name): the first map's value \(i) is \(a[i])") }
        if let i = b.firstIndex(where: { !$0.isFinite }) { throw MethodError("\(name): the second map's value \(i) is \(b[i])") }
        var perRow = [Double](repeating: 0, count: rows)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for r in 0..<rows {
                    perRow[r] = score(UnsafeBufferPointer(rebasing: pa[(r * d)..<((r + 1) * d)]),
                                      UnsafeBufferPointer(rebasing: pb[(r * d)..<((r + 1) * d)]))
                }
            }
        }
        return MapSimilarityResult(measure: name, perRow: perRow)
    }

    /// The measure between two single rows (NaN where it is undefined).
    /// - Throws: ``MethodError`` when the rows differ in length or do not suit the measure.
    public func score(_ a: [Double], _ b: [Double]) throws -> Double {
        try compare(a, b, rows: 1).perRow[0]
    }

    /// Checks that rows of `d` values suit the measure.
    func validate(features d: Int) throws {
        switch self {
        case .spearman, .cosine: return
        case .topKIntersection(let k):
            guard k >= 1 && k <= d else { throw MethodError("\(name): k must be in 1…\(d), found \(k)") }
        case .ssim(let s): try s.validate(features: d)
        }
    }

    /// The measure on one pair of validated rows.
    func score(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        switch self {
        case .spearman(let absolute): return Self.spearman(a, b, absolute: absolute)
        case .topKIntersection(let k): return Self.topKIntersection(a, b, k: k)
        case .cosine: return Self.cosine(a, b)
        case .ssim(let s): return s.index(a, b)
        }
    }
}
