import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// The `activation-statistics` family, added as a folder and one registration line: audited end
/// to end, with its `smaller` statistic tested in the `less` direction.
@Suite struct ActivationStatisticsAuditTests {
    static let rows = 40, width = 10, nullCount = 19

    /// Trained activations with unit 9 dead (dead fraction 0.1); null file k with (k mod 5) dead
    /// units (fractions 0, 0.1, 0.2, 0.3, 0.4); all other entries uniform in (0.1, 1.1) scaled by
    /// 1 + k/10 for null k, so mean activations differ.
    static func writeFiles(in root: String) throws -> (trained: Tensor, nulls: [Tensor]) {
        var stream = RandomStream(seed: 77)
        func matrix(dead: Int, scale: Float) -> Tensor {
            var values = [Float](repeating: 0, count: rows * width)
            for i in 0..<rows {
                for j in 0..<width where j < width - dead { values[i * width + j] = scale * (0.1 + Float(stream.uniform())) }
            }
            return Tensor(shape: [rows, width], scalars: values)
        }
        let trained = matrix(dead: 1, scale: 1)
        try RidgeProbeAuditTests.npy(trained.scalars.map(Double.init), shape: [rows, width], float64: false)
            .write(to: URL(fileURLWithPath: root + "/trained.npy"))
        var nulls: [Tensor] = []
        for k in 0..<nullCount {
            let m = matrix(dead: k % 5, scale: 1 + Float(k) / 10)
            nulls.append(m)
            try RidgeProbeAuditTests.npy(m.scalars.map(Double.init), shape: [rows, width], float64: false)
                .write(to: URL(fileURLWithPath: root + "/null-\(k).npy"))
        }
        return (trained, nulls)
    }

    static func spec(root: String) throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            version: 1
            name: activation-statistics
            seed: 3
            model:
              activations: {trained: \(root)/trained.npy, nulls: [\((0..<nullCount).map { "\(root)/null-\($0).npy" }.joined(separator: ", "))]}
            claims:
              - {name: dead, method: {name: activation-statistics}, statistic: deadUnitFraction}
              - {name: mean, method: {name: activation-statistics}}
            nulls: [{family: supplied, K: \(nullCount)}]
            resampling: {bootstrap: 500, interval: percentile}
            """, file: "activation-statistics.yaml")
    }

    /// Every value recomputed from the matrices, and the p-values counted by hand in each
    /// statistic's declared direction: `deadUnitFraction` is smaller-is-better, so its p-value
    /// counts the null draws at most as large (and differs from the `greater` count here).
    @Test func bothStatisticsAreTestedInTheirDeclaredDirection() async throws {
        let root = RidgeProbeAuditTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (trained, nulls) = try Self.writeFiles(in: root)
        let spec = try Self.spec(root: root)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 1)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        func direct(_ m: Tensor) throws -> (mean: Double, dead: Double) {
            let e = try ActivationStatistics().explain(m, stream: RandomStream(seed: 0))
            return (e.scalars["meanActivation"] ?? .nan, e.scalars["deadUnitFraction"] ?? .nan)
        }
        let nullValues = try nulls.map(direct)
        let k1 = Double(Self.nullCount + 1)

        let dead = try #require(result.tests.first { $0.claim == "dead" })
        #expect(dead.direction == "smaller" && dead.statistic == "deadUnitFraction")
        #expect(dead.estimate == 0.1)
        #expect(dead.null.values == nullValues.map(\.dead))
        let atMost = nullValues.count { $0.dead <= 0.1 }, atLeast = nullValues.count { $0.dead >= 0.1 }
        #expect(dead.pValue == Double(1 + atMost) / k1)
        #expect(atMost != atLeast, "the fixture must tell the directions apart")
        #expect(dead.extremeCount == atMost)
        // Rows resampled: a resample can only lose units, so the interval sits at or above 0.1.
        let interval = try #require(dead.interval)
        #expect(interval.lower >= 0.1 - 1e-12 && dead.intervalMethod.contains("evaluation rows"))

        let mean = try #require(result.tests.first { $0.claim == "mean" })
        let observed = try direct(trained).mean
        #expect(mean.direction == "larger" && abs(mean.estimate - observed) < 1e-12)
        #expect(mean.pValue == Double(1 + nullValues.count { $0.mean >= observed }) / k1)
        #expect(mean.intervalMethod.contains("per-example scores"))
    }

    /// On a network: the trained and null values are the statistics of the activations the
    /// network subject captures, null model by null model.
    @Test func onANetworkTheValuesAreThoseOfTheCapturedActivations() async throws {
        let spec = try AuditSpec.parse(yaml: """
            name: activations-of-an-mlp
            seed: 5
            model:
              task: planted-concepts
              taskOptions: {examples: 200, concepts: 3, dimension: 8, labelConcepts: [0], noise: 0.3}
              hidden: [12, 12]
              training: {epochs: 10, batchSize: 50, learningRate: 0.02}
              evaluationExamples: 100
            claims:
              - {name: dead, method: {name: activation-statistics, threshold: 0.05}, statistic: deadUnitFraction}
              - {name: mean, method: {name: activation-statistics}}
            nulls:
              - {family: random-init, K: 9}
              - {family: cascading-top-down, K: 9}
            resampling: {bootstrap: 200}
            """)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 1)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 2 * 2 * 2)
        for test in result.tests {
            let threshold = test.claim == "dead" ? 0.05 : 0
            func value(_ unit: AuditUnit) throws -> Double {
                let a = try #require(try subject.activations(unit, sites: [test.site])[test.site])
                return try #require(try ActivationStatistics(threshold: threshold).explain(a, stream: RandomStream(seed: 0)).scalars[test.statistic])
            }
            #expect(abs(test.estimate - (try value(.trained(seed: 0)))) < 1e-12, "\(test.id)")
            let nulls = try (0..<9).map { try value(.null(family: test.family, index: $0)) }
            #expect(zip(test.null.values, nulls).allSatisfy { abs($0 - $1) < 1e-12 }, "\(test.id)")
            let alternative: Alternative = test.statistic == "deadUnitFraction" ? .less : .greater
            let p = try MonteCarloTest.pValue(observed: test.estimate, null: nulls, alternative: alternative, level: 0.95)
            #expect(test.pValue == p.pValue, "\(test.id)")
        }
    }

    @Test func badClaimsNameTheField() throws {
        func error(_ claim: String) -> String {
            do {
                _ = try AuditSpec.parse(yaml: """
                    name: bad
                    model: {task: planted-concepts}
                    claims: [\(claim)]
                    nulls: [{family: random-init, K: 9}]
                    """, file: "bad.yaml")
                return "accepted"
            } catch { return "\(error)" }
        }
        let target = error("{name: c, method: {name: activation-statistics}, target: 'concept:1'}")
        #expect(target.contains("claims[0].target") && target.contains("reads no target"), "\(target)")
        let key = error("{name: c, method: {name: activation-statistics, folds: 3}}")
        #expect(key.contains("unknown key 'folds'") && key.contains("allowed: name, threshold"), "\(key)")
        let name = error("{name: c, method: {name: activation-statistic}}")
        #expect(name.contains("did you mean 'activation-statistics'"), "\(name)")
        let statistic = error("{name: c, method: {name: activation-statistics}, statistic: deadUnitFractoin}")
        #expect(statistic.contains("did you mean 'deadUnitFraction'"), "\(statistic)")
    }
}
