import Foundation
import SalmonMethods
import SalmonStatistics
import Testing

/// Properties of the map similarity measures that the fixtures do not pin down: identity,
/// symmetry, undefined rows, validation, and use on two attribution explanations.
@Suite struct SimilarityBehaviourTests {
    static func map(rows: Int, features: Int, seed: UInt64) -> [Double] {
        var s = RandomStream(seed: seed)
        return (0..<(rows * features)).map { _ in s.gaussian() }
    }

    static let measures: [MapSimilarity] = [
        .spearman(absolute: false), .spearman(absolute: true), .topKIntersection(k: 10), .cosine,
        .ssim(StructuralSimilarity(height: 8, width: 8, dataRange: .jointRange)),
        .ssim(StructuralSimilarity(height: 8, width: 8, dataRange: .fixed(4), windowSize: 3, sampleCovariance: false)),
    ]

    @Test(arguments: measures)
    func identicalMapsScoreOneAndMeasuresAreSymmetric(measure: MapSimilarity) throws {
        let a = Self.map(rows: 5, features: 64, seed: 1), b = Self.map(rows: 5, features: 64, seed: 2)
        let same = try measure.compare(a, a, rows: 5)
        #expect(same.perRow.allSatisfy { abs($0 - 1) <= 1e-12 }, "\(measure.name): \(same.perRow)")
        let ab = try measure.compare(a, b, rows: 5), ba = try measure.compare(b, a, rows: 5)
        for (x, y) in zip(ab.perRow, ba.perRow) { #expect(abs(x - y) <= 1e-12) }
        #expect(ab.perRow.allSatisfy { $0 <= 1 + 1e-12 })
        #expect(ab.measure == measure.name && ab.undefinedRows == 0)
    }

    /// Sign flips: the signed measures see anti-correlation, the absolute Spearman does not.
    @Test func absoluteSpearmanIgnoresSign() throws {
        let a = Self.map(rows: 3, features: 20, seed: 3)
        let negated = a.map { -$0 }
        #expect(try MapSimilarity.spearman(absolute: false).compare(a, negated, rows: 3).perRow.allSatisfy { abs($0 + 1) <= 1e-12 })
        #expect(try MapSimilarity.spearman(absolute: true).compare(a, negated, rows: 3).perRow.allSatisfy { abs($0 - 1) <= 1e-12 })
        #expect(try MapSimilarity.cosine.compare(a, negated, rows: 3).perRow.allSatisfy { abs($0 + 1) <= 1e-12 })
        #expect(try MapSimilarity.topKIntersection(k: 5).compare(a, negated, rows: 3).perRow == [1, 1, 1])
    }

    /// A constant row (a dead null network's map) has no rank correlation and a zero row no
    /// cosine: NaN for that row, counted, and left out of the mean.
    @Test func undefinedRowsAreCountedAndLeftOutOfTheMean() throws {
        var a = Self.map(rows: 4, features: 16, seed: 4)
        let b = Self.map(rows: 4, features: 16, seed: 5)
        for j in 16..<32 { a[j] = 0 }
        for measure in [MapSimilarity.spearman(absolute: true), .cosine] {
            let result = try measure.compare(a, b, rows: 4)
            #expect(result.perRow[1].isNaN && result.undefinedRows == 1)
            let defined = [result.perRow[0], result.perRow[2], result.perRow[3]]
            #expect(abs(result.mean - defined.reduce(0, +) / 3) <= 1e-15)
        }
        let allConstant = try MapSimilarity.spearman(absolute: false).compare([Double](repeating: 1, count: 8), b[0..<8].map { $0 }, rows: 2)
        #expect(allConstant.mean.isNaN && allConstant.undefinedRows == 2)
    }

    @Test func invalidArgumentsAreRejected() {
        let a = Self.map(rows: 2, features: 64, seed: 6)
        #expect(throws: MethodError.self) { try MapSimilarity.cosine.compare(a, Array(a.dropLast()), rows: 2) }
        #expect(throws: MethodError.self) { try MapSimilarity.cosine.compare(a, a, rows: 3) }
        #expect(throws: MethodError.self) { try MapSimilarity.topKIntersection(k: 0).compare(a, a, rows: 2) }
        #expect(throws: MethodError.self) { try MapSimilarity.topKIntersection(k: 65).compare(a, a, rows: 2) }
        #expect(throws: MethodError.self) { try MapSimilarity.ssim(StructuralSimilarity(height: 8, width: 7, dataRange: .jointRange)).compare(a, a, rows: 2) }
        #expect(throws: MethodError.self) { try MapSimilarity.ssim(StructuralSimilarity(height: 8, width: 8, dataRange: .jointRange, windowSize: 9)).compare(a, a, rows: 2) }
        #expect(throws: MethodError.self) { try MapSimilarity.ssim(StructuralSimilarity(height: 8, width: 8, dataRange: .jointRange, windowSize: 4)).compare(a, a, rows: 2) }
        #expect(throws: MethodError.self) { try MapSimilarity.ssim(StructuralSimilarity(height: 8, width: 8, dataRange: .fixed(0))).compare(a, a, rows: 2) }
        var bad = a
        bad[3] = .nan
        #expect(throws: MethodError.self) { try MapSimilarity.cosine.compare(bad, a, rows: 2) }
        let m1 = Explanation.Map(shape: [2, 64], axes: ["input", "feature"], values: a)
        let m2 = Explanation.Map(shape: [4, 32], axes: ["input", "feature"], values: a)
        #expect(throws: MethodError.self) { try MapSimilarity.cosine.compare(m1, m2) }
    }

    /// The intended use: a trained-vs-randomized comparison of two attribution explanations.
    /// Gradient ⊙ input on two unrelated random networks still correlates through the input
    /// (Adebayo et al.'s finding), while the plain gradient does much less.
    @Test func comparesTwoAttributionExplanations() throws {
        let x = AttributionTestSupport.inputs(rows: 50, columns: 64, seed: 7)
        let first = AttributionTestSupport.model([64, 64, 64, 10], .relu, seed: 8)
        let second = AttributionTestSupport.model([64, 64, 64, 10], .relu, seed: 9)
        func similarity(_ method: AttributionMethod) throws -> MapSimilarityResult {
            let a = try AttributionTestSupport.explain(method, first, x, .output(0))
            let b = try AttributionTestSupport.explain(method, second, x, .output(0))
            return try MapSimilarity.spearman(absolute: true).compare(a.map!, b.map!)
        }
        let gradient = try similarity(.gradient()), product = try similarity(.gradientTimesInput)
        #expect(gradient.perRow.count == 50)
        #expect(product.mean > gradient.mean + 0.2, "gradient ⊙ input \(product.mean), gradient \(gradient.mean)")
    }
}
