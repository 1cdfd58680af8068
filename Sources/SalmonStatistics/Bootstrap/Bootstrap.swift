import SalmonDiagnostics
/// Nonparametric bootstrap resampling (Efron 1979), seeded and deterministic.
///
/// A `Bootstrap` is a plan: how many resamples, which seed and stream path, how many worker
/// threads. Running it on data returns a ``BootstrapResult`` that keeps every replicate, from
/// which percentile, basic and BCa intervals at any level are computed (``BootstrapInterval``).
///
/// Resamples are index vectors drawn with replacement, never copies of the caller's data.
/// Replicate b draws from `RandomStream(seed:path:).derived(index: b)`, so results are identical
/// for any worker count, and the first B′ < B replicates of a run are the replicates of a run
/// with B′ resamples.
///
/// The mean has a fast path (``mean(_:)``): each replicate is one pass of n index draws and
/// gathers (two indices per 64-bit draw), with no allocation per resample, and its jackknife is
/// O(n). Peak memory is O(n + B).
public struct Bootstrap: Sendable {
    /// B, the number of resamples.
    public let resamples: Int
    /// The master seed.
    public let seed: UInt64
    /// The stream path below the seed that this bootstrap draws from.
    public let path: StreamPath
    /// Worker threads (results do not depend on it).
    public let workers: Int

    /// A bootstrap plan.
    /// - Parameters:
    ///   - resamples: B ≥ 1 (scipy's default is 9999).
    ///   - seed: the master seed.
    ///   - path: the substream below the seed, `["bootstrap"]` by default.
    ///   - workers: threads to use, the active processor count by default.
    /// - Throws: ``StatisticsError`` when `resamples` < 1 or `workers` < 1.
    public init(resamples: Int = 9999, seed: UInt64, path: StreamPath = ["bootstrap"],
                workers: Int = ProcessorCount.active) throws {
        guard resamples >= 1 else { throw StatisticsError("resamples", expected: "at least 1, found \(resamples)") }
        guard workers >= 1 else { throw StatisticsError("workers", expected: "at least 1, found \(workers)") }
        // Every replicate is kept (any interval kind, any level, afterwards).
        if let excess = MemoryBudget.excess(8 * Double(resamples), what: "\(resamples) replicates of 8 bytes") {
            throw StatisticsError("resamples", expected: excess)
        }
        self.resamples = resamples
        self.seed = seed
        self.path = path
        self.workers = workers
    }

    var stream: RandomStream { RandomStream(seed: seed, path: path) }

    func provenance(_ scheme: String) -> ResamplingProvenance {
        ResamplingProvenance(seed: seed, streamPath: path, scheme: scheme)
    }

    /// Bootstraps a built-in statistic of a sample (the mean takes the fast path).
    /// - Throws: ``StatisticsError`` for non-finite data or too few values.
    public func run(_ data: [Double], statistic: BootstrapStatistic) throws -> BootstrapResult {
        try StatisticsError.requireFinite(data, "data")
        try statistic.validate(sampleSize: data.count)
        if statistic == .mean { return try mean(data) }
        let replicates = gatherReplicates(data) { statistic.evaluate($0) }
        return BootstrapResult(estimate: statistic.evaluate(data), replicates: replicates,
                               acceleration: Jackknife.acceleration(statistic.jackknife(data)),
                               provenance: provenance("ordinary"))
    }

