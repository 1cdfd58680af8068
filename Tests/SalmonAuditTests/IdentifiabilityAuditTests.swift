import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
@testable import SalmonReports
import Testing

/// A small identifiability audit end to end in the library: the same result for any number of
/// workers, summaries consistent with the networks they summarize, verdicts as the rule computes
/// them, and training on bootstrap resamples of the rows.
@Suite struct IdentifiabilityAuditTests {
    /// Width 3, three seeds, one resample each; lr 10⁻² so that the networks converge in tens of
    /// epochs (the paper's 10⁻³ takes hundreds, too slow for a debug test).
    static let spec = IdentifiabilitySpec(
        name: "xor-small", seed: 1, gate: .xor, widths: [3],
        training: IdentifiabilityTrainingSpec(seeds: 3, resamples: 1, maxEpochs: 3000, learningRate: 0.01),
        resampling: IdentifiabilityResamplingSpec(bootstrap: 200),
        claims: [
            IdentifiabilityClaimSpec(name: "not-unique", statistic: .fractionWithMultiplePerfect, comparison: .atLeast, threshold: 0.05,
                                     expect: .notIdentifiable),
            IdentifiabilityClaimSpec(name: "unique", statistic: .fractionWithMultiplePerfect, comparison: .atMost, threshold: 0.05,
                                     expect: .identifiable),
            IdentifiabilityClaimSpec(name: "overlap", statistic: .meanBestOverlap, comparison: .atLeast, threshold: 0.5),
        ])

    @Test func resultsAreTheSameForAnyWorkerCountAndAgreeWithTheirNetworks() throws {
        try Self.spec.validate()
        let one = try IdentifiabilityAudit(spec: Self.spec).run(jobs: 1)
        let two = try IdentifiabilityAudit(spec: Self.spec).run(jobs: 2)
        #expect(one.run?.jobs == 1 && two.run?.jobs == 2)
        #expect(try one.jsonData() == two.jsonData())

        let w = try #require(one.widths.first)
        #expect(w.sizes == [2, 3, 3, 1] && w.candidateCircuits == 3_000 && w.networks.count == 6)
        let seeds = w.networks.filter { $0.resample == nil }
        #expect(seeds.map(\.seed) == [0, 1, 2] && seeds.allSatisfy(\.converged))
        // The networks of seeds 0, 1, 2 (seed 1, lr 10⁻²) have 10, 85 and 41 perfect circuits, of
        // which 1, 1 and 10 are minimal.
        #expect(seeds.map(\.perfectCircuits) == [10, 85, 41])
        #expect(seeds.map(\.minimalCircuits) == [1, 1, 10])
        #expect(w.medianPerfect == 41 && w.quartiles == [25.5, 63])
        #expect(w.meanPerfect.value == 136.0 / 3)
        #expect(w.withMultiplePerfect == 3 && w.fractionWithMultiplePerfect.value == 1)
        let cp = try ClopperPearson.interval(successes: 3, trials: 3, level: 0.95)
        #expect(w.fractionWithMultiplePerfect.interval == cp)

        // Cross-seed overlap: the three pairs, the mean of their best overlaps.
        #expect(w.seedPairs.map { [$0.first, $0.second] } == [[0, 1], [0, 2], [1, 2]])
        #expect(w.seedPairs.allSatisfy { $0.best > 0 && $0.best <= 1 && $0.sharesCircuit == ($0.best == 1) })
        #expect(w.meanBestOverlap.value == w.seedPairs.map(\.best).reduce(0, +) / 3)
        #expect(w.fractionOfPairsSharingACircuit.value == Double(w.seedPairs.filter(\.sharesCircuit).count) / 3)

        // Resampled networks: one per seed, compared with its seed's network only.
        #expect(w.resamplePairs.count == 3 && w.resamplePairs.allSatisfy { $0.first == $0.second && $0.resample == 0 })
        #expect(w.meanResampleOverlap.units == 3)

        // Verdicts: 3 of 3 with several perfect circuits → lower bound 0.05^(1/3) = 0.368 > 0.05.
        let claims = Dictionary(uniqueKeysWithValues: one.claims.map { ($0.claim, $0) })
        #expect(claims["not-unique"]?.verdict == .supported && claims["not-unique"]?.holds == true)
        #expect(abs((claims["not-unique"]?.bounds?.lower ?? 0) - pow(0.05, 1.0 / 3)) < 1e-9)
        #expect(claims["unique"]?.verdict == .contradicted && claims["unique"]?.holds == false)
        // A bootstrap claim with 3 seeds is inconclusive by rule (fewer than 10), whatever the overlap.
        #expect(claims["overlap"]?.verdict == .inconclusive && claims["overlap"]?.basis.kind == .tooFewSeeds)
        #expect(!one.allClaimsHold)
        #expect(one.provenance.specHash == Self.spec.hash && one.provenance.networks == 6 && one.provenance.generator == "xoshiro256**")
        // The JSON is valid (no NaN anywhere) and carries the schema.
        let json = try one.jsonData()
        #expect(String(decoding: json, as: UTF8.self).contains(IdentifiabilityAuditResult.schemaIdentifier))
    }

