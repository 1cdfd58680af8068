import SalmonDiagnostics
/// The result of a two-sample permutation test.
public struct PermutationTestResult: Sendable {
    /// The observed statistic: mean(a) − mean(b), or mean(a − b) for paired samples.
    public let statistic: Double
    /// The p-value with its Monte Carlo interval (degenerate when exact).
    public let test: MonteCarloPValue
    /// How the random numbers were drawn (nil for an exact test, which draws none).
    public let provenance: ResamplingProvenance?

    public var pValue: Double { test.pValue }
    public var isExact: Bool { test.isExact }
}

/// Two-sample permutation tests of a difference in means.
///
/// - Independent samples: the group labels are exchangeable under the null; each resample
///   reassigns them at random (a random n_a-subset of the pooled data forms group a).
/// - Paired samples: the signs of the differences are exchangeable under the null (sign flips;
///   scipy's `permutation_type="samples"`).
///
/// When the number of distinct arrangements (C(n_a + n_b, n_a), or 2ⁿ for paired data) is at most
/// `resamples`, every arrangement is enumerated and the p-value is exact, `count / total`, with
/// the observed arrangement among them; otherwise `resamples` random arrangements give the Monte
/// Carlo p-value `(1 + b) / (1 + B)`. Both follow `scipy.stats.permutation_test`, including its
/// tolerance: null values within 100 ε |T| of the observed T count as ties (equal in exact
/// arithmetic, apart only by rounding).
///
/// Mathematical properties: exact-size tests under exchangeability (P(p ≤ α) ≤ α). Monte Carlo
/// arrangement b draws from its own substream, so results do not depend on the worker count.
/// - Complexity: O(n) per arrangement, no allocation per arrangement.
public struct PermutationTest: Sendable {
    /// The most arrangements an exact test enumerates (about a minute of work): asking for at
    /// least as many resamples as a larger count of arrangements is refused up front, with the
    /// advice to ask for fewer (a Monte Carlo test), rather than running for hours or years.
    public static let exactEnumerationLimit = 1_000_000_000

    /// Refuses an exact test of more than ``exactEnumerationLimit`` arrangements.
    static func requireEnumerable(_ total: Int) throws {
        guard total > exactEnumerationLimit else { return }
        throw StatisticsError("resamples", expected: "fewer resamples than the \(total) distinct arrangements of these samples "
                              + "(with as many or more, the exact test would enumerate all of them, and it is limited to "
                              + "\(exactEnumerationLimit) arrangements); ask for fewer, for a Monte Carlo test")
    }

    /// The number of random arrangements (and the enumeration limit for the exact test).
    public let resamples: Int
    public let seed: UInt64
    public let path: StreamPath
    public let workers: Int

    /// - Throws: ``StatisticsError`` when `resamples` < 1 or `workers` < 1.
    public init(resamples: Int = 9999, seed: UInt64, path: StreamPath = ["permutation"],
                workers: Int = ProcessorCount.active) throws {
        guard resamples >= 1 else { throw StatisticsError("resamples", expected: "at least 1, found \(resamples)") }
        guard workers >= 1 else { throw StatisticsError("workers", expected: "at least 1, found \(workers)") }
        self.resamples = resamples
        self.seed = seed
        self.path = path
        self.workers = workers
    }

    /// Tests mean(a) − mean(b) for independent samples.
    /// - Throws: ``StatisticsError`` for empty or non-finite samples.
    public func independent(_ a: [Double], _ b: [Double], alternative: Alternative = .twoSided,
                            level: Double = 0.95) throws -> PermutationTestResult {
        try StatisticsError.requireFinite(a, "a")
        try StatisticsError.requireFinite(b, "b")
        try StatisticsError.requireCount(a, atLeast: 1, "a")
        try StatisticsError.requireCount(b, atLeast: 1, "b")
        // Centre the pooled data: the statistic is shift-invariant, and centring keeps rounding
        // error small relative to the statistic.
        let pooledMean = Descriptive.mean(a + b)
        let pooled = (a + b).map { $0 - pooledMean }
        let na = a.count, n = pooled.count
        let observed = Self.differenceOfMeans(pooled, na)
        let gamma = 100 * Double.ulpOfOne * abs(observed)

        if let total = Self.binomial(n, na), total <= resamples {
            try Self.requireEnumerable(total)
            var atLeast = 0, atMost = 0
            var chosen = Array(0..<na)
            var inA = [Bool](repeating: false, count: n)
            while true {
                for i in 0..<n { inA[i] = false }
                for i in chosen { inA[i] = true }
                var sa = 0.0, sb = 0.0
                for i in 0..<n { if inA[i] { sa += pooled[i] } else { sb += pooled[i] } }
                let t = sa / Double(na) - sb / Double(n - na)
                if t >= observed - gamma { atLeast += 1 }
                if t <= observed + gamma { atMost += 1 }
                guard Self.nextCombination(&chosen, n) else { break }
            }
            let test = try MonteCarloTest.assemble(observed: observed, atLeast: atLeast, atMost: atMost,
                                                   total: total, exact: true, alternative: alternative, level: level)
            return PermutationTestResult(statistic: observed, test: test, provenance: nil)
        }

        if let excess = MemoryBudget.excess(8 * Double(resamples), what: "\(resamples) permuted statistics of 8 bytes") {
            throw StatisticsError("resamples", expected: excess)
        }
        let stream = RandomStream(seed: seed, path: path)
        let k = min(na, n - na)  // shuffle the smaller group into place
        let null = pooled.withUnsafeBufferPointer { data in
            let data = UncheckedSendable(data)
            return ReplicateRunner.run(count: resamples, workers: workers) { range, out in
                var work = Array(data.value)
                var swaps = [Int](repeating: 0, count: k)
                work.withUnsafeMutableBufferPointer { w in
                    for r in range {
                        var s = stream.derived(index: r)
                        // Partial Fisher–Yates: w[0..<k] becomes a uniform random k-subset.
                        for i in 0..<k {
                            let j = i + s.index(below: n - i)
                            swaps[i] = j
                            w.swapAt(i, j)
                        }
                        var sFront = 0.0, sBack = 0.0
                        for i in 0..<k { sFront += w[i] }
                        for i in k..<n { sBack += w[i] }
                        let (sa, sb) = k == na ? (sFront, sBack) : (sBack, sFront)
                        out[r - range.lowerBound] = sa / Double(na) - sb / Double(n - na)
                        // Undo the swaps, so every arrangement starts from the same order.
                        for i in stride(from: k - 1, through: 0, by: -1) { w.swapAt(i, swaps[i]) }
                    }
                }
            }
        }
        return try result(observed: observed, null: null, gamma: gamma, alternative: alternative,
                          level: level, scheme: "label permutation")
    }

