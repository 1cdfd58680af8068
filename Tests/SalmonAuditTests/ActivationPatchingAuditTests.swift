import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import Testing

/// Activation-patching claims on a transformer trained on modular addition: the subject's
/// clean/corrupted pairs, the values against a direct ``ActivationPatching`` of each model, the
/// spec's refusals, and calibration.
@Suite struct ActivationPatchingAuditTests {
    static let yaml = """
    name: patching
    seed: 5
    model:
      task: modular-addition
      taskOptions: {modulus: 7, examples: 30}
      transformer: {dimension: 16, heads: 2, layers: 2}
      training: {epochs: 60, batchSize: 30, learningRate: 0.003, weightDecay: 1.0}
      evaluationExamples: 19
    claims:
      - {name: carries, method: {name: activation-patching}, sites: [blocks.0.attn.heads.1, blocks.1.mlp.out, blocks.0.resid@0, blocks.1.resid@1]}
    nulls:
      - {family: random-init, K: 5}
      - {family: cascading-top-down, K: 3}
    resampling: {bootstrap: 200}
    """

    @Test func valuesAreThePatchingOfEachModelOnTheSubjectsPairs() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let pairs = try #require(subject.counterfactuals)
        #expect(pairs.clean == subject.evaluation && pairs.clean.count == 19)
        for (c, k) in zip(pairs.clean, pairs.corrupted) { #expect(k[1] == c[1] && k[0] != c[0] && (0..<7).contains(k[0])) }
        #expect(pairs.correct == pairs.clean.map { ($0[0] + $0[1]) % 7 } && pairs.wrong == pairs.corrupted.map { ($0[0] + $0[1]) % 7 })
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 4 * 2)
        let again = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(again) == CSVReport.render(result))

        func direct(_ model: Transformer, _ component: PatchingComponent) throws -> Double {
            try ActivationPatching(model: model, clean: pairs.clean.flatMap { $0 }, corrupted: pairs.corrupted.flatMap { $0 }, batch: 19, length: 2,
                                   correct: pairs.correct, wrong: pairs.wrong).recovered(component)
        }
        let model = subject.trained[0]
        let components: [(String, PatchingComponent)] = [("blocks.0.attn.heads.1", .head(block: 0, head: 1)), ("blocks.1.mlp.out", .site("blocks.1.mlp.out")),
                                                         ("blocks.0.resid@0", .position(site: "blocks.0.resid", position: 0)),
                                                         ("blocks.1.resid@1", .position(site: "blocks.1.resid", position: 1))]
        for (site, component) in components {
            let test = try #require(result.tests.first { $0.id == "carries@\(site)~random-init" })
            #expect(test.estimate == (try direct(model, component)), "\(site)")
            #expect(test.statistic == "logitDifferenceRecovered" && test.direction == "larger")
            let draws = try (0..<5).map { k in
                try direct(NullModels.reinitialized(model, stream: RandomStream(seed: 5, path: ["null", "random-init", .index(k)])), component)
            }
            #expect(test.null.values == draws, "\(site)")
        }
        // The last position's residual after the last block determines the logits read there.
        #expect(try #require(result.tests.first { $0.id == "carries@blocks.1.resid@1~random-init" }).estimate == 1)
        // Cascading top-down at block 0's head: blocks above it and the unembedding re-initialized.
        let cascade = try #require(result.tests.first { $0.id == "carries@blocks.0.attn.heads.1~cascading-top-down" })
        let stages = NullModels.cascade(model, topDown: true, stream: RandomStream(seed: 5, path: ["null", "cascading-top-down", .index(1)]))
        #expect(cascade.null.values[1] == (try direct(stages[2], .head(block: 0, head: 1))))
    }

    @Test func componentsAndNullsThePatchingCannotTakeAreRefusedNamingTheField() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "p.yaml", edit) }
        let head = refusal { $0.replacingOccurrences(of: "blocks.0.attn.heads.1,", with: "blocks.0.attn.heads.2,") }
        #expect(head.contains("claims.carries.sites") && head.contains("no head blocks.0.attn.heads.2") && head.contains("heads 0 … 1"), "\(head)")
        let readOnly = refusal { $0.replacingOccurrences(of: "blocks.1.mlp.out,", with: "blocks.1.resid.mid,") }
        #expect(readOnly.contains("claims.carries.sites") && readOnly.contains("'blocks.1.resid.mid' is not a site a forward pass replaces"), "\(readOnly)")
        let position = refusal { $0.replacingOccurrences(of: "blocks.0.resid@0", with: "blocks.0.resid@2") }
        #expect(position.contains("position 2 of blocks.0.resid is outside the 2 positions"), "\(position)")
        let garbled = refusal { $0.replacingOccurrences(of: "blocks.0.resid@0", with: "blocks.0.resid@x") }
        #expect(garbled.contains("'blocks.0.resid@x' names no component"), "\(garbled)")
        let gaussian = refusal { $0.replacingOccurrences(of: "  - {family: cascading-top-down, K: 3}", with: "  - {family: gaussian-activations, K: 3}") }
        #expect(gaussian.contains("nulls[1].family") && gaussian.contains("runs the network itself"), "\(gaussian)")
        let target = refusal { $0.replacingOccurrences(of: "method: {name: activation-patching},", with: "method: {name: activation-patching}, target: clean,") }
        #expect(target.contains("claims[0].target") || target.contains("claims.carries.target"), "\(target)")
        let key = refusal { $0.replacingOccurrences(of: "{name: activation-patching}", with: "{name: activation-patching, heads: 2}") }
        #expect(key.contains("heads"), "\(key)")
        let mlp = refusal { _ in
            "name: mlp\nmodel: {task: planted-concepts, hidden: [4]}\nclaims: [{name: carries, method: {name: activation-patching}, sites: [layers.0.post]}]\nnulls: [{family: random-init, K: 2}]\n"
        }
        #expect(mlp.contains("claims[0].method") && mlp.contains("clean and corrupted inputs"), "\(mlp)")
    }

    /// Calibration: with the "trained" transformer one more random-init draw, a head's logit
    /// difference recovered is called distinguishable at α = 0.05 at a rate inside the binomial
    /// 99.9 % band (K = 19, one test).
    @Test func aPatchingClaimOnARandomInitTrainedModelIsDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        let (distinguishable, band) = try await calibrationCount(audits: n) { r in
            try transformerCalibrationSpec(seed: 11000 + r, claim: "name: c, method: {name: activation-patching}, sites: [blocks.0.attn.heads.0]")
        }
        #expect(band.contains(distinguishable), "\(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: activation patching (head) against random-init \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }

    /// Edges: patched exactly by activation-patching, scored to first order by
    /// edge-attribution-patching, both against the library on the same networks and pairs.
    @Test func edgesArePatchedAndAttributedAsTheLibraryDoes() async throws {
        let yaml = Self.yaml.replacingOccurrences(of: "  - {name: carries, method: {name: activation-patching}, sites: [blocks.0.attn.heads.1, blocks.1.mlp.out, blocks.0.resid@0, blocks.1.resid@1]}", with: """
              - {name: path, method: {name: activation-patching}, sites: [blocks.0.attn.heads.1->blocks.1.attn.in, blocks.0.mlp->logits]}
              - {name: eap, method: {name: edge-attribution-patching}, sites: [blocks.0.attn.heads.1->blocks.1.attn.in, blocks.0.mlp->logits, embed->blocks.0.mlp.in]}
            """)
        let spec = try AuditSpec.parse(yaml: yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let pairs = try #require(subject.counterfactuals)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 5 * 2)
        let patching = try ActivationPatching(model: subject.trained[0], clean: pairs.clean.flatMap { $0 }, corrupted: pairs.corrupted.flatMap { $0 },
                                              batch: 19, length: 2, correct: pairs.correct, wrong: pairs.wrong)
        let eap = EdgeAttributionPatching(patching)
        for site in ["blocks.0.attn.heads.1->blocks.1.attn.in", "blocks.0.mlp->logits"] {
            let test = try #require(result.tests.first { $0.id == "path@\(site)~random-init" })
            #expect(test.estimate == (try patching.recovered(try #require(PatchingComponent(parsing: site)))))
        }
        for site in ["blocks.0.attn.heads.1->blocks.1.attn.in", "blocks.0.mlp->logits", "embed->blocks.0.mlp.in"] {
            guard case .edge(let edge)? = PatchingComponent(parsing: site) else { Issue.record("\(site) is not an edge"); continue }
            let test = try #require(result.tests.first { $0.id == "eap@\(site)~random-init" })
            let expected = EdgeAttributionPatching.attributedRecovered(scores: try eap.sequenceScores(edge), clean: patching.cleanDifferences,
                                                                       corrupted: patching.corruptedDifferences)
            #expect(abs(test.estimate - expected) <= 1e-12 * max(1, abs(expected)))
            #expect(test.null.values.count == 5 && test.null.values.allSatisfy(\.isFinite))
        }
        let notEdge = subjectRefusal(of: yaml, file: "p.yaml") { $0.replacingOccurrences(of: "embed->blocks.0.mlp.in]", with: "blocks.1.mlp.out]") }
        #expect(notEdge.contains("claims.eap.sites") && notEdge.contains("scores edges"), "\(notEdge)")
        let backwards = subjectRefusal(of: yaml, file: "p.yaml") { $0.replacingOccurrences(of: "embed->blocks.0.mlp.in]", with: "blocks.1.mlp->blocks.0.attn.in]") }
        #expect(backwards.contains("claims.eap.sites") && backwards.contains("no edge blocks.1.mlp->blocks.0.attn.in"), "\(backwards)")
    }

    /// Calibration: with the "trained" transformer one more random-init draw, an edge's
    /// attributedRecovered is called distinguishable at α = 0.05 at a rate inside the binomial
    /// 99.9 % band (K = 19, one test).
    @Test func anEdgeAttributionClaimOnARandomInitTrainedModelIsDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        let (distinguishable, band) = try await calibrationCount(audits: n) { r in
            try transformerCalibrationSpec(seed: 14000 + r, claim: "name: c, method: {name: edge-attribution-patching}, sites: [blocks.0.attn.heads.0->logits]")
        }
        #expect(band.contains(distinguishable), "\(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: edge attribution patching against random-init \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }

    /// `logitDifferenceRestored`: the library's value on each model, and calibration with the
    /// "trained" transformer one more random-init draw (inside the binomial 99.9 % band).
    @Test func theRestoredLogitDifferenceIsTheLibrarysAndCalibrated() async throws {
        let yaml = Self.yaml.replacingOccurrences(of: "sites: [blocks.0.attn.heads.1, blocks.1.mlp.out, blocks.0.resid@0, blocks.1.resid@1]}",
                                                  with: "sites: [blocks.0.attn.heads.1, blocks.1.mlp.out], statistic: logitDifferenceRestored}")
        let spec = try AuditSpec.parse(yaml: yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let pairs = try #require(subject.counterfactuals)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        for (site, component) in [("blocks.0.attn.heads.1", PatchingComponent.head(block: 0, head: 1)), ("blocks.1.mlp.out", .site("blocks.1.mlp.out"))] {
            let test = try #require(result.tests.first { $0.id == "carries@\(site)~random-init" })
            let patching = try ActivationPatching(model: subject.trained[0], clean: pairs.clean.flatMap { $0 }, corrupted: pairs.corrupted.flatMap { $0 },
                                                  batch: 19, length: 2, correct: pairs.correct, wrong: pairs.wrong)
            let expected = ActivationPatching.restored(patched: try patching.patchedDifferences(component), clean: patching.cleanDifferences,
                                                       corrupted: patching.corruptedDifferences)
            #expect(test.estimate == expected && test.statistic == "logitDifferenceRestored", "\(site)")
            #expect(test.null.values.count == 5 && test.null.values.allSatisfy { $0.isFinite && abs($0) < 10 })
        }
        let n = 400
        let (distinguishable, band) = try await calibrationCount(audits: n) { r in
            try transformerCalibrationSpec(seed: 18000 + r, claim: "name: c, method: {name: activation-patching}, sites: [blocks.0.attn.heads.0], statistic: logitDifferenceRestored")
        }
        #expect(band.contains(distinguishable), "\(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: activation patching (head, logitDifferenceRestored) against random-init \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }
}