    /// With the paper's recipe the audit trains the study's networks (`salmon identifiability` runs
    /// this audit): width 3, seeds 0 and 1 of master seed 1 converge after 346 and 554 epochs with 6
    /// and 44 perfect circuits, as in Reports/reproductions/identifiability-xor.json. A per-width
    /// seed count overrides `seeds` at its width only, and must name one of the audit's widths.
    @Test func theAuditTrainsTheStudysNetworks() throws {
        var training = IdentifiabilityTrainingSpec(seeds: 1)
        training.seedsPerWidth = [IdentifiabilityTrainingSpec.WidthSeeds(width: 3, seeds: 2)]
        let spec = IdentifiabilitySpec(name: "paper", widths: [2, 3], training: training,
                                       resampling: IdentifiabilityResamplingSpec(bootstrap: 100),
                                       claims: [IdentifiabilityClaimSpec(name: "c", statistic: .convergedFraction, comparison: .atLeast, threshold: 0.5)])
        try spec.validate()
        let audit = try IdentifiabilityAudit(spec: spec).run(jobs: 2)
        #expect(audit.widths.map(\.trained) == [1, 2])
        let networks = try #require(audit.widths.last?.networks)
        #expect(networks.map(\.epochs) == [346, 554] && networks.map(\.perfectCircuits) == [6, 44])
        var bad = spec
        bad.training.seedsPerWidth = [IdentifiabilityTrainingSpec.WidthSeeds(width: 4, seeds: 2)]
        #expect(throws: SpecError.self) { try bad.validate() }
        // The study's report renders from the audit's result.
        let markdown = IdentifiabilityReport.markdown(audit, name: "identifiability-xor", command: "salmon identifiability")
        #expect(markdown.contains("| 3 | 3000 | 2 | 2 | 25 [15.5, 34.5]") && markdown.contains("| 3 | 1 | 554 |"), "\(markdown)")
    }