    /// Bootstraps the mean of per-item scores: the fast path.
    ///
    /// Two exact algorithms, chosen by the data (the choice is recorded in the provenance's
    /// `scheme`); both draw from the ordinary bootstrap distribution of the mean:
    /// - *Index resampling* (`ordinary`): n indices per replicate, two per 64-bit draw, gathered
    ///   and summed without materializing the resample.
    /// - *Multinomial counts* (`ordinary, multinomial over K distinct values`), when the scores take
    ///   K ≤ n/64 distinct values (0/1 correctness, Likert ratings): a resample's mean depends only
    ///   on how often each distinct value is drawn, and those counts are Multinomial(n; c_k/n).
    ///   They are drawn by conditional binomials (GSL's BTPE sampler, Kachitvichyanukul &
    ///   Schmeiser 1988): O(K) per replicate instead of O(n).
    ///
    /// The BCa acceleration is the jackknife's, in closed form: with d_i = x_i − x̄,
    /// `a = Σd³ / (6 (Σd²)^{3/2})`, computed without storing the n leave-one-out means.
    /// - Complexity: O(min(n, K)) time per replicate and no allocation per replicate; memory
    ///   O(n + B).
    public func mean(_ scores: [Double]) throws -> BootstrapResult {
        try StatisticsError.requireFinite(scores, "scores")
        try StatisticsError.requireCount(scores, atLeast: 1, "scores")
        let stream = self.stream
        let n = scores.count
        let categories = n >= 64 ? Self.distinctValues(scores, atMost: n / 64) : nil
        let replicates: [Double]
        let scheme: String
        if let (values, counts) = categories {
            scheme = "ordinary, multinomial over \(values.count) distinct values"
            replicates = ReplicateRunner.run(count: resamples, workers: workers) { range, out in
                for b in range {
                    var s = stream.derived(index: b)
                    var remaining = n, remainingMass = n
                    var total = 0.0
                    for k in 0..<(values.count - 1) where remaining > 0 {
                        let drawn = s.binomial(trials: remaining,
                                               probability: Double(counts[k]) / Double(remainingMass))
                        total += Double(drawn) * values[k]
                        remaining -= drawn
                        remainingMass -= counts[k]
                    }
                    total += Double(remaining) * values[values.count - 1]
                    out[b - range.lowerBound] = total / Double(n)
                }
            }
        } else {
            scheme = "ordinary"
            replicates = scores.withUnsafeBufferPointer { x in
                let x = UncheckedSendable(x)
                return ReplicateRunner.run(count: resamples, workers: workers) { range, out in
                    for b in range {
                        var s = stream.derived(index: b)
                        out[b - range.lowerBound] = Self.resampledMean(x.value, &s)
                    }
                }
            }
        }
        return BootstrapResult(estimate: Descriptive.mean(scores), replicates: replicates,
                               acceleration: Jackknife.accelerationOfMean(scores),
                               provenance: provenance(scheme))
    }

    /// The distinct values of `x` (ascending) with their counts, or nil if there are more than `limit`.
    static func distinctValues(_ x: [Double], atMost limit: Int) -> ([Double], [Int])? {
        var counts: [Double: Int] = [:]
        for v in x {
            counts[v == 0 ? 0 : v, default: 0] += 1  // −0 and +0 are one value
            if counts.count > limit { return nil }
        }
        let sorted = counts.sorted { $0.key < $1.key }
        return (sorted.map(\.key), sorted.map(\.value))
    }

    /// Bootstraps any statistic of a one-dimensional sample.
    ///
    /// The statistic receives each resample gathered into a scratch buffer that it may reorder
    /// (one buffer per worker, reused). It must be safe to call concurrently.
    /// - Parameter jackknife: compute the n leave-one-out values for BCa (O(n) statistic calls).
    public func run(_ data: [Double], jackknife: Bool = true,
                    statistic: @escaping @Sendable (UnsafeMutableBufferPointer<Double>) -> Double) throws -> BootstrapResult {
        try StatisticsError.requireFinite(data, "data")
        try StatisticsError.requireCount(data, atLeast: 1, "data")
        let replicates = gatherReplicates(data, statistic)
        var copy = data
        let estimate = copy.withUnsafeMutableBufferPointer { statistic($0) }
        var leaveOneOut: [Double] = []
        if jackknife && data.count > 1 {
            var scratch = [Double](repeating: 0, count: data.count - 1)
            leaveOneOut = (0..<data.count).map { i in
                scratch.withUnsafeMutableBufferPointer { buffer in
                    var k = 0
                    for j in data.indices where j != i { buffer[k] = data[j]; k += 1 }
                    return statistic(buffer)
                }
            }
        }
        return BootstrapResult(estimate: estimate, replicates: replicates,
                               acceleration: leaveOneOut.isEmpty ? .nan : Jackknife.acceleration(leaveOneOut),
                               provenance: provenance("ordinary"))
    }

