import Foundation
import Testing

/// `salmon sae`: an SAE on supplied activations against Gaussian redraws and frozen-decoder SAEs,
/// thin over the engine (the same numbers as `salmon audit` on the spec it describes).
@Suite("SAE CLI", .serialized)
struct SAECLITests {
    /// The estimate and null values of every test in a results.json, by test id.
    static func values(_ path: String) throws -> [String: [Double]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tests = try #require(json["tests"] as? [[String: Any]])
        var out: [String: [Double]] = [:]
        for t in tests {
            let id = try #require(t["id"] as? String)
            let estimate = try #require(t["estimate"] as? Double)
            let null = try #require(t["null"] as? [String: Any])
            out[id] = [estimate] + (try #require(null["values"] as? [Double]))
        }
        return out
    }

    @Test func anSAEOnSparseActivationsBeatsGaussianAndFrozenDecoderNulls() throws {
        let root = AuditCLITests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // 400 rows of width 8, each a sum of 2 of 24 fixed directions with weights in [1, 2):
        // sparse structure that a TopK SAE with k = 2 reconstructs and a Gaussian does not have.
        var state: UInt64 = 99
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        let rows = 400, width = 8, features = 24
        let directions = (0..<(features * width)).map { _ in uniform() * 2 - 1 }
        var x = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows {
            for _ in 0..<2 {
                let j = Int(uniform() * Float(features)) % features, a = 1 + uniform()
                for i in 0..<width { x[r * width + i] += a * directions[j * width + i] }
            }
        }
        try AuditCLITests.npy(x, shape: [rows, width]).write(to: URL(fileURLWithPath: root + "/trained.npy"))
        let run = runSalmon(["sae", "--trained", root + "/trained.npy", "--gaussian", "59", "--frozen-decoder", "59", "--k", "2",
                             "--epochs", "100", "--learning-rate", "0.01", "--seed", "3", "--out", root + "/out", "--jobs", "2"])
        #expect(run.status == 0, "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect(run.stdout.contains("holds  explainedVariance at activations"), "\(run.stdout)")
        let cli = try Self.values(root + "/out/results.json")
        #expect(Set(cli.keys) == ["explainedVariance@activations~gaussian-activations", "explainedVariance@activations~frozen-decoder"])
        let frozen = try #require(cli["explainedVariance@activations~frozen-decoder"])
        #expect(frozen.count == 60 && frozen.dropFirst().allSatisfy { $0 < frozen[0] }, "\(frozen)")

        // The same audit from a spec: the same numbers.
        try """
            version: 1
            name: sae
            seed: 3
            model:
              activations: {trained: trained.npy}
            claims:
              - {name: explainedVariance, method: {name: topk-sae, k: 2, epochs: 100, learningRate: 0.01}, statistic: explainedVariance}
            nulls:
              - {family: gaussian-activations, K: 59}
              - {family: frozen-decoder, K: 59}
            """.write(toFile: root + "/sae.yaml", atomically: true, encoding: .utf8)
        let audit = runSalmon(["audit", root + "/sae.yaml", "--out", root + "/audit", "--jobs", "2"])
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(try Self.values(root + "/audit/results.json") == cli)
    }
}