    /// With `circuits.groundings`, every converged network's perfect circuits are grounded — all
    /// of them up to `groundingSample`, beyond it a bottom-k sample drawn with the network's own
    /// stream — and the width's summaries and claims read those figures.
    @Test func groundingsOfEveryNetworkAndTheirSummaries() throws {
        var spec = Self.spec
        spec.training.resamples = 0
        spec.circuits.groundings = true
        spec.circuits.groundingSample = 50
        spec.claims = [
            IdentifiabilityClaimSpec(name: "several-explanations", statistic: .fractionWithMultipleExplanations, comparison: .atLeast, threshold: 0.05),
            IdentifiabilityClaimSpec(name: "bits", statistic: .meanExplanationEntropy, comparison: .atLeast, threshold: 1),
        ]
        try spec.validate()
        let one = try IdentifiabilityAudit(spec: spec).run(jobs: 1)
        let two = try IdentifiabilityAudit(spec: spec).run(jobs: 2)
        #expect(try one.jsonData() == two.jsonData())
        let w = try #require(one.widths.first)
        let recipe = GateNetworkTraining(gate: .xor, sizes: [2, 3, 3, 1], training: spec.training, masterSeed: 1)
        // Perfect circuits 10, 85 and 41 (above): the second network is grounded on a sample of 50.
        for network in w.networks {
            let g = try #require(network.groundings)
            let (model, _) = recipe.train(seed: network.seed, resample: nil)
            var enumerator = try CircuitEnumerator(model: model, validation: .xor)
            var stream = RandomStream(seed: 1, path: ["identifiability", 3, .index(network.seed), "grounding-sample"])
            enumerator.sample = (50, stream.next())
            let census = enumerator.run(jobs: 1)
            let sample = try #require(census.sample)
            #expect(sample.count == min(50, Int(census.perfectCount)))
            let expected = try GroundingStatistics(groundings: GroundingStatistics.counts(model: model, circuits: sample),
                                                   perfectCircuits: census.perfectCount)
            #expect(g == expected)
            #expect(g.sampled == (network.perfectCircuits == 85))
            #expect(g.groundedCircuits == min(50, Int(census.perfectCount)))
        }
        let summary = try #require(w.groundings)
        let entropies = w.networks.map { $0.groundings?.explanationEntropy ?? .nan }
        #expect(summary.meanExplanationEntropy.value == entropies.reduce(0, +) / 3)
        #expect(summary.withMultipleExplanations == 3 && summary.sampledNetworks == 1)
        #expect(summary.fractionWithMultipleExplanations.interval == (try ClopperPearson.interval(successes: 3, trials: 3, level: 0.95)))
        let claims = Dictionary(uniqueKeysWithValues: one.claims.map { ($0.claim, $0) })
        #expect(claims["several-explanations"]?.verdict == .supported)
        #expect(claims["bits"]?.verdict == .inconclusive && claims["bits"]?.basis.kind == .tooFewSeeds)
        let markdown = IdentifiabilityAuditMarkdown.render(one)
        #expect(markdown.contains("## Interpretations of the perfect circuits") && markdown.contains("| 3 | "))
        let csv = IdentifiabilityAuditWriter.networksCSV(one)
        #expect(csv.hasPrefix((IdentifiabilityAuditWriter.networkColumns + IdentifiabilityAuditWriter.groundingColumns).joined(separator: ",")))
        // A spec without groundings keeps its canonical JSON: no grounding key is written.
        #expect(!String(decoding: Self.spec.canonicalJSON(), as: UTF8.self).contains("grounding"))
    }

