import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import Testing

/// Circuit-discovery claims by edge attribution patching (`edge-attribution-circuit`): the values
/// against a direct ``EdgeCircuitDiscovery`` on each model, the overlap with trained network 0's
/// circuit, the random-circuits null, the refusals, and calibration.
@Suite struct EdgeCircuitAuditTests {
    static let yaml = """
    name: edge-circuits
    seed: 5
    model:
      task: modular-addition
      taskOptions: {modulus: 7, examples: 30}
      transformer: {dimension: 16, heads: 2, layers: 2}
      training: {epochs: 60, batchSize: 30, learningRate: 0.003, weightDecay: 1.0, seeds: 2}
      evaluationExamples: 19
    claims:
      - {name: faithful, method: {name: edge-attribution-circuit, edges: 5}, statistic: faithfulness}
      - {name: sparse, method: {name: edge-attribution-circuit, threshold: 0.8}, statistic: circuitFraction}
      - {name: shared, method: {name: edge-attribution-circuit, threshold: 0.8}, statistic: overlapWithTrained}
    nulls:
      - {family: random-circuits, K: 6}
      - {family: random-init, K: 4}
    resampling: {bootstrap: 200}
    """

    static func discovery(_ model: Transformer, _ subject: TransformerSubject) throws -> EdgeCircuitDiscovery {
        let pairs = try #require(subject.counterfactuals)
        return EdgeCircuitDiscovery(try ActivationPatching(model: model, clean: pairs.clean.flatMap { $0 }, corrupted: pairs.corrupted.flatMap { $0 },
                                                           batch: 19, length: 2, correct: pairs.correct, wrong: pairs.wrong))
    }