    /// Bootstraps a statistic of n items given by index: the general form, for multivariate data
    /// (the statistic closes over the data and reads the rows named by the indices).
    ///
    /// - Parameters:
    ///   - count: n, the number of items.
    ///   - jackknife: compute the n leave-one-out values for BCa.
    ///   - statistic: the statistic of the items at the given indices (with repetition); called
    ///     with `0..<n` for the estimate. Must be safe to call concurrently.
    public func run(count n: Int, jackknife: Bool = true,
                    statistic: @escaping @Sendable (UnsafeBufferPointer<Int>) -> Double) throws -> BootstrapResult {
        guard n >= 1 else { throw StatisticsError("count", expected: "at least 1 item, found \(n)") }
        let stream = self.stream
        let replicates = ReplicateRunner.run(count: resamples, workers: workers) { range, out in
            var indices = [Int](repeating: 0, count: n)
            indices.withUnsafeMutableBufferPointer { idx in
                for b in range {
                    var s = stream.derived(index: b)
                    for i in 0..<n { idx[i] = s.index(below: n) }
                    out[b - range.lowerBound] = statistic(UnsafeBufferPointer(idx))
                }
            }
        }
        let all = Array(0..<n)
        let estimate = all.withUnsafeBufferPointer { statistic($0) }
        var leaveOneOut: [Double] = []
        if jackknife && n > 1 {
            leaveOneOut = (0..<n).map { i in
                let rest = all.filter { $0 != i }
                return rest.withUnsafeBufferPointer { statistic($0) }
            }
        }
        return BootstrapResult(estimate: estimate, replicates: replicates,
                               acceleration: leaveOneOut.isEmpty ? .nan : Jackknife.acceleration(leaveOneOut),
                               provenance: provenance("ordinary"))
    }

    /// Replicates of a value statistic: resample into a per-chunk scratch buffer, then evaluate.
    private func gatherReplicates(_ data: [Double],
                                  _ statistic: @escaping (UnsafeMutableBufferPointer<Double>) -> Double) -> [Double] {
        let stream = self.stream
        let n = data.count
        return data.withUnsafeBufferPointer { x in
            let x = UncheckedSendable(x)
            return ReplicateRunner.run(count: resamples, workers: workers) { range, out in
                var scratch = [Double](repeating: 0, count: n)
                scratch.withUnsafeMutableBufferPointer { buffer in
                    for b in range {
                        var s = stream.derived(index: b)
                        Self.resample(x.value, into: buffer, &s)
                        out[b - range.lowerBound] = statistic(buffer)
                    }
                }
            }
        }
    }

    /// Draws n values of `x` with replacement into `out`.
    ///
    /// The indices come from two lanes — the replicate's stream `s` and `s.derived(index: 1)` —
    /// each giving two indices per 64-bit draw, in the order lane s, s, lane t, t, … so that the
    /// generator's serial dependency chain is not the bottleneck; ``resampledMean(_:_:)`` draws
    /// exactly the same indices.
    @inlinable
    static func resample(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
                         _ s: inout RandomStream) {
        let n = x.count
        var i = 0
        if n <= Int(UInt32.max) {
            var t = s.derived(index: 1)
            while i + 4 <= n {
                let (p, q) = s.indexPair(below: n)
                let (r, u) = t.indexPair(below: n)
                out[i] = x[p]; out[i + 1] = x[q]; out[i + 2] = x[r]; out[i + 3] = x[u]
                i += 4
            }
        }
        while i < n { out[i] = x[s.index(below: n)]; i += 1 }
    }

    /// The mean of one resample of `x`, without materializing it (the indices of
    /// ``resample(_:into:_:)``), with four accumulators so the additions pipeline.
    @inlinable
    static func resampledMean(_ x: UnsafeBufferPointer<Double>, _ s: inout RandomStream) -> Double {
        let n = x.count
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var i = 0
        if n <= Int(UInt32.max) {
            var t = s.derived(index: 1)
            while i + 4 <= n {
                let (p, q) = s.indexPair(below: n)
                let (r, u) = t.indexPair(below: n)
                a0 += x[p]; a1 += x[q]; a2 += x[r]; a3 += x[u]
                i += 4
            }
        }
        while i < n { a0 += x[s.index(below: n)]; i += 1 }
        return ((a0 + a1) + (a2 + a3)) / Double(n)
    }
}
