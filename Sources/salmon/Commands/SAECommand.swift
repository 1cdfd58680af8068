import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon sae`: the sparse-autoencoder audit on activations exported from any framework.
struct SAECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sae",
        abstract: "Audit a sparse autoencoder trained on your own activations (.npy/.npz/safetensors) against null models and random SAEs.",
        discussion: """
            An SAE (TopK or ReLU-L1) is trained on the trained model's activations and its held-out statistics are \
            tested against the same SAE on each null: null models' activation files (--null), Gaussian activations \
            with the same mean and covariance (--gaussian K), and SAEs with a random frozen decoder or encoder \
            trained on the same activations (--frozen-decoder K, --frozen-encoder K; Korznikov et al. 2026). \
            Statistics: explainedVariance (default), fvu, legacyExplainedVariance, mse, cosine, l0, deadFraction, \
            denseFraction, decoderStability, activationStability. A file with several arrays is read as FILE#NAME.
            """
    )

    @Option(help: "The trained model's activations [rows, features].")
    var trained: String

    @Option(help: "Null models' activations: a glob such as 'nulls/*.npy' (quote it), or repeat the option.")
    var null: [String] = []

    @Option(parsing: .unconditional, help: "K Gaussian redraws of the trained activations (their mean and covariance) as nulls.")
    var gaussian: Int?

    @Option(parsing: .unconditional, help: "K SAEs with a random frozen decoder, trained on the trained activations, as nulls.")
    var frozenDecoder: Int?

    @Option(parsing: .unconditional, help: "K SAEs with a random frozen encoder, trained on the trained activations, as nulls.")
    var frozenEncoder: Int?

    @Option(help: "Output directory.")
    var out: String

    @Option(help: "The SAE: topk (TopK, --k), batchtopk (BatchTopK, --k on average), relu (ReLU with an L1 penalty, --l1) or jumprelu (learned thresholds, L0 penalty --l0-coefficient).")
    var method: String = "topk"

    @Option(parsing: .unconditional, help: "TopK: latents kept per row.")
    var k: Int?

    @Option(parsing: .unconditional, help: "ReLU: the L1 coefficient.")
    var l1: Double?

    @Option(parsing: .unconditional, help: "JumpReLU: the L0 coefficient (default 1).")
    var l0Coefficient: Double?

    @Option(parsing: .unconditional, help: "JumpReLU: the pseudo-derivatives' kernel bandwidth (default 0.05).")
    var bandwidth: Double?

    @Option(parsing: .unconditional, help: "JumpReLU: every threshold's initial value, in the normalized units (default 1).")
    var initialThreshold: Double?

    @Option(parsing: .unconditional, help: "Latents per unit of the activations' width.")
    var expansion: Int = 4

    @Option(parsing: .unconditional, help: "Training epochs.")
    var epochs: Int = 20

    @Option(parsing: .unconditional, help: "Training batch size.")
    var batchSize: Int = 128

    @Option(parsing: .unconditional, help: "Adam's step size.")
    var learningRate: Double = 1e-3

    @Option(parsing: .unconditional, help: "Fraction of rows held out of training; the statistics are computed on them.")
    var heldOut: Double = 0.2

    @Option(help: "A statistic to test (repeat the option for several).")
    var statistic: [String] = []

    @Option(parsing: .unconditional, help: "R SAE seeds per model (their spread enters the interval).")
    var methodSeeds: Int?

    @Option(parsing: .unconditional, help: "Master seed (split, SAE initializations, nulls, bootstrap).")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Significance level.")
    var alpha: Double = 0.05

    @OptionGroup var run: RunOptions

    func run() async throws {
        try await naming("salmon sae options", options: Self.specOptions) { try await body() }
    }

    private func body() async throws {
        try ReportDirectory.requireOutputDirectory(out)
        let files = try ProbeCommand.nullFiles(null)
        let spec = try Self.spec(trained: trained, nulls: files, gaussian: gaussian, frozenDecoder: frozenDecoder, frozenEncoder: frozenEncoder,
                                 parameters: try parameters(), method: method, statistics: statistic, methodSeeds: methodSeeds, seed: seed, alpha: alpha)
        try await ProbeCommand.audit(spec, out: out, jobs: run.jobs)
    }

    /// The SAE's parameters from the options (the other method's option is an error).
    private func parameters() throws -> SparseAutoencoderParameters {
        var p = SparseAutoencoderParameters()
        let jumpReLUOptions: [(String, Double?)] = [("--l0-coefficient", l0Coefficient), ("--bandwidth", bandwidth), ("--initial-threshold", initialThreshold)]
        if method != "jumprelu", let given = jumpReLUOptions.first(where: { $0.1 != nil }) {
            throw UsageError(option: given.0, expected: "no \(given.0) for a \(method) SAE (JumpReLU takes it)")
        }
        switch method {
        case "topk", "batchtopk":
            if l1 != nil { throw UsageError(option: "--l1", expected: "no L1 coefficient for a TopK SAE (it takes --k)") }
            p.k = k ?? p.k
        case "relu":
            if k != nil { throw UsageError(option: "--k", expected: "no k for a ReLU SAE (it takes --l1)") }
            p.l1 = l1 ?? p.l1
        case "jumprelu":
            if k != nil { throw UsageError(option: "--k", expected: "no k for a JumpReLU SAE (it takes --l0-coefficient)") }
            if l1 != nil { throw UsageError(option: "--l1", expected: "no L1 coefficient for a JumpReLU SAE (it takes --l0-coefficient)") }
            (p.l0Coefficient, p.bandwidth, p.initialThreshold) = (l0Coefficient, bandwidth, initialThreshold)
            p.fillJumpReLUDefaults()
        default:
            throw UsageError(option: "--method", expected: "topk, batchtopk, relu or jumprelu, found '\(method)'")
        }
        p.expansion = expansion
        p.epochs = epochs
        p.batchSize = batchSize
        p.learningRate = learningRate
        p.heldOut = heldOut
        return p
    }

    /// The option each field of the generated spec comes from (errors name the option).
    static let specOptions: [String: String] = {
        var map = ["alpha": "--alpha", "seed": "--seed", "resampling.methodSeeds": "--method-seeds", "model.activations.nulls": "--null",
                   "nulls": "--null"]
        let keys = ["k": "--k", "l1": "--l1", "l0Coefficient": "--l0-coefficient", "bandwidth": "--bandwidth", "initialThreshold": "--initial-threshold", "expansion": "--expansion", "epochs": "--epochs", "batchSize": "--batch-size",
                    "learningRate": "--learning-rate", "heldOut": "--held-out"]
        let statistics = SparseAutoencoderFamily().statistics(of: SparseAutoencoderFamily.Method.topK.rawValue).map(\.name)
        let claims = (0..<statistics.count).map { "claims[\($0)]" } + statistics.map { "claims.\($0)" }
        for claim in claims {
            for (key, option) in keys { map[claim + ".method." + key] = option }
            map[claim + ".statistic"] = "--statistic"
        }
        for i in 0..<4 { map["nulls[\(i)].K"] = "--gaussian, --frozen-decoder, --frozen-encoder or --null" }
        return map
    }()

    /// The audit of supplied activations the options describe, built in code: one claim per
    /// statistic (named after it), all with the same SAE; the null files as the family `supplied`,
    /// the others as `gaussian-activations`, `frozen-decoder` and `frozen-encoder`.
    /// - Throws: ``UsageError`` naming the option when no null is given or a statistic is unknown;
    ///   ``SpecError`` when the spec is invalid.
    static func spec(trained: String, nulls: [String], gaussian: Int?, frozenDecoder: Int?, frozenEncoder: Int?,
                     parameters: SparseAutoencoderParameters, method: String, statistics: [String], methodSeeds: Int?,
                     seed: UInt64, alpha: Double) throws -> AuditSpec {
        let name = [("relu", SparseAutoencoderFamily.Method.relu), ("batchtopk", .batchTopK), ("jumprelu", .jumpReLU)].first { $0.0 == method }?.1.rawValue
            ?? SparseAutoencoderFamily.Method.topK.rawValue
        let offered = SparseAutoencoderFamily().statistics(of: name).map(\.name)
        let chosen = statistics.isEmpty ? [offered[0]] : statistics
        var seen = Set<String>()
        for s in chosen {
            guard offered.contains(s) else {
                var message = "one of \(offered.joined(separator: ", ")), found '\(s)'"
                if let near = nearestName(to: s, in: offered) { message += "; did you mean '\(near)'?" }
                throw UsageError(option: "--statistic", expected: message)
            }
            guard seen.insert(s).inserted else { throw UsageError(option: "--statistic", expected: "each statistic once, found '\(s)' twice") }
        }
        let methodSpec = try MethodSpec(name: name, parameters: parameters)
        let claims = chosen.map { ClaimSpec(name: $0, method: methodSpec, statistic: $0, target: "label") }
        var families: [NullSpec] = []
        if !nulls.isEmpty { families.append(NullSpec(family: NullSpec.Family.supplied.rawValue, K: nulls.count)) }
        for (family, count, option) in [(NullSpec.Family.gaussianActivations, gaussian, "--gaussian"),
                                        (.frozenDecoder, frozenDecoder, "--frozen-decoder"), (.frozenEncoder, frozenEncoder, "--frozen-encoder")] {
            guard let count else { continue }
            guard count >= 1 else { throw UsageError(option: option, expected: "at least 1 null draw, found \(count)") }
            families.append(NullSpec(family: family.rawValue, K: count))
        }
        guard !families.isEmpty else {
            throw UsageError(option: "--null", expected: "at least one null: --null FILES, --gaussian K, --frozen-decoder K or --frozen-encoder K")
        }
        var model = ModelSpec(task: nil)
        model.activations = ActivationFiles(trained: trained, nulls: nulls)
        var spec = AuditSpec(name: "sae", seed: seed, model: model, claims: claims, nulls: families, alpha: alpha)
        spec.resampling.methodSeeds = methodSeeds
        try spec.validate()
        return spec
    }
}