    @Test func valuesAreThoseOfADirectDiscoveryOnEachModel() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.map(\.id).sorted() == ["faithful@blocks.1.resid~random-circuits", "faithful@blocks.1.resid~random-init",
                                                    "shared@blocks.1.resid~random-init", "sparse@blocks.1.resid~random-init"])
        let again = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(again) == CSVReport.render(result))

        let discoveries = try subject.trained.map { try Self.discovery($0, subject) }
        let top5 = try discoveries.map { try $0.discover(size: .edges(5)) }
        let faithful = try #require(result.tests.first { $0.id == "faithful@blocks.1.resid~random-circuits" })
        let expected = (top5[0].faithfulness + top5[1].faithfulness) / 2
        #expect(abs(faithful.estimate - expected) <= 1e-12 * max(1, abs(expected)))
        // Null draw 0 averages null models 0 and 1, random 5-edge circuits on trained networks 0 and 1,
        // drawn from the claim's method stream.
        let stream = RandomStream(seed: 5, path: ["method", .label("faithful")])
        let random = try (0..<2).map { k -> Double in
            var draw = stream.derived("random-circuits", .index(k))
            return try discoveries[k].faithfulness(keeping: draw.subset(of: discoveries[k].edges.count, count: 5))
        }
        #expect(abs(faithful.null.values[0] - (random[0] + random[1]) / 2) <= 1e-12 * max(1, abs(random[0])))
        #expect(faithful.null.values.count == 3)

        let found = try discoveries.map { try $0.discover(size: .faithfulness(0.8)) }
        let sparse = try #require(result.tests.first { $0.id == "sparse@blocks.1.resid~random-init" })
        let total = Double(discoveries[0].edges.count)
        #expect(abs(sparse.estimate - Double(found[0].kept.count + found[1].kept.count) / (2 * total)) <= 1e-12)
        #expect(sparse.direction == "smaller" && sparse.null.values.count == 2)
        // Overlap: trained network 1's circuit against network 0's, up to relabeled heads; each
        // null draw is one random-init network's circuit against network 0's.
        let shared = try #require(result.tests.first { $0.id == "shared@blocks.1.resid~random-init" })
        let circuits = zip(discoveries, found).map { d, r in Set(r.kept.map { d.edges[$0] }) }
        #expect(shared.estimate == (try EdgeCircuitOverlap(layers: 2, heads: 2)).overlap(circuits[0], circuits[1]))
        #expect(shared.null.values.count == 4 && shared.null.values.allSatisfy { (0...1).contains($0) })
        #expect(result.notes.contains { $0.contains("trained network 0 is the anchor") })
        print("edge circuits: trained faithfulness (5 edges)", top5.map(\.faithfulness), "sizes at 0.8", found.map(\.kept.count),
              "of \(Int(total)); overlap", shared.estimate, "random-init overlaps", shared.null.values)
    }

    @Test func claimsTheDiscoveryCannotTakeAreRefusedNamingTheField() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "c.yaml", edit) }
        let both = refusal { $0.replacingOccurrences(of: "edges: 5}", with: "edges: 5, threshold: 0.5}") }
        #expect(both.contains("claims[0].method.edges") && both.contains("not both"), "\(both)")
        let zero = refusal { $0.replacingOccurrences(of: "edges: 5}", with: "edges: 0}") }
        #expect(zero.contains("claims[0].method.edges") && zero.contains("at least 1"), "\(zero)")
        let many = refusal { $0.replacingOccurrences(of: "edges: 5}", with: "edges: 22}") }
        #expect(many.contains("claims.faithful.method.edges") && many.contains("1 … 21 edges"), "\(many)")
        let threshold = refusal { $0.replacingOccurrences(of: "threshold: 0.8}, statistic: circuitFraction", with: "threshold: 1.5}, statistic: circuitFraction") }
        #expect(threshold.contains("claims[1].method.threshold") && threshold.contains("(0, 1]"), "\(threshold)")
        let misspelt = refusal { $0.replacingOccurrences(of: "edges: 5}", with: "edges: 5, alignHead: false}") }
        #expect(misspelt.contains("alignHead"), "\(misspelt)")
        let oneSeed = refusal { $0.replacingOccurrences(of: "seeds: 2", with: "seeds: 1") }
        #expect(oneSeed.contains("claims[2].statistic") && oneSeed.contains("at least 2 trained networks"), "\(oneSeed)")
        let mlp = refusal { _ in
            "name: m\nmodel: {task: planted-concepts, hidden: [4]}\nclaims: [{name: c, method: {name: edge-attribution-circuit}}]\nnulls: [{family: random-init, K: 2}]\n"
        }
        #expect(mlp.contains("claims[0].method") && mlp.contains("clean and corrupted inputs"), "\(mlp)")
        let manyHeads = refusal {
            $0.replacingOccurrences(of: "heads: 2, layers: 2", with: "heads: 8, layers: 2")
        }
        // 8!² relabelings: refused when the overlap is computed, with the way out named.
        #expect(manyHeads == "accepted")
    }

    /// Calibration: with the "trained" transformer one more random-init draw, a 3-edge circuit's
    /// faithfulness is called distinguishable at α = 0.05 at a rate inside the binomial 99.9 % band.
    @Test func aCircuitsFaithfulnessOnARandomInitDrawIsDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        let (distinguishable, band) = try await calibrationCount(audits: n) { r in
            try transformerCalibrationSpec(seed: 16000 + r, claim: "name: c, method: {name: edge-attribution-circuit, edges: 3}, statistic: faithfulness")
        }
        #expect(band.contains(distinguishable), "\(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: edge circuit faithfulness against random-init \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }

    /// Calibration of the overlap with trained network 0 (K_t = 2: network 1's circuit against
    /// network 0's; each null draw one random-init network's against network 0's), with both
    /// "trained" networks more random-init draws. Overlaps of 5-edge circuits of 21 edges (2
    /// blocks) take few values, so the count is tie-aware (``tieAwareCalibration``).
    @Test func theOverlapOfRandomInitDrawsIsDistinguishableFivePercentOfTheEligibleTime() async throws {
        let (distinguishable, eligible, band) = try await tieAwareCalibration { r in
            try transformerCalibrationSpec(seed: 17000 + r, claim: "name: c, method: {name: edge-attribution-circuit, edges: 5}, statistic: overlapWithTrained",
                                           seeds: 2, layers: 2)
        }
        #expect(eligible >= 50, "\(eligible) audits with a unique largest value")
        #expect(band.contains(distinguishable), "\(distinguishable) of \(eligible) eligible distinguishable, 99.9 % band \(band)")
        print("calibration: edge circuit overlapWithTrained against random-init \(distinguishable)/\(eligible) eligible, 99.9 % band for 5 %: \(band)")
    }

    /// Calibration of the edge circuit's size against random-init and of its faithfulness against
    /// random circuits of its size (the "trained" circuit one more random one): both take few
    /// values (fractions of 8 edges; ties count against the trained value), so the rates are
    /// checked from above, as for the greedy search's.
    @Test func theEdgeCircuitsSizeAndSufficiencyOnNullDrawsAreDistinguishableAtMostFivePercentOfTheTime() async throws {
        let (sparse, band) = try await calibrationCount(audits: 400) { r in
            try transformerCalibrationSpec(seed: 22000 + r, claim: "name: c, method: {name: edge-attribution-circuit, threshold: 0.8}, statistic: circuitFraction")
        }
        #expect(sparse <= band.upperBound, "circuitFraction: \(sparse) of 400 distinguishable, 99.9 % band \(band)")
        let (sufficient, _) = try await calibrationCount(audits: 400, family: "random-circuits") { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(23000 + r)
                model:
                  task: modular-addition
                  taskOptions: {modulus: 7, examples: 10}
                  transformer: {dimension: 8, heads: 2, layers: 1}
                  training: {epochs: 1, batchSize: 10}
                  evaluationExamples: 39
                claims:
                  - {name: c, method: {name: edge-attribution-circuit, edges: 3}, statistic: faithfulness}
                nulls:
                  - {family: random-circuits, K: 19}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(sufficient <= band.upperBound, "faithfulness vs random-circuits: \(sufficient) of 400 distinguishable, 99.9 % band \(band)")
        print("calibration: edge circuit circuitFraction against random-init \(sparse)/400, faithfulness against random-circuits \(sufficient)/400, 99.9 % band for 5 %: \(band)")
    }
}
