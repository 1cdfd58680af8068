import SalmonMethods

extension AttributionSimilarity {
    /// One side of many comparisons, prepared once: the trained model's maps, which a sanity
    /// check compares with thousands of randomized maps.
    ///
    /// For Spearman the prepared side keeps each row's centred average ranks and their norm, for
    /// top-k each row's top-k membership; the other side's rows are then ranked with a stable
    /// insertion sort on a reused buffer (the rows are short: 64 pixels), with no allocation per
    /// row. The values agree with ``compare(_:_:rows:)`` (and so with `scipy.stats.spearmanr` and
    /// ``MapSimilarity``) to rounding: Pearson's r of average ranks, whose mean is exactly
    /// (d + 1)/2. SSIM and cosine go through ``MapSimilarity`` unchanged.
    struct Prepared: Sendable {
        let measure: AttributionSimilarity
        let rows: Int
        let features: Int
        /// Spearman: centred ranks `[rows · d]`; top-k: 1 for a top-k feature, else 0; SSIM:
        /// |row| / max |row|; cosine: the values.
        let values: [Double]
        /// Spearman: √Σ centred rank² per row (0 for a constant row).
        let norms: [Double]
    }

    /// Prepares `a` (`rows` rows, row-major) for ``compare(_:with:)``.
    /// - Throws: ``MethodError`` as ``compare(_:_:rows:)``.
    func prepare(_ a: [Double], rows: Int) throws -> Prepared {
        guard rows >= 1, a.count % rows == 0, !a.isEmpty else {
            throw MethodError("\(name): \(a.count) values do not split into \(rows) non-empty rows")
        }
        let d = a.count / rows
        try validate(features: d)
        if let i = a.firstIndex(where: { !$0.isFinite }) { throw MethodError("\(name): the first map's value \(i) is \(a[i])") }
        var values = a, norms: [Double] = []
        var order = [Int](repeating: 0, count: d), keys = [Double](repeating: 0, count: d)
        switch self {
        case .spearmanAbsolute, .spearman:
            norms = [Double](repeating: 0, count: rows)
            for r in 0..<rows {
                norms[r] = Self.centredRanks(a, row: r, features: d, absolute: self == .spearmanAbsolute,
                                             into: &values, order: &order, keys: &keys)
            }
        case .topK(let k):
            for r in 0..<rows {
                Self.topOrder(a, row: r, features: d, order: &order, keys: &keys)
                for j in 0..<d { values[r * d + j] = 0 }
                for j in order.prefix(k) { values[r * d + j] = 1 }
            }
        case .ssim:
            values = Self.scaledAbsolute(a, rows: rows)
        case .cosine:
            break
        }
        return Prepared(measure: self, rows: rows, features: d, values: values, norms: norms)
    }

    /// The measure between the prepared maps and `b`, one value per row (NaN where undefined).
    /// - Throws: ``MethodError`` when `b` differs in size or holds a non-finite value.
    func compare(_ prepared: Prepared, with b: [Double]) throws -> [Double] {
        let rows = prepared.rows, d = prepared.features
        guard b.count == rows * d else { throw MethodError("\(name): the maps hold \(rows * d) and \(b.count) values") }
        switch self {
        case .ssim, .cosine:
            return try mapSimilarity.compare(prepared.values, self == .cosine ? b : Self.scaledAbsolute(b, rows: rows), rows: rows).perRow
        case .spearmanAbsolute, .spearman, .topK:
            break
        }
        if let i = b.firstIndex(where: { !$0.isFinite }) { throw MethodError("\(name): the second map's value \(i) is \(b[i])") }
        var out = [Double](repeating: .nan, count: rows)
        var centred = [Double](repeating: 0, count: b.count)
        var order = [Int](repeating: 0, count: d), keys = [Double](repeating: 0, count: d)
        for r in 0..<rows {
            switch self {
            case .spearmanAbsolute, .spearman:
                let norm = Self.centredRanks(b, row: r, features: d, absolute: self == .spearmanAbsolute,
                                             into: &centred, order: &order, keys: &keys)
                guard norm > 0, prepared.norms[r] > 0 else { continue }
                var s = 0.0
                for j in 0..<d { s += prepared.values[r * d + j] * centred[r * d + j] }
                out[r] = max(-1, min(1, s / (prepared.norms[r] * norm)))
            case .topK(let k):
                Self.topOrder(b, row: r, features: d, order: &order, keys: &keys)
                var shared = 0
                for j in order.prefix(k) where prepared.values[r * d + j] == 1 { shared += 1 }
                out[r] = Double(shared) / Double(k)
            case .ssim, .cosine:
                break
            }
        }
        return out
    }

    /// Writes row r's average ranks (1-based) minus (d + 1)/2 into `out` and returns their norm.
    static func centredRanks(_ x: [Double], row r: Int, features d: Int, absolute: Bool, into out: inout [Double],
                             order: inout [Int], keys: inout [Double]) -> Double {
        for j in 0..<d { keys[j] = absolute ? abs(x[r * d + j]) : x[r * d + j] }
        sortIndices(&order, by: keys, count: d)
        let centre = Double(d + 1) / 2
        var norm = 0.0, start = 0
        while start < d {
            var end = start + 1
            while end < d && keys[order[end]] == keys[order[start]] { end += 1 }
            // Positions start..<end are tied: each gets the mean rank (start + 1 + end) / 2.
            let rank = Double(start + 1 + end) / 2 - centre
            for p in start..<end { out[r * d + order[p]] = rank }
            norm += rank * rank * Double(end - start)
            start = end
        }
        return norm.squareRoot()
    }

    /// `order[0..<d]` = row r's features by |value| descending, ties by lower index.
    static func topOrder(_ x: [Double], row r: Int, features d: Int, order: inout [Int], keys: inout [Double]) {
        for j in 0..<d { keys[j] = -abs(x[r * d + j]) }
        sortIndices(&order, by: keys, count: d)
    }

    /// `order[0..<count]` = 0..<count sorted by `keys` ascending, stably (ties keep index order):
    /// insertion sort, fast for the short rows of a digit map; the library sort for long rows.
    @inline(__always)
    static func sortIndices(_ order: inout [Int], by keys: [Double], count: Int) {
        for j in 0..<count { order[j] = j }
        guard count > 1 else { return }
        guard count <= 128 else {
            order[0..<count].sort { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
            return
        }
        for i in 1..<count {
            let item = order[i], key = keys[item]
            var p = i
            while p > 0 && keys[order[p - 1]] > key {
                order[p] = order[p - 1]
                p -= 1
            }
            order[p] = item
        }
    }
}