    /// Null networks trained on the gate's labels permuted across its inputs, and a claim against
    /// them: each null network's table is a permutation of XOR's (two ones), drawn from its own
    /// stream; the verdict is the permutation test's on the converged networks' values.
    @Test func claimsAgainstPermutedLabelNetworks() throws {
        var spec = Self.spec
        spec.training.resamples = 0
        spec.circuits.groundings = true
        spec.null = IdentifiabilityNullSpec(seeds: 4, resamples: 999)
        spec.claims = [IdentifiabilityClaimSpec(name: "more-bits", statistic: .meanExplanationEntropy, comparison: .atLeast, threshold: 0,
                                                against: .permutedLabels)]
        try spec.validate()
        let one = try IdentifiabilityAudit(spec: spec).run(jobs: 1)
        let two = try IdentifiabilityAudit(spec: spec).run(jobs: 2)
        #expect(try one.jsonData() == two.jsonData())
        let w = try #require(one.widths.first)
        let nulls = try #require(w.nullNetworks)
        #expect(nulls.count == 4 && nulls.map(\.seed) == [0, 1, 2, 3])
        let recipe = GateNetworkTraining(gate: .xor, sizes: [2, 3, 3, 1], training: spec.training, masterSeed: 1, permutedLabels: true)
        for n in nulls {
            #expect(n.labels == recipe.table(seed: n.seed).map { Int($0) })
            #expect(n.labels?.reduce(0, +) == 2 && n.labels != [0, 1, 1, 0] && n.labels != [1, 0, 0, 1])
            #expect(n.whatThenWhere == nil)
        }
        // Different networks get different permutations (12 of the 24 orders are distinct tables).
        #expect(Set((0..<20).map { recipe.table(seed: $0) }).count > 2)
        let trained = w.networks.compactMap { $0.converged ? $0.groundings?.explanationEntropy : nil }
        let null = nulls.filter(\.converged).map { $0.groundings?.hasSeveralExplanations == true ? ($0.groundings?.explanationEntropy ?? 0) : 0 }
        let claim = try #require(one.claims.first)
        let test = try PermutationTest(resamples: 999, seed: 1, path: ["identifiability", 3, "null-test", "more-bits"], workers: 1)
        let expected = try IdentifiabilityVerdictRule.againstNull(trained: trained, null: null, direction: .greater, alpha: 0.05, test: test)
        #expect(claim.verdict == expected.verdict && claim.pValue == expected.pValue && claim.oppositePValue == expected.opposite)
        #expect(claim.estimate == Descriptive.mean(trained))
        #expect(claim.basis.kind == .againstNull && claim.basis.count == trained.count && claim.basis.of == null.count)
        let message = IdentifiabilityProse.message(claim, alpha: 0.05)
        #expect(message.contains("greater than on permuted-labels networks") && message.contains("permutation p ="), "\(message)")
        let csv = IdentifiabilityAuditWriter.csv(one)
        #expect(csv.hasPrefix((IdentifiabilityAuditWriter.columns + IdentifiabilityAuditWriter.nullClaimColumns).joined(separator: ",")))
        #expect(csv.contains(",permuted-labels,"))
        // A claim against a null the audit lacks, or of a statistic that is not per network, is refused.
        var bad = spec
        bad.null = nil
        #expect(throws: SpecError.self) { try bad.validate() }
        bad = spec
        bad.claims[0].statistic = .meanBestOverlap
        #expect(throws: SpecError.self) { try bad.validate() }
    }

    /// Resample r is n row indices drawn with replacement from `identifiability → w → resample → r`:
    /// deterministic, in range, different between resamples, and the same for every seed.
    @Test func bootstrapResamplesOfTheRows() {
        let recipe = GateNetworkTraining(gate: .xor, sizes: [2, 3, 3, 1], training: IdentifiabilityTrainingSpec(repeats: 50), masterSeed: 1)
        let r0 = recipe.resampleIndices(0), r1 = recipe.resampleIndices(1)
        #expect(r0.count == 200 && r0.allSatisfy { (0..<200).contains($0) })
        #expect(r0 == recipe.resampleIndices(0) && r0 != r1)
        var stream = RandomStream(seed: 1, path: ["identifiability", 3, "resample", 0])
        #expect(r0 == (0..<200).map { _ in stream.index(below: 200) })
        // With replacement: about 1 − 1/e ≈ 63 % of the rows appear.
        let distinct = Set(r0).count
        #expect(distinct > 100 && distinct < 160)
        // The same initialization for the rows and every resample: one epoch at lr 10⁻⁹ leaves both
        // within 10⁻⁶ of seed 0's initial weights (and far from seed 1's).
        let still = GateNetworkTraining(gate: .xor, sizes: [2, 3, 3, 1],
                                        training: IdentifiabilityTrainingSpec(maxEpochs: 1, learningRate: 1e-9), masterSeed: 1)
        func distance(_ a: MLP, _ b: MLP) -> Float {
            zip(a.layers, b.layers).map { l, m in zip(l.weight.scalars + l.bias.scalars, m.weight.scalars + m.bias.scalars).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
        }
        let initial = still.initialModel(seed: 0)
        #expect(distance(still.train(seed: 0, resample: nil).0, initial) < 1e-6)
        #expect(distance(still.train(seed: 0, resample: 3).0, initial) < 1e-6)
        #expect(distance(still.initialModel(seed: 1), initial) > 1e-2)
        // And the data matter: trained to the loss target, the two networks differ.
        #expect(recipe.train(seed: 0, resample: nil).0 != recipe.train(seed: 0, resample: 0).0)
    }
}
