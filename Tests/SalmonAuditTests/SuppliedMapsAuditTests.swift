import Foundation
import SalmonMethods
import SalmonStatistics
import Testing

@testable import SalmonAudit

/// Supplied attribution maps (`model.maps`, the `supplied-maps` family) as an audit: the spec's
/// rules, values recomputed by hand, and calibration when the reference seed's maps are one more
/// null draw.
@Suite struct SuppliedMapsAuditTests {
    static func write(_ maps: [Double], to path: String, rows: Int) throws {
        try RidgeProbeAuditTests.npy(maps, shape: [rows, 4, 4], float64: false).write(to: URL(fileURLWithPath: path))
    }

    static func spec(_ root: String, nulls: Int, extra: String = "") throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: maps
            model:
              maps: {trained: [\(root)/t0.npy, \(root)/t1.npy], nulls: "\(root)/null-*.npy"}
            claims: [{name: m, method: {name: supplied-maps\(extra)}}]
            nulls: [{family: supplied, K: \(nulls)}]
            resampling: {bootstrap: 200, interval: percentile}
            """)
    }

    /// The spec's rules: strict method keys, one site, K equal to the listed files, the
    /// family `supplied` only, the requirement of K_t ≥ 2 named on the statistic.
    @Test func theSpecIsChecked() throws {
        func refusal(_ yaml: String) -> String {
            do { _ = try AuditSpec.parse(yaml: yaml); return "" } catch { return "\(error)" }
        }
        let base = """
            name: maps
            model: {maps: {trained: [a.npy, b.npy], nulls: [n0.npy, n1.npy]}}
            claims: [{name: m, method: {name: supplied-maps}}]
            nulls: [{family: supplied, K: 2}]
            """
        #expect(refusal(base).isEmpty)
        #expect(refusal(base.replacingOccurrences(of: "{name: supplied-maps}", with: "{name: supplied-maps, steps: 3}")).contains("steps"))
        #expect(refusal(base.replacingOccurrences(of: "supplied-maps}}", with: "supplied-maps}, sites: [layers.0.post]}")).contains("claims[0].sites"))
        #expect(refusal(base.replacingOccurrences(of: "K: 2", with: "K: 3")).contains("nulls[0].K"))
        #expect(refusal(base.replacingOccurrences(of: "family: supplied", with: "family: random-init")).contains("nulls[0].family"))
        #expect(refusal(base.replacingOccurrences(of: "[a.npy, b.npy]", with: "a.npy")).contains("claims[0].statistic"))
        #expect(refusal(base.replacingOccurrences(of: "{name: supplied-maps}", with: "{name: gradient}")).contains("claims[0].method"))
        #expect(refusal(base.replacingOccurrences(of: "{name: supplied-maps}", with: "{name: supplied-maps, similarity: rank}")).contains("similarity"))
    }

    /// Estimate and null draws recomputed by hand: Spearman's ρ of |maps| per row, averaged.
    @Test func valuesAreSimilaritiesToTrainedNetworkZero() async throws {
        let root = RidgeProbeAuditTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var stream = RandomStream(seed: 12)
        let rows = 30, n = rows * 16
        let anchor = (0..<n).map { _ in stream.gaussian() }
        let reference = anchor.map { $0 + 0.5 * stream.gaussian() }
        let nulls = (0..<4).map { _ in (0..<n).map { _ in stream.gaussian() } }
        try Self.write(anchor, to: root + "/t0.npy", rows: rows)
        try Self.write(reference, to: root + "/t1.npy", rows: rows)
        for (k, maps) in nulls.enumerated() { try Self.write(maps, to: root + "/null-\(k).npy", rows: rows) }
        let spec = try Self.spec(root, nulls: 4)
        let result = try #require(try await Audit.run(spec: spec, subject: try AttributionMapSubject(spec: spec), jobs: 2).result)
        let f = { (x: [Double]) in x.map { Double(Float($0)) } }
        func similarity(_ maps: [Double]) throws -> Double {
            try AttributionSimilarity.spearmanAbsolute.compare(f(anchor), f(maps), rows: rows).mean
        }
        let test = try #require(result.tests.first)
        #expect(result.tests.count == 1 && test.site == "maps" && test.family == "supplied")
        #expect(abs(test.estimate - (try similarity(reference))) < 1e-12)
        for k in 0..<4 { #expect(abs(test.null.values[k] - (try similarity(nulls[k]))) < 1e-12) }
    }

    /// Calibration: when the reference seed's maps are drawn like the null files (independent
    /// noise), "distinguishable" comes out at a rate inside the binomial 99.9 % band of α = 5 %.
    @Test func similarityToTrainedOnSuppliedMapsIsCalibrated() async throws {
        let n = Int(ProcessInfo.processInfo.environment["SALMON_CALIBRATION_REPS"] ?? "") ?? 400
        let band = BinomialDistribution.centralBand(level: 0.999, trials: n, probability: 0.05)
        let root = RidgeProbeAuditTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let rows = 20, count = rows * 16
        var distinguishable = 0
        for r in 0..<n {
            var stream = RandomStream(seed: 4000 + UInt64(r))
            // A common structure every map shares (so similarities are not all near 0), plus noise.
            let common = (0..<count).map { _ in stream.gaussian() }
            func draw() -> [Double] { common.map { $0 + 1.5 * stream.gaussian() } }
            try Self.write(draw(), to: root + "/t0.npy", rows: rows)
            try Self.write(draw(), to: root + "/t1.npy", rows: rows)
            for k in 0..<19 { try Self.write(draw(), to: root + "/null-\(String(format: "%02d", k)).npy", rows: rows) }
            let spec = try Self.spec(root, nulls: 19)
            let result = try #require(try await Audit.run(spec: spec, subject: try AttributionMapSubject(spec: spec), jobs: 1).result)
            if result.tests[0].verdict == .distinguishable { distinguishable += 1 }
        }
        #expect(band.contains(distinguishable), "supplied maps: \(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: supplied-maps similarityToTrained \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }
}
