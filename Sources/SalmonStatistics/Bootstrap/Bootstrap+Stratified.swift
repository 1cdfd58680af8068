extension Bootstrap {
    /// Bootstraps the overall mean of scores resampled *within* strata, keeping each stratum's size
    /// (Davison & Hinkley 1997, §3.2): for designs with fixed group sizes, such as balanced
    /// classes of evaluation inputs.
    ///
    /// - Parameters:
    ///   - scores: per-item scores.
    ///   - strata: a stratum label per item.
    /// - Returns: a result whose BCa acceleration comes from the leave-one-item-out jackknife.
    /// - Complexity: O(n) per replicate, no allocation per replicate.
    public func stratifiedMean(_ scores: [Double], strata: [Int]) throws -> BootstrapResult {
        try StatisticsError.requireFinite(scores, "scores")
        try StatisticsError.requireCount(scores, atLeast: 1, "scores")
        let groups = try Self.strataMembers(strata, count: scores.count)
        // Reorder the scores stratum by stratum, so each stratum is a contiguous block.
        let blocked = groups.flatMap { $0.map { scores[$0] } }
        let bounds = Bootstrap.blockBounds(groups.map(\.count))
        let stream = self.stream
        let replicates = blocked.withUnsafeBufferPointer { x in
            let x = UncheckedSendable(x)
            return ReplicateRunner.run(count: resamples, workers: workers) { range, out in
                for b in range {
                    var s = stream.derived(index: b)
                    var total = 0.0
                    for g in 0..<(bounds.count - 1) {
                        let block = UnsafeBufferPointer(rebasing: x.value[bounds[g]..<bounds[g + 1]])
                        total += Self.resampledMean(block, &s) * Double(block.count)
                    }
                    out[b - range.lowerBound] = total / Double(x.value.count)
                }
            }
        }
        return BootstrapResult(estimate: Descriptive.mean(scores), replicates: replicates,
                               acceleration: Jackknife.accelerationOfMean(scores),
                               provenance: provenance("stratified"))
    }

    /// Bootstraps a statistic of items given by index, resampling within strata.
    ///
    /// The statistic receives n indices, stratum by stratum in ascending label order, each stratum
    /// contributing as many indices as it has items.
    public func stratified(strata: [Int], jackknife: Bool = true,
                           statistic: @escaping @Sendable (UnsafeBufferPointer<Int>) -> Double) throws -> BootstrapResult {
        let n = strata.count
        let groups = try Self.strataMembers(strata, count: n)
        let stream = self.stream
        let replicates = ReplicateRunner.run(count: resamples, workers: workers) { range, out in
            var indices = [Int](repeating: 0, count: n)
            indices.withUnsafeMutableBufferPointer { idx in
                for b in range {
                    var s = stream.derived(index: b)
                    var k = 0
                    for members in groups {
                        for _ in members { idx[k] = members[s.index(below: members.count)]; k += 1 }
                    }
                    out[b - range.lowerBound] = statistic(UnsafeBufferPointer(idx))
                }
            }
        }
        let all = groups.flatMap { $0 }
        let estimate = all.withUnsafeBufferPointer { statistic($0) }
        var leaveOneOut: [Double] = []
        if jackknife && n > 1 {
            leaveOneOut = (0..<n).map { i in all.filter { $0 != i }.withUnsafeBufferPointer { statistic($0) } }
        }
        return BootstrapResult(estimate: estimate, replicates: replicates,
                               acceleration: leaveOneOut.isEmpty ? .nan : Jackknife.acceleration(leaveOneOut),
                               provenance: provenance("stratified"))
    }

    /// Item indices grouped by stratum label, labels ascending.
    static func strataMembers(_ strata: [Int], count: Int) throws -> [[Int]] {
        guard strata.count == count else {
            throw StatisticsError("strata", expected: "one label per item (\(count)), found \(strata.count)")
        }
        guard count >= 1 else { throw StatisticsError("strata", expected: "at least 1 item, found 0") }
        var members: [Int: [Int]] = [:]
        for (i, label) in strata.enumerated() { members[label, default: []].append(i) }
        return members.sorted { $0.key < $1.key }.map(\.value)
    }
}