    /// Tests mean(a − b) for paired samples by random sign flips of the differences.
    /// - Throws: ``StatisticsError`` for empty, non-finite or unequal-length samples.
    public func paired(_ a: [Double], _ b: [Double], alternative: Alternative = .twoSided,
                       level: Double = 0.95) throws -> PermutationTestResult {
        try StatisticsError.requireFinite(a, "a")
        try StatisticsError.requireFinite(b, "b")
        try StatisticsError.requireCount(a, atLeast: 1, "a")
        guard a.count == b.count else {
            throw StatisticsError("b", expected: "as many values as a (\(a.count)) for a paired test, found \(b.count)")
        }
        let d = zip(a, b).map { $0 - $1 }
        let n = d.count
        let observed = d.reduce(0, +) / Double(n)  // summed in the order the arrangements are
        let gamma = 100 * Double.ulpOfOne * abs(observed)

        if n < 62, (1 << n) <= resamples {
            try Self.requireEnumerable(1 << n)
            var atLeast = 0, atMost = 0
            let total = 1 << n
            for mask in 0..<total {
                var s = 0.0
                for i in 0..<n { s += (mask >> i) & 1 == 1 ? -d[i] : d[i] }
                let t = s / Double(n)
                if t >= observed - gamma { atLeast += 1 }
                if t <= observed + gamma { atMost += 1 }
            }
            let test = try MonteCarloTest.assemble(observed: observed, atLeast: atLeast, atMost: atMost,
                                                   total: total, exact: true, alternative: alternative, level: level)
            return PermutationTestResult(statistic: observed, test: test, provenance: nil)
        }

        if let excess = MemoryBudget.excess(8 * Double(resamples), what: "\(resamples) permuted statistics of 8 bytes") {
            throw StatisticsError("resamples", expected: excess)
        }
        let stream = RandomStream(seed: seed, path: path)
        let null = d.withUnsafeBufferPointer { data in
            let data = UncheckedSendable(data)
            return ReplicateRunner.run(count: resamples, workers: workers) { range, out in
                let x = data.value
                for r in range {
                    var s = stream.derived(index: r)
                    var total = 0.0
                    var i = 0
                    while i < n {
                        var bits = s.next()
                        let end = min(n, i + 64)
                        while i < end {
                            // Flip the sign bit when the low random bit is set: no branch.
                            let sign = (bits & 1) << 63
                            total += Double(bitPattern: x[i].bitPattern ^ sign)
                            bits >>= 1
                            i += 1
                        }
                    }
                    out[r - range.lowerBound] = total / Double(n)
                }
            }
        }
        return try result(observed: observed, null: null, gamma: gamma, alternative: alternative,
                          level: level, scheme: "sign flip")
    }

    private func result(observed: Double, null: [Double], gamma: Double, alternative: Alternative,
                        level: Double, scheme: String) throws -> PermutationTestResult {
        var atLeast = 0, atMost = 0
        for t in null {
            if t >= observed - gamma { atLeast += 1 }
            if t <= observed + gamma { atMost += 1 }
        }
        let test = try MonteCarloTest.assemble(observed: observed, atLeast: atLeast, atMost: atMost,
                                               total: null.count, exact: false, alternative: alternative, level: level)
        return PermutationTestResult(statistic: observed, test: test,
                                     provenance: ResamplingProvenance(seed: seed, streamPath: path, scheme: scheme))
    }

    static func differenceOfMeans(_ pooled: [Double], _ na: Int) -> Double {
        var sa = 0.0, sb = 0.0
        for i in 0..<pooled.count { if i < na { sa += pooled[i] } else { sb += pooled[i] } }
        return sa / Double(na) - sb / Double(pooled.count - na)
    }

    /// C(n, k), or nil when it exceeds Int.max.
    static func binomial(_ n: Int, _ k: Int) -> Int? {
        let k = min(k, n - k)
        var result = 1
        for i in 0..<k {
            let (m, overflow) = result.multipliedReportingOverflow(by: n - i)
            if overflow { return nil }
            result = m / (i + 1)
        }
        return result
    }

    /// Advances `c` (ascending indices in 0..<n) to the next combination in lexicographic order.
    static func nextCombination(_ c: inout [Int], _ n: Int) -> Bool {
        let k = c.count
        var i = k - 1
        while i >= 0 && c[i] == n - k + i { i -= 1 }
        if i < 0 { return false }
        c[i] += 1
        for j in (i + 1)..<k { c[j] = c[j - 1] + 1 }
        return true
    }
}
