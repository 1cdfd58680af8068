import ArgumentParser
import DeadSalmon
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `salmon probe`: the probe audit on activations exported from any framework.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Audit a logistic or ridge probe on your own activations (.npy/.npz/safetensors) against null-model activations.",
        discussion: """
            Every file holds the activations of one model on the same evaluation inputs, one row per input. \
            With --labels, a logistic probe's held-out accuracy on the trained activations is tested against its \
            accuracy on each null model's; with --control-types, selectivity (Hewitt & Liang 2019) is tested as well. \
            With --targets (real values), a ridge probe's held-out R² is tested the same way. \
            A file with several arrays is read as FILE#NAME.
            """
    )

    @Option(help: "The trained model's activations [rows, features].")
    var trained: String

    @Option(help: "Null models' activations: a glob such as 'nulls/*.npy' (quote it), or repeat the option.")
    var null: [String]

    @Option(help: "Class labels, one integer per row (a logistic probe; accuracy is tested).")
    var labels: String?

    @Option(help: "Real-valued targets, one per row, instead of --labels (a ridge probe; held-out R² is tested).")
    var targets: String?

    @Option(help: "Control-task types, one integer per row (e.g. word type ids).")
    var controlTypes: String?

    @Option(help: "Output directory.")
    var out: String

    @Option(name: .customLong("C"), parsing: .unconditional, help: "Inverse L2 strength of the logistic probe (scikit-learn's C).")
    var inverseRegularization: Double = 1

    @Option(parsing: .unconditional, help: "L2 strength of the ridge probe (scikit-learn's alpha).")
    var ridgeAlpha: Double = 1

    @Option(parsing: .unconditional, help: "Cross-validation folds.")
    var folds: Int = 5

    @Option(parsing: .unconditional, help: "Master seed (folds, control labels, bootstrap).")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Significance level.")
    var alpha: Double = 0.05

    @OptionGroup var run: RunOptions

    func run() async throws {
        try await naming("salmon probe options", options: Self.specOptions) { try await body() }
    }

    private func body() async throws {
        try ReportDirectory.requireOutputDirectory(out)
        let files = try Self.nullFiles(null)
        guard !files.isEmpty else { throw UsageError(option: "--null", expected: "at least one null activation file") }
        let spec = try Self.spec(trained: trained, nulls: files, labels: labels, targets: targets, controlTypes: controlTypes,
                                 C: inverseRegularization, ridgeAlpha: ridgeAlpha, folds: folds, seed: seed, alpha: alpha)
        try await Self.audit(spec, out: out, jobs: run.jobs)
    }

    /// The files the `--null` patterns match, pattern by pattern.
    /// - Throws: ``UsageError`` naming `--null` when a pattern matches nothing.
    static func nullFiles(_ patterns: [String]) throws -> [String] {
        var files: [String] = []
        for pattern in patterns {
            let matches = glob(pattern)
            guard !matches.isEmpty else { throw UsageError(option: "--null", expected: "files matching '\(pattern)', found none") }
            files += matches
        }
        return files
    }

    /// Runs the audit of supplied activations `spec` into `out` (records there, reports, the exit
    /// status of its claims): what `salmon probe` and `salmon sae` do once their spec is built.
    static func audit(_ spec: AuditSpec, out: String, jobs: Int) async throws {
        let subject = try ActivationSubject(spec: spec)
        let store = try recordStore(in: out)
        let (result, _) = try await removingCreatedOutput(out) {
            try await Audit.run(spec: spec, subject: subject, jobs: jobs, store: store, progress: ProgressLine().callback)
        }
        guard let result else { return }
        try writeReports(result, to: out)
        try exitForClaims(result)
    }

    /// The audit of supplied activations the options describe, built in code: a logistic probe's
    /// accuracy (and, with control types, its selectivity) on `labels`, or a ridge probe's R² on
    /// `targets`; the null files as the family `supplied`.
    /// - Throws: ``UsageError`` naming the option when labels and targets are both or neither
    ///   given, or control types come with targets; ``SpecError`` when the spec is invalid.
    /// The option each field of the generated spec comes from (errors name the option).
    static let specOptions: [String: String] = {
        var map = ["alpha": "--alpha", "seed": "--seed", "nulls[0].K": "--null"]
        for claim in ["claims[0]", "claims[1]", "claims.probe-accuracy", "claims.probe-selectivity", "claims.probe-r2"] {
            map[claim + ".method.folds"] = "--folds"
            map[claim + ".method.C"] = "--C"
            map[claim + ".method.alpha"] = "--ridge-alpha"
            map[claim + ".controls."] = "--control-types"
        }
        return map
    }()

    static func spec(trained: String, nulls: [String], labels: String?, targets: String?, controlTypes: String?, C: Double,
                     ridgeAlpha: Double, folds: Int, seed: UInt64, alpha: Double) throws -> AuditSpec {
        var claims: [ClaimSpec] = []
        var p = ProbeParameters()
        p.folds = folds
        switch (labels, targets) {
        case (let labels?, nil):
            p.C = C
            let method = try MethodSpec(name: "logistic-probe", parameters: p)
            claims.append(ClaimSpec(name: "probe-accuracy", method: method, statistic: "accuracy", target: labels))
            if let controlTypes {
                var selectivity = ClaimSpec(name: "probe-selectivity", method: method, statistic: "selectivity", target: labels)
                selectivity.controlTypes = controlTypes
                claims.append(selectivity)
            }
        case (nil, let targets?):
            guard controlTypes == nil else {
                throw UsageError(option: "--control-types", expected: "no control types with --targets (the ridge probe reports R² only)")
            }
            p.alpha = ridgeAlpha
            claims.append(ClaimSpec(name: "probe-r2", method: try MethodSpec(name: "ridge-probe", parameters: p), statistic: "r2", target: targets))
        default:
            throw UsageError(option: "--labels", expected: "one of --labels (class labels) or --targets (real values), found \(labels == nil ? "neither" : "both")")
        }
        var model = ModelSpec(task: nil)
        model.activations = ActivationFiles(trained: trained, nulls: nulls)
        let spec = AuditSpec(name: "probe", seed: seed, model: model, claims: claims,
                             nulls: [NullSpec(family: NullSpec.Family.supplied.rawValue, K: nulls.count)], alpha: alpha)
        try spec.validate()
        return spec
    }

    /// Paths matching a shell glob pattern, sorted; a pattern without wildcards matches itself if it exists.
    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}
