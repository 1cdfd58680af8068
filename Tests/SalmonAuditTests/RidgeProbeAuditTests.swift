import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Ridge probes in audit specs: real-valued targets from a file, R² tested against null models.
@Suite struct RidgeProbeAuditTests {
    static func scratch() -> String {
        let path = NSTemporaryDirectory() + "ridge-audit-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A little-endian `.npy` (version 1.0) of Float32 (`<f4`) or Float64 (`<f8`) values.
    static func npy(_ values: [Double], shape: [Int], float64: Bool) -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(float64 ? "<f8" : "<f4")', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        data.append(UInt8(header.utf8.count & 0xff)); data.append(UInt8(header.utf8.count >> 8))
        data.append(Data(header.utf8))
        for v in values {
            if float64 {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            } else {
                withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    static let rows = 150, width = 5, nullCount = 19

    /// Writes trained activations whose first two features carry the target, `nullCount` files of
    /// noise, and the Float64 targets `2 x₀ − x₁ + noise`. Returns the activation matrices.
    static func writeFiles(in root: String) throws -> (trained: [Double], nulls: [[Double]], targets: [Double]) {
        var stream = RandomStream(seed: 2026)
        func gaussian() -> Double { stream.gaussian() }
        let trained = (0..<(rows * width)).map { _ in gaussian() }
        let targets = (0..<rows).map { i in 2 * Double(Float(trained[i * width])) - Double(Float(trained[i * width + 1])) + 0.5 * gaussian() }
        try npy(trained, shape: [rows, width], float64: false).write(to: URL(fileURLWithPath: root + "/trained.npy"))
        try npy(targets, shape: [rows], float64: true).write(to: URL(fileURLWithPath: root + "/targets.npy"))
        var nulls: [[Double]] = []
        for k in 0..<nullCount {
            let values = (0..<(rows * width)).map { _ in gaussian() }
            nulls.append(values)
            try npy(values, shape: [rows, width], float64: false).write(to: URL(fileURLWithPath: root + "/null-\(k).npy"))
        }
        return (trained, nulls, targets)
    }

    static func spec(root: String, claimExtra: String = "", target: String = "targets.npy") throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            version: 1
            name: ridge
            seed: 11
            model:
              activations:
                trained: \(root)/trained.npy
                nulls: [\((0..<nullCount).map { "\(root)/null-\($0).npy" }.joined(separator: ", "))]
            claims:
              - name: position
                method: {name: ridge-probe, alpha: 1.0, folds: 5}
                target: \(root)/\(target)
                statistic: r2
            \(claimExtra)
            nulls:
              - {family: supplied, K: \(nullCount)}
            resampling: {bootstrap: 500, interval: bca, level: 0.95}
            """, file: "ridge.yaml")
    }

    /// The R² the engine reports, recomputed directly with the probe on the same folds, with
    /// OpenBLAS single-threaded as the engine runs it (its sums depend on the thread count).
    static func directR2(_ activations: [Double], targets: [Double]) throws -> Double {
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        let data = try ProbeData(activations: Tensor(shape: [rows, width], scalars: activations.map(Float.init)),
                                 target: .continuous(targets))
        let stream = RandomStream(seed: 11, path: ["method", .label("position"), .label("activations")])
        let e = try Probe(.ridge(RidgeRegression(alpha: 1)), folds: 5).explain(data, stream: stream)
        return try #require(e.scalars["r2"])
    }

    @Test func theTrainedAndNullR2AreTheProbesAndThePValueCountsThem() async throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (trained, nulls, targets) = try Self.writeFiles(in: root)
        let spec = try Self.spec(root: root)
        let subject = try ActivationSubject(spec: spec)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let test = try #require(result.tests.first)
        #expect(result.tests.count == 1 && test.statistic == "r2")

        // The estimate and every null value equal the probe run directly (targets kept in Float64).
        let estimate = try Self.directR2(trained, targets: targets)
        #expect(test.estimate == estimate)
        #expect(estimate > 0.8, "R² of a target that is linear in two features plus noise: \(estimate)")
        for k in [0, 7, 18] {
            #expect(test.null.values[k] == (try Self.directR2(nulls[k], targets: targets)), "null \(k)")
        }
        #expect(test.null.values.allSatisfy { $0 < 0.2 }, "noise activations: \(test.null.values)")
        let b = test.null.values.filter { $0 >= test.estimate }.count
        #expect(b == 0 && test.pValue == 1.0 / Double(1 + Self.nullCount))
        #expect(test.verdict == .distinguishable)
        let interval = try #require(test.interval)
        #expect(interval.lower < estimate && estimate < interval.upper && interval.upper - interval.lower < 0.2)
        #expect(result.allClaimsHold)
    }

    @Test func targetsThatCannotGiveAnR2AreRefusedNamingTheFile() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try Self.writeFiles(in: root)
        func refusal(_ values: [Double], _ file: String) throws -> String {
            try Self.npy(values, shape: [values.count], float64: true).write(to: URL(fileURLWithPath: root + "/" + file))
            do {
                _ = try ActivationSubject(spec: try Self.spec(root: root, target: file))
                return "accepted"
            } catch { return "\(error)" }
        }
        let constant = try refusal([Double](repeating: 3, count: Self.rows), "constant.npy")
        #expect(constant.contains("constant.npy") && constant.contains("every target is 3.0"), "\(constant)")
        var withNaN = (0..<Self.rows).map(Double.init)
        withNaN[41] = .nan
        let nan = try refusal(withNaN, "nan.npy")
        #expect(nan.contains("nan.npy") && nan.contains("finite targets, found nan at index 41"), "\(nan)")
        let short = try refusal((0..<100).map(Double.init), "short.npy")
        #expect(short.contains("100 targets for 150 activation rows"), "\(short)")
    }

    @Test func controlTypesAndBuiltInTasksAreRefusedForTheRidgeProbe() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        do {
            _ = try Self.spec(root: root, claimExtra: "    controlTypes: types.npy")
            Issue.record("control types with a ridge probe were accepted")
        } catch {
            #expect("\(error)".contains("claims[0].controlTypes"), "\(error)")
            #expect("\(error)".contains("the ridge probe reports r2 only"), "\(error)")
        }
        // The refusal comes when the spec is validated (the family's requirement of real-valued
        // targets, which a built-in task cannot meet), before any network is trained.
        do {
            _ = try AuditSpec.parse(yaml: """
                version: 1
                name: ridge-on-a-task
                seed: 1
                model: {task: planted-concepts, evaluationExamples: 100, taskOptions: {examples: 200}}
                claims:
                  - {name: c, method: {name: ridge-probe}, target: concept:0, statistic: r2}
                nulls: [{family: random-init, K: 9}]
                """, file: "task.yaml")
            Issue.record("a ridge probe on a built-in task was accepted")
        } catch {
            #expect("\(error)".contains("task.yaml: field 'claims[0].target'") && "\(error)".contains("needs real-valued targets")
                    && "\(error)".contains("target: FILE.npy"), "\(error)")
        }
    }

    /// A ridge claim on a PyTorch state dict (the XOR network of the circuit fixtures): the
    /// targets reach the probe through the state-dict subject, and the estimate is the probe's R²
    /// on the activations that subject captures.
    @Test func aRidgeClaimOnAStateDictModel() async throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../SalmonMethodsTests/Fixtures/circuits").standardized.path
        var stream = RandomStream(seed: 5)
        let rows = 120
        let x = (0..<(2 * rows)).map { _ in stream.uniform() }
        let sum = (0..<rows).map { Double(Float(x[2 * $0])) + Double(Float(x[2 * $0 + 1])) }
        try Self.npy(x, shape: [rows, 2], float64: false).write(to: URL(fileURLWithPath: root + "/x.npy"))
        try Self.npy(sum, shape: [rows], float64: true).write(to: URL(fileURLWithPath: root + "/sum.npy"))
        let spec = try AuditSpec.parse(yaml: """
            version: 1
            name: ridge-state-dict
            seed: 3
            model:
              stateDict: \(fixtures)/xor-2-3-3-1-seed0.safetensors
              architecture: \(fixtures)/architecture.json
              inputs: \(root)/x.npy
            sites: [layers.0.post]
            claims:
              - {name: sum, method: {name: ridge-probe, alpha: 0.01, folds: 5}, target: \(root)/sum.npy, statistic: r2}
            nulls: [{family: random-init, K: 9}]
            resampling: {bootstrap: 200}
            """, file: "ridge-state-dict.yaml")
        let subject = try NetworkSubject(fileSpec: spec, baseDirectory: root)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        let test = try #require(result.tests.first)
        let captured = try #require(try subject.activations(.trained(seed: 0), sites: ["layers.0.post"])["layers.0.post"])
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        let direct = try Probe(.ridge(RidgeRegression(alpha: 0.01)), folds: 5).explain(
            try ProbeData(activations: captured, target: .continuous(sum)),
            stream: RandomStream(seed: 3, path: ["method", .label("sum"), .label("layers.0.post")]))
        #expect(test.estimate == direct.scalars["r2"])
        #expect(test.statistic == "r2" && test.null.values.count == 9 && test.estimate.isFinite)
    }

    /// Calibration: when the "trained" activations are one more draw of the nulls' distribution
    /// (Gaussian noise, the targets fixed), the R² of the trained file is exchangeable with the 19
    /// null R²s and continuous, so it comes first — p = 1/20 = α, "distinguishable" — with
    /// probability exactly 1/20. Over 400 independent audits the count must fall in the 99.9 %
    /// binomial band.
    @Test func aTrainedFileDrawnLikeTheNullsIsDistinguishableFivePercentOfTheTime() async throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repetitions = 400
        var stream = RandomStream(seed: 99)
        let targets = (0..<Self.rows).map { _ in stream.gaussian() }
        try Self.npy(targets, shape: [Self.rows], float64: true).write(to: URL(fileURLWithPath: root + "/targets.npy"))
        var distinguishable = 0
        for r in 0..<repetitions {
            var draws = RandomStream(seed: 99, path: ["repetition", .index(r)])
            for file in ["trained"] + (0..<Self.nullCount).map({ "null-\($0)" }) {
                let values = (0..<(Self.rows * Self.width)).map { _ in draws.gaussian() }
                try Self.npy(values, shape: [Self.rows, Self.width], float64: false).write(to: URL(fileURLWithPath: root + "/\(file).npy"))
            }
            var spec = try Self.spec(root: root)
            spec.seed = UInt64(r)
            spec.resampling.bootstrap = 50
            spec.resampling.interval = .percentile
            let result = try #require(try await Audit.run(spec: spec, subject: try ActivationSubject(spec: spec), jobs: 2).result)
            if result.tests[0].verdict == .distinguishable { distinguishable += 1 }
        }
        let band = BinomialDistribution.centralBand(level: 0.999, trials: repetitions, probability: 0.05)
        #expect(band.contains(distinguishable), "ridge R²: \(distinguishable) of \(repetitions) distinguishable, 99.9 % band \(band)")
        print("calibration: ridge R² \(distinguishable)/\(repetitions), 99.9 % band for 5 %: \(band)")
    }
}
