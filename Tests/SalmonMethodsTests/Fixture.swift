import Foundation

/// Loads `Fixtures/probes.json`, made once by `Fixtures/generate_probes.py` (scikit-learn, numpy).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// The largest |a − b| / max(1, |b|).
func maxScaledDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "arrays of different lengths")
    return zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}
