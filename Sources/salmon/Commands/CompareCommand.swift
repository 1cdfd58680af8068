import ArgumentParser
import DeadSalmon

/// `salmon compare`: an observed statistic against a sample from its null distribution.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Monte Carlo p-value of observed statistics against null draws, with effect sizes.",
        discussion: """
            For each observed value T: p = (1 + b)/(1 + K) where b of the K null values are at least \
            as extreme, a Clopper–Pearson interval for p, the standardized distance \
            z = (T − mean(null))/sd(null), and AUROC = P(T > null) + ½P(T = null).
            """
    )

    @Option(help: "File of observed statistic(s), or -.")
    var observed: String

    @Option(name: .customLong("null"), help: "File of null statistics (K ≥ 2 values), or -.")
    var nullFile: String

    @Option(help: "Alternative: greater|less|two-sided.")
    var alternative: Alternative = .greater

    @Option(parsing: .unconditional, help: "Confidence level of the interval on the p-value.")
    var level: Double = 0.95

    @OptionGroup var input: NumberInput
    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        var observed: Double
        var pValue: Double
        var pValueLower: Double
        var pValueUpper: Double
        var extreme: Int
        var zScore: Double?
        var auroc: Double
    }

    struct Summary: Encodable {
        var mean: Double
        var standardDeviation: Double
        var median: Double
        var q025: Double
        var q975: Double
    }

    struct Output: Encodable {
        var alternative: String
        var level: Double
        var nullSize: Int
        var null: Summary
        var results: [Row]
    }

    func run() throws {
        try validateLevel(level)
        if observed == "-" && nullFile == "-" {
            throw UsageError(option: "--observed and --null", expected: "at most one of them to be standard input (-)")
        }
        let t = try input.read(observed)
        let null = try input.read(nullFile)
        if null.count < 2 {
            throw InputError(file: InputFile.displayName(nullFile), expected: "at least 2 null values, found \(null.count)")
        }
        let rows = try t.map { value -> Row in
            let p = try MonteCarloTest.pValue(observed: value, null: null, alternative: alternative, level: level)
            let z = try EffectSize.standardizedDistance(value, from: null)
            return Row(observed: value, pValue: p.pValue, pValueLower: p.interval.lower, pValueUpper: p.interval.upper,
                       extreme: p.extremeCount, zScore: z.isFinite ? z : nil, auroc: try EffectSize.auroc([value], null))
        }
        let q = Quantile.quantiles(null, [0.5, 0.025, 0.975])
        let summary = Summary(mean: Descriptive.mean(null), standardDeviation: Descriptive.standardDeviation(null),
                              median: q[0], q025: q[1], q975: q[2])
        switch output.format {
        case .json:
            emit(try jsonText(Output(alternative: alternative.rawValue, level: level, nullSize: null.count,
                                     null: summary, results: rows)))
        case .csv:
            emit(CSVOutput(
                header: ["observed", "alternative", "null_size", "extreme", "p_value", "p_lower", "p_upper", "level",
                         "z_score", "auroc", "null_mean", "null_sd", "null_median", "null_q025", "null_q975"],
                rows: rows.map { r in
                    [cell(r.observed), alternative.rawValue, cell(null.count), cell(r.extreme), cell(r.pValue),
                     cell(r.pValueLower), cell(r.pValueUpper), cell(level), r.zScore.map(cell) ?? "", cell(r.auroc),
                     cell(summary.mean), cell(summary.standardDeviation), cell(summary.median), cell(summary.q025),
                     cell(summary.q975)]
                }).text)
        }
    }
}
