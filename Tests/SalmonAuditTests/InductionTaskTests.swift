import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// The induction task on a transformer trained here: the subject's data and counterfactual pairs,
/// what a trained 2-block transformer learns, and the spec's refusals.
@Suite struct InductionTaskTests {
    static let yaml = """
    name: induction
    seed: 9
    model:
      task: induction
      taskOptions: {vocabulary: 10, tokens: 4, examples: 600}
      transformer: {dimension: 32, heads: 2, layers: 2}
      training: {epochs: 10, batchSize: 100, learningRate: 0.003, weightDecay: 0.01}
      evaluationExamples: 40
    claims:
      - {name: carries, method: {name: activation-patching}, sites: [blocks.1.resid@4, blocks.0.resid@3]}
    nulls:
      - {family: random-init, K: 3}
    resampling: {bootstrap: 100}
    """

    @Test func pairsCorruptTheAnswersFirstOccurrence() throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        #expect(subject.evaluation.count == 40 && subject.evaluation.allSatisfy { $0.count == 5 })
        let pairs = try #require(subject.counterfactuals)
        for (i, (c, k)) in zip(pairs.clean, pairs.corrupted).enumerated() {
            let j = try #require(c[0..<3].firstIndex(of: c[4]))
            #expect(Set(c[0..<4]).count == 4)
            #expect(pairs.correct[i] == c[j + 1], "the answer is the token after the last one's earlier occurrence")
            #expect(k[j + 1] == pairs.wrong[i] && !c.contains(pairs.wrong[i]))
            #expect((0..<5).filter { k[$0] != c[$0] } == [j + 1], "only the answer's occurrence is corrupted")
        }
        #expect(subject.modelDescription.contains("induction (4 distinct tokens of 10, then one of them again)"), "\(subject.modelDescription)")
        // Patching the last position's final residual restores the clean run exactly.
        let patching = try subject.activationPatching(.trained(seed: 0), site: "blocks.1.resid@4")
        #expect(try patching.recovered(.position(site: "blocks.1.resid", position: 4)) == 1)
    }

    @Test func theSpecRefusesWhatTheTaskCannotTake() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "i.yaml", edit) }
        let tokens = refusal { $0.replacingOccurrences(of: "tokens: 4", with: "tokens: 10") }
        #expect(tokens.contains("model.taskOptions.tokens") && tokens.contains("fewer than the vocabulary"), "\(tokens)")
        let modulus = refusal { $0.replacingOccurrences(of: "tokens: 4,", with: "tokens: 4, modulus: 7,") }
        #expect(modulus.contains("model.taskOptions") && modulus.contains("modular-addition"), "\(modulus)")
        let vocabulary = refusal { $0.replacingOccurrences(of: "task: induction", with: "task: modular-addition")
            .replacingOccurrences(of: "vocabulary: 10, tokens: 4, examples: 600", with: "vocabulary: 10, examples: 30") }
        #expect(vocabulary.contains("model.taskOptions") && vocabulary.contains("options of induction"), "\(vocabulary)")
        let target = refusal { $0.replacingOccurrences(of: "{name: activation-patching}, sites: [blocks.1.resid@4, blocks.0.resid@3]", with: "{name: logistic-probe}, target: clean, sites: [blocks.1.resid]") }
        #expect(target.contains("claims.carries.target") && target.contains("induction's target is label"), "\(target)")
    }
}
