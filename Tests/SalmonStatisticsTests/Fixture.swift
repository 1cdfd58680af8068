import Foundation

/// Loads a JSON fixture made by `Fixtures/generate_fixtures.py` (scipy, statsmodels, numpy).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// |a − b| ≤ tolerance · max(1, |b|): absolute near zero, relative for large values.
func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    if a == b { return true }
    return abs(a - b) <= tolerance * max(1, abs(b))
}

/// The largest scaled difference between two arrays (for failure messages).
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}
