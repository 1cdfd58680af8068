import ArgumentParser
import DeadSalmon

/// `salmon bootstrap`: a bootstrap confidence interval for a statistic of numbers in a file.
struct BootstrapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Bootstrap confidence interval (percentile, basic or BCa) for a statistic of a sample.",
        discussion: """
            The standard error is the standard deviation of the replicates (ddof 1); std and var \
            use ddof 1; trimmed-mean cuts --trim of the values from each end.
            """
    )

    enum Statistic: String, ExpressibleByArgument, CaseIterable {
        case mean, median, std, `var`, trimmedMean = "trimmed-mean"
    }

    @Option(help: "Statistic: mean|median|std|var|trimmed-mean.")
    var statistic: Statistic = .mean

    @Option(parsing: .unconditional, help: "Proportion cut from each end for trimmed-mean, in [0, 0.5) (default 0.1).")
    var trim: Double?

    @Option(help: "Interval: percentile|basic|bca.")
    var interval: BootstrapInterval = .bca

    @Option(parsing: .unconditional, help: "Confidence level, in (0, 1).")
    var level: Double = 0.95

    @OptionGroup var random: RandomOptions
    @OptionGroup var input: NumberInput
    @OptionGroup var output: OutputOptions

    @Argument(help: "File of numbers, or - for standard input.")
    var file: String

    struct Output: Encodable {
        struct Interval: Encodable { var lower: Double; var upper: Double; var level: Double }
        var statistic: String
        var interval: String
        var n: Int
        var estimate: Double
        var confidenceInterval: Interval
        var standardError: Double
        var resamples: Int
        var seed: UInt64
        var streamPath: String
        var generator: String
        var derivation: String
    }

    func run() throws {
        try random.check()
        try validateLevel(level)
        if let trim, statistic != .trimmedMean {
            throw UsageError(option: "--trim", expected: "--statistic trimmed-mean (it is the only statistic that trims), found --statistic \(statistic.rawValue) with --trim \(trim)")
        }
        let trim = self.trim ?? 0.1
        if statistic == .trimmedMean && !(trim >= 0 && trim < 0.5) {
            throw UsageError(option: "--trim", expected: "a proportion in [0, 0.5), found \(trim)")
        }
        let data = try input.read(file)
        let source = InputFile.displayName(file)
        let kind: BootstrapStatistic
        switch statistic {
        case .mean: kind = .mean
        case .median: kind = .median
        case .std: kind = .standardDeviation
        case .var: kind = .variance
        case .trimmedMean: kind = .trimmedMean(proportion: trim)
        }
        if (kind == .standardDeviation || kind == .variance) && data.count < 2 {
            throw InputError(file: source, expected: "at least 2 numbers for \(statistic.rawValue), found \(data.count)")
        }
        let plan = try Bootstrap(resamples: random.resamples, seed: random.seed, workers: random.jobs)
        let result = try plan.run(data, statistic: kind)
        let ci = try result.interval(interval, level: level)
        guard ci.isDetermined, result.standardError.isFinite else {
            let why = result.diagnostics.first ?? "the jackknife acceleration is undefined (every leave-one-out value is equal)"
            throw InputError(file: source, expected: "data with a non-degenerate bootstrap distribution for the \(interval.rawValue) interval; \(why)")
        }
        let provenance = result.provenance
        switch output.format {
        case .json:
            emit(try jsonText(Output(
                statistic: statistic.rawValue, interval: interval.rawValue, n: data.count, estimate: result.estimate,
                confidenceInterval: .init(lower: ci.lower, upper: ci.upper, level: level),
                standardError: result.standardError, resamples: result.resamples, seed: random.seed,
                streamPath: provenance?.streamPath ?? "", generator: RandomStream.generatorName,
                derivation: RandomStream.derivationScheme)))
        case .csv:
            emit(CSVOutput(
                header: ["statistic", "interval", "n", "estimate", "lower", "upper", "level", "standard_error",
                         "resamples", "seed", "generator"],
                rows: [[statistic.rawValue, interval.rawValue, cell(data.count), cell(result.estimate), cell(ci.lower),
                        cell(ci.upper), cell(level), cell(result.standardError), cell(result.resamples),
                        cell(random.seed), RandomStream.generatorName]]).text)
        }
    }
}
