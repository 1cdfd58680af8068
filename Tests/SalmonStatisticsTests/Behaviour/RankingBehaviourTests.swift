import SalmonStatistics
import Testing

/// Ordinal ranks of large samples, which take the two-thread path of the stable order (2¹⁷ items
/// and more): each must equal a stable comparison sort's, with ties (and −0 = +0) in input order.
@Suite struct RankingBehaviourTests {
    @Test(arguments: [131_071, 131_072, 300_001])
    func largeOrdinalRanksEqualAStableSort(n: Int) throws {
        var stream = RandomStream(seed: 41, path: ["ranks", .index(n)])
        // Few distinct values (many ties), signed zeros, and values sharing their high 32 bits.
        let x: [Double] = (0..<n).map { i in
            switch i % 4 {
            case 0: return Double(stream.index(below: 40)) - 20
            case 1: return i % 8 == 1 ? -0.0 : 0.0
            case 2: return 1 + Double(stream.index(below: 1000)) * 1e-13
            default: return stream.uniform() * 1e-300
            }
        }
        let reference = (0..<n).sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
        var expected = [Double](repeating: 0, count: n)
        for (rank, i) in reference.enumerated() { expected[i] = Double(rank + 1) }
        #expect(Ranking.ranks(x, ties: .ordinal) == expected)
    }
}
