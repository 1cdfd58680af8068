import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon demo`: the whole audit on a small network, end to end — the README's main job.
///
/// Trains an MLP on planted concepts (the label is the XOR of concepts 0 and 1; concept 2 is
/// present in the input but the label ignores it), then audits, at every hidden layer, a linear
/// probe for the label's concept, a linear probe for the ignored concept (a negative control,
/// expected to be a dead salmon), and the PCA–label correlation, each against random-init,
/// cascading and permuted-label null networks. Writes `Reports/demo/`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Audit probes on a small trained network against null networks; write Reports/demo/.",
        discussion: "The spec it runs is printed by 'salmon demo --print-spec'; 'salmon audit' runs any spec like it."
    )

    @Option(help: "Output directory.")
    var out: String = "Reports/demo"

    @OptionGroup var run: RunOptions

    @Flag(help: "Print the demo's audit spec (YAML) and exit.")
    var printSpec = false

    @Flag(help: "Print the demo audit's plan (as 'salmon audit --plan': the K each test needs, the time, the power) and exit.")
    var plan = false

    static let spec = """
    # The demo audit (salmon demo). Run it yourself with: salmon audit demo.yaml --out DIR
    version: 1
    name: demo-planted-concepts
    seed: 1
    model:
      task: planted-concepts          # x = sum_j z_j u_j + noise; label = z0 XOR z1; z2 is ignored
      taskOptions: {examples: 2000, concepts: 3, dimension: 16, labelConcepts: [0, 1], noise: 0.25}
      hidden: [32, 32]
      activation: relu
      training: {epochs: 40, batchSize: 100, learningRate: 0.01, seeds: 1}
      evaluationExamples: 1000        # fresh inputs, never trained on; every probe reads these
    claims:
      - name: label-concept           # "layer l represents the concept the label is computed from"
        method: {name: logistic-probe, C: 1.0, folds: 5}
        target: label
        statistic: accuracy
      - name: ignored-concept         # negative control: a concept the label ignores
        method: {name: logistic-probe, C: 1.0, folds: 5}
        target: concept:2
        statistic: accuracy
        expect: "null"
      - name: pca-label               # representation geometry: top-5 PCs vs the label
        method: {name: pca-label-correlation, components: 5}
        target: label
        statistic: maxAbsCorrelation
    nulls:
      - {family: random-init, K: 999}
      - {family: cascading-top-down, K: 999}
      - {family: permuted-labels, K: 499}
    resampling: {bootstrap: 2000, interval: bca, level: 0.95}
    alpha: 0.05
    correction: holm

    """

    func run() async throws {
        try ReportDirectory.requireOutputDirectory(out)
        if printSpec {
            emit(Self.spec)
            return
        }
        let started = Date()
        let spec = try AuditSpec.parse(yaml: Self.spec, file: "demo spec")
        if plan {
            try emitPlan(spec, specDirectory: ".", jobs: run.jobs, effect: nil)
            return
        }
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: run.jobs)
        let (result, _) = try await Audit.run(spec: spec, subject: subject, jobs: run.jobs, store: try recordStore(in: out + "/.work"),
                                              progress: ProgressLine().callback)
        guard let result else { return }
        try writeReports(result, to: out)
        try? FileManager.default.removeItem(atPath: out + "/.work")
        FileHandle.standardError.write(Data(String(format: "salmon demo: finished in %.1f s (%d jobs)\n", Date().timeIntervalSince(started), run.jobs).utf8))
    }
}
