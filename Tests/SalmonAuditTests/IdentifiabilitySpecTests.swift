import Foundation
import SalmonAudit
import Testing

/// The identifiability spec: defaults, the claim shorthands, one-line errors naming the field (and
/// the nearest valid key), routing by `kind`, and the hash.
@Suite struct IdentifiabilitySpecTests {
    static let minimal = """
    kind: identifiability
    name: xor
    widths: [3]
    claims:
      - {name: not-unique, expect: not-identifiable}
    """

    func error(_ yaml: String) -> SpecError? {
        do { _ = try IdentifiabilitySpec.parse(yaml: yaml, file: "s.yaml"); return nil } catch let e as SpecError { return e } catch { return nil }
    }

    @Test func defaultsAreThePapersRecipe() throws {
        let spec = try IdentifiabilitySpec.parse(yaml: Self.minimal)
        #expect(spec.gate == .xor && spec.depth == 2 && spec.sizes(width: 3) == [2, 3, 3, 1] && spec.seed == 1)
        #expect(spec.training == IdentifiabilityTrainingSpec(seeds: 50, resamples: 0, repeats: 50, maxEpochs: 20_000, learningRate: 1e-3,
                                                             batchSize: 100, lossTarget: 0.01))
        #expect(spec.circuits.threshold == 0.99 && spec.circuits.overlap == .minimal && spec.alpha == 0.05)
        let claim = spec.claims[0]
        #expect(claim.statistic == .fractionWithMultiplePerfect && claim.comparison == .atLeast && claim.threshold == 0.05)
        #expect(claim.expect == .notIdentifiable && claim.widths == nil)
    }

    @Test func claimForms() throws {
        let spec = try IdentifiabilitySpec.parse(yaml: Self.minimal + """

          - {name: unique, expect: identifiable, tolerance: 0.1, widths: [3]}
          - {name: few, statistic: meanPerfectCircuits, atMost: 20}
          - {name: shared, statistic: fractionOfPairsSharingACircuit, atLeast: 0.5}
        """)
        #expect(spec.claims[1].comparison == .atMost && spec.claims[1].threshold == 0.1 && spec.claims[1].widths == [3])
        #expect(spec.claims[2].statistic == .meanPerfectCircuits && spec.claims[2].comparison == .atMost && spec.claims[2].threshold == 20)
        #expect(spec.claims[3].comparison == .atLeast && spec.claims[3].expect == nil)
        // Grounding statistics with the circuits grounded (a sample of 2,000 by default).
        let grounded = try IdentifiabilitySpec.parse(yaml: Self.minimal + """

          - {name: bits, statistic: meanExplanationEntropy, atLeast: 10}
          - {name: many, statistic: fractionWithMultipleExplanations, atLeast: 0.5}
        circuits: {groundings: true}
        """)
        #expect(grounded.circuits.groundings && grounded.circuits.groundingSample == 2000)
        #expect(grounded.claims[2].statistic.isBinomial && !grounded.claims[1].statistic.isFraction)
        #expect(try IdentifiabilitySpec.parse(yaml: String(decoding: grounded.canonicalJSON(), as: UTF8.self)) == grounded)
        // A claim against permuted-labels networks, and its round trip.
        let null = try IdentifiabilitySpec.parse(yaml: Self.minimal + """

          - {name: fewer, statistic: meanExplanationEntropy, against: permuted-labels, direction: less}
        circuits: {groundings: true}
        null: {seeds: 20}
        """)
        #expect(null.null == IdentifiabilityNullSpec(kind: .permutedLabels, seeds: 20, resamples: 9999))
        #expect(null.claims[1].against == .permutedLabels && null.claims[1].direction == .less && null.claims[1].comparison == .atMost)
        #expect(try IdentifiabilitySpec.parse(yaml: String(decoding: null.canonicalJSON(), as: UTF8.self)) == null)
        // The canonical JSON reads back as the same spec (claims keep the form they were written in).
        let again = try IdentifiabilitySpec.parse(yaml: String(decoding: spec.canonicalJSON(), as: UTF8.self))
        #expect(again == spec)
    }

    @Test func unknownKeysNameTheNearestValidOne() throws {
        let top = try #require(error(Self.minimal.replacingOccurrences(of: "widths:", with: "widht:")))
        #expect(top.field == "widht" && top.description.contains("did you mean 'widths'?") && !top.description.contains("\n"), "\(top)")
        let nested = try #require(error(Self.minimal + "\ntraining: {sedes: 5}"))
        #expect(nested.field == "training.sedes" && nested.description.contains("did you mean 'seeds'?"), "\(nested)")
        let claim = try #require(error(Self.minimal.replacingOccurrences(of: "expect:", with: "expcet:")))
        #expect(claim.field == "claims[0].expcet" && claim.description.contains("did you mean 'expect'?"), "\(claim)")
        #expect(claim.file == "s.yaml")
    }

    @Test func badValuesNameTheField() throws {
        let cases: [(String, String, String)] = [
            (Self.minimal.replacingOccurrences(of: "[3]", with: "[6]"), "widths", "from 1 to 5"),
            (Self.minimal.replacingOccurrences(of: "[3]", with: "[]"), "widths", "at least one"),
            (Self.minimal + "\ngate: xo", "gate", "did you mean 'xor'?"),
            (Self.minimal + "\ndepth: 3", "depth", "1 or 2"),
            (Self.minimal + "\nalpha: 0.5", "alpha", "strictly between 0 and 0.5"),
            (Self.minimal + "\ntraining: {seeds: 0}", "training.seeds", "1 ≤ K_t"),
            (Self.minimal + "\ntraining: {learningRate: -1}", "training.learningRate", "positive"),
            (Self.minimal + "\ncircuits: {threshold: 1}", "circuits.threshold", "[0, 1)"),
            (Self.minimal + "\ncircuits: {overlap: all}", "circuits.overlap", "'minimal' or 'perfect'"),
            (Self.minimal + "\nresampling: {bootstrap: 10}", "resampling.bootstrap", "100"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "expect: not-identifiable, tolerance: 1.5}"),
             "claims[0].tolerance", "strictly between 0 and 1"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "expect: unidentifiable}"), "claims[0].expect", "allowed"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanPerfectCircuit, atMost: 3}"),
             "claims[0].statistic", "did you mean 'meanPerfectCircuits'?"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanPerfectCircuits}"), "claims[0]", "exactly one of"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanResampleOverlap, atLeast: 0.5}"),
             "claims[0].statistic", "training.resamples"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "expect: identifiable, atMost: 0.1}"), "claims[0].expect", "not both"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "expect: identifiable, widths: [4]}"), "claims[0].widths", "not among"),
            (Self.minimal.replacingOccurrences(of: "kind: identifiability", with: "kind: audit"), "kind", "expected 'identifiability'"),
            (Self.minimal.replacingOccurrences(of: "widths: [3]", with: "widths: many"), "widths", "expected"),
            (Self.minimal + "\ncircuits: {groundingSample: 10}", "circuits.groundingSample", "groundings: true"),
            (Self.minimal + "\ncircuits: {groundings: true, groundingSample: 0}", "circuits.groundingSample", "1 … 100,000"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanExplanationEntropy, atLeast: 3}"),
             "claims[0].statistic", "circuits.groundings: true"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanCircuitEntropy, atLeast: 3}")
                + "\ncircuits: {groundings: true, groundingSamples: 5}", "circuits.groundingSamples", "did you mean 'groundingSample'?"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanPerfectCircuits, against: permuted-labels, direction: greater}"),
             "claims[0].against", "null: {kind: permuted-labels"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanPerfectCircuits, against: permuted-label, direction: greater}")
                + "\nnull: {seeds: 5}", "claims[0].against", "did you mean 'permuted-labels'?"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanPerfectCircuits, against: permuted-labels}")
                + "\nnull: {seeds: 5}", "claims[0].direction", "'greater' or 'less'"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanPerfectCircuits, against: permuted-labels, direction: up}")
                + "\nnull: {seeds: 5}", "claims[0].direction", "found 'up'"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanPerfectCircuits, against: permuted-labels, direction: less, atMost: 3}")
                + "\nnull: {seeds: 5}", "claims[0].against", "not 'expect'"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: meanPerfectCircuits, atMost: 3, direction: less}"),
             "claims[0].direction", "goes with 'against'"),
            (Self.minimal.replacingOccurrences(of: "expect: not-identifiable}", with: "statistic: convergedFraction, against: permuted-labels, direction: less}")
                + "\nnull: {seeds: 5}", "claims[0].statistic", "not a mean of per-network values"),
            (Self.minimal + "\nnull: {seeds: 1}", "null.seeds", "2 … 10,000"),
            (Self.minimal + "\nnull: {seeds: 5, resamples: 10}", "null.resamples", "99 … 1,000,000"),
            (Self.minimal + "\nnull: {kind: random-init, seeds: 5}", "null.kind", "allowed: permuted-labels"),
            (Self.minimal + "\nnull: {seeds: 5, seed: 3}", "null.seed", "did you mean 'seeds'?"),
        ]
        for (yaml, field, fragment) in cases {
            let e = try #require(error(yaml), "no error for field \(field)")
            #expect(e.field == field && e.description.contains(fragment), "\(field): \(e)")
            #expect(!e.description.contains("\n"))
        }
    }

    @Test func theKindRoutesTheSpec() throws {
        guard case .identifiability(let yaml) = try SpecKind.detect(yaml: Self.minimal) else {
            Issue.record("not routed to identifiability"); return
        }
        #expect(yaml == Self.minimal)
        let audit = """
        name: t
        model: {task: planted-concepts}
        claims:
          - {name: c, method: {name: logistic-probe}}
        nulls:
          - {family: random-init, K: 9}
        """
        #expect(try SpecKind.detect(yaml: audit) == .audit(yaml: audit))
        // `kind: audit` is removed before the ordinary parser, which knows no such key.
        guard case .audit(let stripped) = try SpecKind.detect(yaml: "kind: audit\n" + audit) else {
            Issue.record("not routed to audit"); return
        }
        #expect(try AuditSpec.parse(yaml: stripped) == AuditSpec.parse(yaml: audit))
        let typo = try #require(catching { try SpecKind.detect(yaml: "kind: identifiabilty\n" + audit, file: "x.yaml") })
        #expect(typo.field == "kind" && typo.file == "x.yaml" && typo.description.contains("did you mean 'identifiability'?"), "\(typo)")
        let list = try #require(catching { try SpecKind.detect(yaml: "kind: [audit]\n" + audit) })
        #expect(list.field == "kind" && list.message.contains("found a list"))
    }

    func catching(_ body: () throws -> SpecKind) -> SpecError? {
        do { _ = try body(); return nil } catch let e as SpecError { return e } catch { return nil }
    }

    @Test func theHashIdentifiesTheSpec() throws {
        let a = try IdentifiabilitySpec.parse(yaml: Self.minimal)
        let b = try IdentifiabilitySpec.parse(yaml: Self.minimal + "\nseed: 1")
        let c = try IdentifiabilitySpec.parse(yaml: Self.minimal + "\ntraining: {resamples: 2}")
        #expect(a.hash == b.hash && a.hash != c.hash && a.hash.count == 16)
    }
}
