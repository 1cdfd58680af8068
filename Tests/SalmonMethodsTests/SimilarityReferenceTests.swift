import Foundation
import SalmonMethods
import Testing

/// Map similarity measures against scipy 1.17 (`spearmanr`), numpy and scikit-image 0.26
/// (`structural_similarity`) on the committed fixture `Fixtures/attribution/similarity.json`
/// (made by `generate_similarity.py` in the same folder). All computations are Float64 on the
/// same inputs, so agreement is to rounding: 1e-12 absolute (top-k intersections exactly).
@Suite struct SimilarityReferenceTests {
    struct TopK: Decodable { var k: Int; var values: [Double] }
    struct SSIM: Decodable {
        var windowSize: Int
        var dataRange: Range
        var values: [Double]
        /// A number, or the string "joint".
        enum Range: Decodable {
            case fixed(Double), joint
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let v = try? c.decode(Double.self) { self = .fixed(v) } else { self = .joint }
            }
        }
    }
    struct Case: Decodable {
        var name: String; var rows: Int; var height: Int; var width: Int
        var a: [Double]; var b: [Double]
        var spearman: [Double?]; var spearmanAbsolute: [Double?]; var cosine: [Double]
        var topK: [TopK]; var ssim: [SSIM]
    }
    struct File: Decodable { var cases: [Case] }

    static let file: File = {
        do { return try Fixture.load("attribution/similarity.json") } catch { fatalError("similarity.json: \(error)") }
    }()

    static func agree(_ result: MapSimilarityResult, _ reference: [Double?], _ what: String) {
        #expect(result.perRow.count == reference.count, "\(what): row count")
        for (r, (value, expected)) in zip(result.perRow, reference).enumerated() {
            if let expected {
                #expect(abs(value - expected) <= 1e-12, "\(what) row \(r): \(value) vs \(expected)")
            } else {
                #expect(value.isNaN, "\(what) row \(r): \(value), scipy gives NaN")
            }
        }
        let defined = reference.compactMap { $0 }
        #expect(result.undefinedRows == reference.count - defined.count)
        #expect(abs(result.mean - defined.reduce(0, +) / Double(defined.count)) <= 1e-12, "\(what): mean")
    }

    @Test(arguments: file.cases.map(\.name))
    func spearmanMatchesScipy(_ name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        Self.agree(try MapSimilarity.spearman(absolute: false).compare(c.a, c.b, rows: c.rows), c.spearman, "\(name) spearman")
        Self.agree(try MapSimilarity.spearman(absolute: true).compare(c.a, c.b, rows: c.rows), c.spearmanAbsolute,
                   "\(name) spearman |·|")
    }

    @Test(arguments: file.cases.map(\.name))
    func topKIntersectionAndCosineMatchNumpy(_ name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        for t in c.topK {
            let result = try MapSimilarity.topKIntersection(k: t.k).compare(c.a, c.b, rows: c.rows)
            #expect(result.perRow == t.values, "\(name) top-\(t.k)")
        }
        Self.agree(try MapSimilarity.cosine.compare(c.a, c.b, rows: c.rows), c.cosine, "\(name) cosine")
    }

    @Test(arguments: file.cases.map(\.name))
    func ssimMatchesScikitImage(_ name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        for s in c.ssim {
            let range: StructuralSimilarity.DataRange
            switch s.dataRange {
            case .fixed(let v): range = .fixed(v)
            case .joint: range = .jointRange
            }
            let measure = MapSimilarity.ssim(StructuralSimilarity(height: c.height, width: c.width, dataRange: range,
                                                                  windowSize: s.windowSize))
            Self.agree(try measure.compare(c.a, c.b, rows: c.rows), s.values, "\(name) ssim window \(s.windowSize) \(s.dataRange)")
        }
    }
}
