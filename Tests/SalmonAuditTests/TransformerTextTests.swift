import Foundation
import SalmonAudit
import SalmonIO
import SalmonNetworks
import Testing

/// A GPT-2 checkpoint read on lines of text: byte-level BPE as transformers' fast tokenizer
/// tokenizes them, each line its own length, each read at its last token — equal to transformers'
/// hidden states (`Fixtures/gpt2_text/generate.py`).
@Suite struct TransformerTextTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gpt2_text").path

    static func spec(truncation: String = "\n  truncation: truncate", pooling: String = "") throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: gpt2-text
            seed: 5
            model:
              stateDict: model/model.safetensors
              architecture: model/config.json
              text: lines.txt\(truncation)\(pooling)
            claims:
              - {name: mean, method: {name: activation-statistics}, sites: [embed, blocks.0.resid, final], statistic: meanActivation}
            nulls:
              - {family: random-init, K: 3}
            resampling: {bootstrap: 100}
            """, file: "spec.yaml")
    }

    @Test func linesOfTextAreReadAtTheirLastTokenAsTransformersReadsThem() async throws {
        let subject = try #require(try Audit.subject(for: try Self.spec(), specDirectory: Self.fixtures, jobs: 1) as? TransformerSubject)
        let ids = try JSONDecoder().decode([[Int]].self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/ids.json")))
        #expect(ids.map(\.count) == [8, 7, 5, 1, 44, 7, 7, 10, 8, 2, 16, 2])
        #expect(subject.evaluation == ids.map { Array($0.prefix(16)) })
        #expect(subject.modelDescription.contains("12 lines of lines.txt") && subject.modelDescription.contains("1 line longer than the context truncated"))
        let expected = try ArrayInput.activations(Self.fixtures + "/last.npy")   // [3, 12 · 16]
        try #require(expected.shape == [3, 12 * 16])
        let captured = try subject.activations(.trained(seed: 0), sites: ["embed", "blocks.0.resid", "final"])
        var largest: Float = 0
        for (k, site) in ["embed", "blocks.0.resid", "final"].enumerated() {
            let ours = try #require(captured[site])
            #expect(ours.shape == [12, 16])
            for i in 0..<(12 * 16) { largest = max(largest, abs(ours.scalars[i] - expected.scalars[k * 192 + i])) }
        }
        #expect(largest <= 1e-5, "largest difference \(largest)")
        let result = try #require(try await Audit.run(spec: try Self.spec(), subject: subject, jobs: 2).result)
        #expect(result.tests.count == 3 && result.tests.allSatisfy { $0.null.values.count == 3 })
    }

    @Test func aLineLongerThanTheContextIsRefusedUnlessTruncated() throws {
        #expect {
            _ = try Audit.subject(for: try Self.spec(truncation: ""), specDirectory: Self.fixtures, jobs: 1)
        } throws: { error in
            let message = "\(error)"
            return message.contains("lines.txt:5") && message.contains("at most 16 tokens") && message.contains("found 44")
        }
    }

    /// `model.pooling` on a GPT-2 checkpoint: the mean over each line's tokens, or one row per token,
    /// equal to transformers' hidden states averaged or listed.
    @Test(arguments: ["mean", "tokens"])
    func pooledRowsEqualTransformersHiddenStates(pooling: String) throws {
        let subject = try #require(try Audit.subject(for: try Self.spec(pooling: "\n  pooling: \(pooling)"), specDirectory: Self.fixtures, jobs: 1)
                                   as? TransformerSubject)
        let expected = try ArrayInput.activations(Self.fixtures + "/\(pooling).npy")
        let rows = pooling == "tokens" ? 89 : 12
        try #require(expected.shape == [3, rows * 16])
        let captured = try subject.activations(.trained(seed: 0), sites: ["embed", "blocks.0.resid", "final"])
        var largest: Float = 0
        for (k, site) in ["embed", "blocks.0.resid", "final"].enumerated() {
            let ours = try #require(captured[site])
            #expect(ours.shape == [rows, 16])
            for i in 0..<(rows * 16) { largest = max(largest, abs(ours.scalars[i] - expected.scalars[k * rows * 16 + i])) }
        }
        #expect(largest <= 1e-5, "largest difference \(largest)")
    }
}
