/// How items relate to clusters in a two-level bootstrap.
public enum TwoLevelDesign: String, Sendable, CaseIterable, Codable {
    /// Every cluster is measured on the same items (training seeds × shared evaluation inputs):
    /// clusters and items are resampled independently and the statistic is taken over the
    /// resampled grid — the "multi-bootstrap" of Sellam et al., "The MultiBERTs", ICLR 2022.
    case crossed
    /// Each cluster has its own items: clusters are resampled, then items within each chosen
    /// cluster (Davison & Hinkley 1997, §3.8, strategy 2: resample at both stages).
    case nested
}

extension Bootstrap {
    /// Bootstraps the grand mean of a two-level sample of scores.
    ///
    /// - Parameters:
    ///   - scores: one array of item scores per cluster (per training seed, say). For `.crossed`
    ///     every cluster must have the same number of items, item j being the same input in each.
    ///   - design: `.crossed` or `.nested`.
    /// - Returns: replicates of the grand mean. The BCa acceleration comes from the jackknife over
    ///   both factors for `.crossed` (leave one cluster out, leave one item out, combined as for
    ///   a two-sample statistic) and over clusters for `.nested`.
    /// - Complexity: O(K·n) per replicate for K clusters of n items; one scratch buffer per chunk.
    public func twoLevelMean(_ scores: [[Double]], design: TwoLevelDesign) throws -> BootstrapResult {
        let k = scores.count
        guard k >= 1 else { throw StatisticsError("scores", expected: "at least 1 cluster, found 0") }
        for (c, row) in scores.enumerated() {
            try StatisticsError.requireFinite(row, "scores[\(c)]")
            try StatisticsError.requireCount(row, atLeast: 1, "scores[\(c)]")
        }
        switch design {
        case .crossed: return try crossedMean(scores)
        case .nested: return nestedMean(scores)
        }
    }

    private func crossedMean(_ scores: [[Double]]) throws -> BootstrapResult {
        let k = scores.count, n = scores[0].count
        if let c = scores.firstIndex(where: { $0.count != n }) {
            throw StatisticsError("scores[\(c)]", expected: "\(n) items, as every cluster of a crossed design, found \(scores[c].count)")
        }
        let flat = scores.flatMap { $0 }
        let stream = self.stream
        let replicates = flat.withUnsafeBufferPointer { grid in
            let grid = UncheckedSendable(grid)
            return ReplicateRunner.run(count: resamples, workers: workers) { range, out in
                var weights = [Int](repeating: 0, count: k)
                var column = [Double](repeating: 0, count: n)
                for b in range {
                    var s = stream.derived(index: b)
                    for c in 0..<k { weights[c] = 0 }
                    for _ in 0..<k { weights[s.index(below: k)] += 1 }
                    for j in 0..<n { column[j] = 0 }
                    for c in 0..<k where weights[c] > 0 {
                        let w = Double(weights[c])
                        for j in 0..<n { column[j] += w * grid.value[c * n + j] }
                    }
                    out[b - range.lowerBound] = column.withUnsafeBufferPointer {
                        Self.resampledMean($0, &s)
                    } / Double(k)
                }
            }
        }
        let rowMeans = scores.map { Descriptive.mean($0) }
        let columnMeans = (0..<n).map { j in Descriptive.mean(scores.map { $0[j] }) }
        let grand = Descriptive.mean(flat)
        let leaveCluster = k > 1 ? rowMeans.map { (Double(k) * grand - $0) / Double(k - 1) } : []
        let leaveItem = n > 1 ? columnMeans.map { (Double(n) * grand - $0) / Double(n - 1) } : []
        return BootstrapResult(estimate: grand, replicates: replicates,
                               acceleration: Jackknife.acceleration([leaveCluster, leaveItem]),
                               provenance: provenance("two-level crossed"))
    }

    private func nestedMean(_ scores: [[Double]]) -> BootstrapResult {
        let k = scores.count
        let flat = scores.flatMap { $0 }
        let bounds = Bootstrap.blockBounds(scores.map(\.count))
        let stream = self.stream
        let replicates = flat.withUnsafeBufferPointer { items in
            let items = UncheckedSendable(items)
            return ReplicateRunner.run(count: resamples, workers: workers) { range, out in
                for b in range {
                    var s = stream.derived(index: b)
                    var total = 0.0, count = 0
                    for _ in 0..<k {
                        let c = s.index(below: k)
                        let cluster = UnsafeBufferPointer(rebasing: items.value[bounds[c]..<bounds[c + 1]])
                        total += Self.resampledMean(cluster, &s) * Double(cluster.count)
                        count += cluster.count
                    }
                    out[b - range.lowerBound] = total / Double(count)
                }
            }
        }
        let sums = scores.map { row in row.withUnsafeBufferPointer { Descriptive.sum($0) } }
        let total = sums.reduce(0, +)
        let leaveCluster = k > 1
            ? (0..<k).map { (total - sums[$0]) / Double(flat.count - scores[$0].count) } : []
        return BootstrapResult(estimate: Descriptive.mean(flat), replicates: replicates,
                               acceleration: Jackknife.acceleration(leaveCluster),
                               provenance: provenance("two-level nested"))
    }

    /// Offsets of consecutive blocks of the given sizes: [0, s₀, s₀ + s₁, …].
    static func blockBounds(_ sizes: [Int]) -> [Int] {
        var bounds = [0]
        bounds.reserveCapacity(sizes.count + 1)
        for size in sizes { bounds.append(bounds[bounds.count - 1] + size) }
        return bounds
    }
}
