import Testing
import SalmonStatistics

/// The seeded, path-addressed random streams.
@Suite struct RandomStreamTests {
    struct Case: Decodable {
        enum Component: Decodable {
            case label(String), index(Int)
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let i = try? c.decode(Int.self) { self = .index(i) } else { self = .label(try c.decode(String.self)) }
            }
        }
        var seed: String
        var path: [Component]
        var outputs: [String]
    }
    struct File: Decodable { var cases: [Case] }

    /// The documented derivation, reimplemented in Python (`random_stream_reference.py`, whose
    /// xoshiro256** core is checked against the published test vector), gives the same numbers.
    @Test func matchesIndependentImplementation() throws {
        let file = try Fixture.load("random_stream.json", as: File.self)
        #expect(file.cases.count == 8)
        for c in file.cases {
            let seed = try #require(UInt64(c.seed))
            let path = StreamPath(c.path.map { component -> StreamPath.Component in
                switch component {
                case .label(let s): return .label(s)
                case .index(let i): return .index(i)
                }
            })
            var stream = RandomStream(seed: seed, path: path)
            let outputs = (0..<5).map { _ in String(stream.next()) }
            #expect(outputs == c.outputs, "seed \(c.seed) path \(path)")
        }
    }

    @Test func derivationDependsOnAddressNotOnConsumption() {
        let root = RandomStream(seed: 42)
        var consumed = root
        for _ in 0..<1000 { _ = consumed.next() }
        var a = root.derived("null", 17)
        var b = consumed.derived("null", 17)
        #expect(a.next() == b.next())
        #expect(root.derived("null", 17) == RandomStream(seed: 42, path: ["null", 17]))
        #expect(root.derived("null").derived(17) == root.derived("null", 17))
        #expect(root.derived(index: 5) == root.derived(.index(5)))
    }

    @Test func distinctPathsGiveDistinctStreams() {
        let root = RandomStream(seed: 7)
        let keys: [UInt64] = [
            root.key, root.derived("ab").key, root.derived("a", "b").key, root.derived(1).key,
            root.derived("1").key, root.derived("null", 1, 2).key, root.derived("null", 12).key,
            RandomStream(seed: 8).key, root.derived("").key, root.derived(0).key,
        ]
        #expect(Set(keys).count == keys.count)
        #expect(root.derived(StreamPath([])).key == root.key)
    }

    @Test func copiesReplayTheSameNumbers() {
        var a = RandomStream(seed: 3)
        _ = a.next()
        var b = a
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
    }

    /// χ² goodness of fit of bounded integers, single and paired, for bounds that are not powers of two.
    @Test(arguments: [3, 10, 1000])
    func boundedIntegersAreUniform(bound: Int) {
        var s = RandomStream(seed: 1, path: ["uniformity", .index(bound)])
        let draws = 200 * bound
        var single = [Int](repeating: 0, count: bound)
        var paired = [Int](repeating: 0, count: bound)
        for _ in 0..<draws { single[s.index(below: bound)] += 1 }
        for _ in 0..<(draws / 2) {
            let (p, q) = s.indexPair(below: bound)
            paired[p] += 1
            paired[q] += 1
        }
        func chiSquare(_ counts: [Int]) -> Double {
            let expected = Double(counts.reduce(0, +)) / Double(bound)
            return counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        }
        // 99.9 % quantiles of χ² with bound − 1 degrees of freedom (scipy.stats.chi2.ppf(0.999, df)).
        let critical: [Int: Double] = [3: 13.815510557964274, 10: 27.877164871256568, 1000: 1118.8738013106897]
        let limit = critical[bound] ?? .infinity
        #expect(chiSquare(single) < limit)
        #expect(chiSquare(paired) < limit)
    }

    @Test func uniformAndGaussianMoments() {
        var s = RandomStream(seed: 5, path: ["moments"])
        let n = 200_000
        var sum = 0.0, sumSquares = 0.0, minimum = 1.0
        for _ in 0..<n {
            let u = s.uniform()
            sum += u; sumSquares += u * u; minimum = min(minimum, u)
            #expect(u >= 0 && u < 1)
        }
        // Mean 1/2 (sd of the mean 0.00065) and variance 1/12, within 5 standard errors.
        #expect(abs(sum / Double(n) - 0.5) < 5 * (1.0 / 12 / Double(n)).squareRoot())
        #expect(abs(sumSquares / Double(n) - 1.0 / 3) < 0.003)
        var g = [Double](repeating: 0, count: n)
        g.withUnsafeMutableBufferPointer { s.fillGaussian($0) }
        #expect(abs(Descriptive.mean(g)) < 5 / Double(n).squareRoot())
        #expect(abs(Descriptive.variance(g) - 1) < 5 * (2 / Double(n)).squareRoot())
        let e = (0..<n).map { _ in s.exponential(mean: 2) }
        #expect(abs(Descriptive.mean(e) - 2) < 5 * 2 / Double(n).squareRoot())
    }
}
