import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// `overlapWithTrained` of greedy circuits: the overlap up to relabeled units against a brute-force
/// search over relabelings, the audit's values against a direct search on each network, the nulls
/// it refuses, and calibration.
@Suite struct CircuitOverlapAuditTests {
    /// The aligned overlap is the best Jaccard overlap over every relabeling within the classes,
    /// found here by brute force over the permutations of two classes of 3 and 2 components.
    @Test func theAlignedOverlapIsTheBestJaccardOverRelabelings() throws {
        let classes = [0, 0, 0, 1, 1, 2]
        let problem = GreedyCircuitSearch.Problem(components: (0..<6).map { "c\($0)" }, exchangeableClasses: classes) { _ in [1] }
        let members = [[0, 1, 2], [3, 4], [5]]
        func permutations(_ items: [Int]) -> [[Int]] {
            items.count <= 1 ? [items] : items.indices.flatMap { i in
                permutations(Array(items[..<i] + items[(i + 1)...])).map { [items[i]] + $0 }
            }
        }
        var stream = RandomStream(seed: 61)
        for _ in 0..<200 {
            let a = Set((0..<6).filter { _ in stream.uniform() < 0.5 }), b = Set((0..<6).filter { _ in stream.uniform() < 0.5 })
            var best = a.isEmpty && b.isEmpty ? 1.0 : 0
            for p0 in permutations(members[0]) {
                for p1 in permutations(members[1]) {
                    var map = Array(0..<6)
                    for (i, j) in zip(members[0], p0) { map[i] = j }
                    for (i, j) in zip(members[1], p1) { map[i] = j }
                    let relabeled = Set(b.map { map[$0] })
                    if !a.isEmpty || !b.isEmpty { best = max(best, Double(a.intersection(relabeled).count) / Double(a.union(relabeled).count)) }
                }
            }
            #expect(problem.alignedOverlap(a, b) == best, "\(a) \(b)")
        }
        #expect(GreedyCircuitSearch.Problem(components: ["a"]) { _ in [1] }.alignedOverlap([0], [0]) == nil)
    }

    static let yaml = """
    name: overlap
    seed: 8
    model:
      task: planted-concepts
      taskOptions: {examples: 200, concepts: 2, dimension: 6, labelConcepts: [0]}
      hidden: [6]
      training: {epochs: 20, seeds: 3}
      evaluationExamples: 60
    claims:
      - {name: shared, method: {name: greedy-circuit, threshold: 0.95}, sites: [layers.0.post], statistic: overlapWithTrained}
    nulls:
      - {family: random-init, K: 4}
    """

    @Test func theOverlapIsThatOfADirectSearchOnEachNetwork() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 1) as? NetworkSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let labels = try subject.labelledRows("evaluation").labels.map(Float.init)
        let stream = RandomStream(seed: 8, path: ["method", "shared"])
        func circuit(_ model: MLP) throws -> (GreedyCircuitSearch.Problem, Set<Int>) {
            let problem = GreedyCircuitSearch.mlpNodes(model, inputs: subject.evaluationInputs, targets: labels, ablation: .zero, stream: stream.derived("resample"))
            let found = try GreedyCircuitSearch(threshold: 0.95, restarts: 1, seed: stream.derived("greedy-circuit").seed).run(problem)
            return (problem, Set(found.circuits[0].kept))
        }
        let (problem, anchor) = try circuit(subject.trained[0])
        let trained = try (1..<3).map { try problem.alignedOverlap(anchor, circuit(subject.trained[$0]).1) ?? .nan }
        let test = try #require(result.tests.first)
        #expect(abs(test.estimate - (trained[0] + trained[1]) / 2) <= 1e-12)
        // Each null draw averages K_t − 1 = 2 random-init networks, each compared with network 0.
        let nulls = try (0..<4).map { k in
            try problem.alignedOverlap(anchor, circuit(NullModels.reinitialized(subject.trained[k % 3],
                                                                                stream: RandomStream(seed: 8, path: ["null", "random-init", .index(k)]))).1) ?? .nan
        }
        #expect(test.null.values.count == 2)
        for (value, pair) in zip(test.null.values, [(nulls[0] + nulls[1]) / 2, (nulls[2] + nulls[3]) / 2]) { #expect(abs(value - pair) <= 1e-12) }
        #expect(result.notes.contains { $0.hasPrefix("overlapWithTrained: trained network 0 is the anchor") })
        print("greedy circuit overlap with network 0: trained \(trained), random-init \(nulls)")
    }

    @Test func nullsThatKeepTrainedWeightsAndSingleSeedsAreRefused() {
        let cascade = subjectRefusal(of: Self.yaml) { $0.replacingOccurrences(of: "{family: random-init, K: 4}", with: "{family: cascading-top-down, K: 4}") }
        #expect(cascade.contains("nulls[0].family") && cascade.contains("keeps part of a trained network's weights"), "\(cascade)")
        let oneSeed = subjectRefusal(of: Self.yaml) { $0.replacingOccurrences(of: "seeds: 3", with: "seeds: 1") }
        #expect(oneSeed.contains("claims[0].statistic") && oneSeed.contains("at least 2 trained networks"), "\(oneSeed)")
        let key = subjectRefusal(of: Self.yaml) { $0.replacingOccurrences(of: "threshold: 0.95}", with: "threshold: 0.95, aligned: true}") }
        #expect(key.contains("aligned") && key.contains("align"), "\(key)")
    }

    /// Calibration: three "trained" MLPs that are more random-init draws (network 1's and 2's
    /// circuits against network 0's; each null draw two random-init networks against network 0),
    /// tie-aware: overlaps of circuits of 12 units take few values (a random network's circuit is
    /// often empty), so few audits have a unique largest value.
    @Test func theOverlapOfRandomInitDrawsIsDistinguishableFivePercentOfTheEligibleTime() async throws {
        let (distinguishable, eligible, band) = try await tieAwareCalibration { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(21000 + r)
                model:
                  task: planted-concepts
                  taskOptions: {examples: 40, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.5}
                  hidden: [12]
                  training: {epochs: 5, seeds: 3}
                  evaluationExamples: 49
                claims:
                  - {name: c, method: {name: greedy-circuit, threshold: 0.9}, sites: [layers.0.post], statistic: overlapWithTrained}
                nulls:
                  - {family: random-init, K: 38}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(eligible >= 30, "\(eligible) audits with a unique largest value")
        #expect(band.contains(distinguishable), "\(distinguishable) of \(eligible) eligible distinguishable, 99.9 % band \(band)")
        print("calibration: greedy circuit overlapWithTrained against random-init \(distinguishable)/\(eligible) eligible, 99.9 % band for 5 %: \(band)")
    }
}
