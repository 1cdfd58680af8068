import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// The sparse-autoencoder family, added as a folder and one registration line: audited end to
/// end on an MLP, its `smaller` statistics tested in the `less` direction, its parameters refused
/// with their field, and its calibration when the "trained" model is one more null draw.
@Suite struct SparseAutoencoderAuditTests {
    static func spec(_ method: String, statistics: [String], K: Int = 9) throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: sae-of-an-mlp
            seed: 5
            model:
              task: planted-concepts
              taskOptions: {examples: 200, concepts: 3, dimension: 8, labelConcepts: [0], noise: 0.3}
              hidden: [12]
              training: {epochs: 10, batchSize: 50, learningRate: 0.02}
              evaluationExamples: 200
            claims:
            \(statistics.map { "  - {name: \($0), method: \(method), sites: [layers.0.post], statistic: \($0)}" }.joined(separator: "\n"))
            nulls:
              - {family: random-init, K: \(K)}
            resampling: {bootstrap: 200}
            """, file: "sae.yaml")
    }

    /// The trained value and every null value are those of an SAE fitted here independently on the
    /// unit's activations, with the documented split and streams (`seed → method → claim → site`,
    /// then `split` and `sae`); each statistic's p-value counts the null draws in its declared
    /// direction (FVU `smaller`, explained variance `larger`).
    @Test func valuesAreThoseOfAnSAEFittedOnEachModelAndTestedInTheirDirection() async throws {
        let spec = try Self.spec("{name: topk-sae, k: 3, expansion: 2, epochs: 60}", statistics: ["fvu", "explainedVariance", "l0"], K: 5)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 1)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let site = "layers.0.post"
        func fitted(_ unit: AuditUnit, claim: String) throws -> SparseAutoencoderMetrics {
            let a = try #require(try subject.activations(unit, sites: [site])[site])
            let rows = a.shape[0], width = a.shape[1], held = Int((Double(rows) * 0.2).rounded())
            let stream = RandomStream(seed: 5, path: ["method", .label(claim), .label(site)])
            var order = Array(0..<rows)
            var split = stream.derived("split")
            order.shuffle(using: &split)
            func rowsOf(_ ids: ArraySlice<Int>) -> [Float] { ids.flatMap { a.scalars[($0 * width)..<(($0 + 1) * width)] } }
            let train = rowsOf(order[..<(rows - held)]), test = rowsOf(order[(rows - held)...])
            let (sae, _) = SparseAutoencoder.train(x: train, rows: rows - held, inputs: width, latents: 2 * width, activation: .topK(k: 3),
                                                   training: SparseAutoencoderTraining(epochs: 60, batchSize: 128), stream: stream.derived("sae"))
            let (code, reconstruction) = sae(test, rows: held)
            return SparseAutoencoderMetrics(target: test, reconstruction: reconstruction, code: code, rows: held, width: width, latents: 2 * width)
        }
        let fvu = try #require(result.tests.first { $0.statistic == "fvu" })
        let ev = try #require(result.tests.first { $0.statistic == "explainedVariance" })
        let l0 = try #require(result.tests.first { $0.statistic == "l0" })
        #expect(fvu.direction == "smaller" && ev.direction == "larger" && l0.direction == "smaller")
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }
        let trainedFVU = try fitted(.trained(seed: 0), claim: "fvu")
        #expect(close(fvu.estimate, trainedFVU.fractionOfVarianceUnexplained), "\(fvu.estimate) vs \(trainedFVU)")
        #expect(close(ev.estimate, try fitted(.trained(seed: 0), claim: "explainedVariance").explainedVariance))
        #expect(close(l0.estimate, try fitted(.trained(seed: 0), claim: "l0").meanL0) && l0.estimate <= 3)
        for k in 0..<5 {
            #expect(close(fvu.null.values[k], try fitted(.null(family: "random-init", index: k), claim: "fvu").fractionOfVarianceUnexplained))
        }
        let k1 = Double(fvu.null.values.count + 1)
        #expect(fvu.pValue == Double(1 + fvu.null.values.count { $0 <= fvu.estimate }) / k1)
        #expect(ev.pValue == Double(1 + ev.null.values.count { $0 >= ev.estimate }) / k1)
        #expect(fvu.estimate > 0 && fvu.estimate < 1, "FVU \(fvu.estimate)")
    }

    /// The fit is a function of the method's stream: the same spec gives the same values.
    @Test func theAuditIsReproducible() async throws {
        let spec = try Self.spec("{name: relu-sae, l1: 0.01, expansion: 2, epochs: 5}", statistics: ["mse"], K: 4)
        var values: [[Double]] = []
        for _ in 0..<2 {
            let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 1)
            let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
            values.append([result.tests[0].estimate] + result.tests[0].null.values)
        }
        #expect(values[0] == values[1])
    }

    @Test(arguments: [
        ("{name: topk-sae, k: 25, expansion: 2}", "claims.fvu.method.k", "fewer than the 24 latents"),
        ("{name: topk-sae, expansion: 0}", "claims[0].method.expansion", "1 … 64"),
        ("{name: relu-sae, l1: 0}", "claims[0].method.l1", "positive L1"),
        ("{name: relu-sae, k: 3}", "claims[0].method", "'k'"),
        ("{name: topk-sae, heldOut: 1}", "claims[0].method.heldOut", "strictly between 0 and 1"),
    ])
    func badParametersAreRefusedNamingTheField(method: String, field: String, message: String) async throws {
        do {
            let spec = try Self.spec(method, statistics: ["fvu"], K: 2)
            let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 1)
            _ = try await Audit.run(spec: spec, subject: subject, jobs: 1)
            Issue.record("accepted \(method)")
        } catch let error as SpecError {
            #expect(error.field.hasPrefix(field) && error.description.contains(message), "\(error)")
        } catch {
            // A unit's evaluation wraps the spec error it met; it must still name the field.
            #expect("\(error)".contains(field) && "\(error)".contains(message), "\(error)")
        }
    }

    /// Calibration: with the "trained" network one more random-init draw, explained variance is
    /// called distinguishable at α = 0.05 at a rate inside the binomial 99.9 % band (K = 19, one
    /// test: distinguishable means the trained value is the largest of 20 exchangeable ones).
    @Test func anSAEClaimOnARandomInitTrainedModelIsDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        let band = BinomialDistribution.centralBand(level: 0.999, trials: n, probability: 0.05)
        var distinguishable = 0
        for r in 0..<n {
            let spec = try OneMoreNullDraw.calibrationSpec(seed: UInt64(5000 + r), method: "{name: topk-sae, k: 2, expansion: 2, epochs: 3, batchSize: 40}",
                                                           K: 19, statistic: "explainedVariance")
            let subject = OneMoreNullDraw(base: try NetworkSubject(spec: spec), index: 19)
            let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
            if result.tests[0].verdict == .distinguishable { distinguishable += 1 }
        }
        #expect(band.contains(distinguishable), "SAE explained variance: \(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: SAE explained variance \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }
}
