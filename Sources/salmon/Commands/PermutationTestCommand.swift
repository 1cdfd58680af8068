import ArgumentParser
import DeadSalmon

/// `salmon permutation-test`: two-sample permutation test of a difference in means.
struct PermutationTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permutation-test",
        abstract: "Two-sample permutation test of mean(A) − mean(B) (or mean(A − B) with --paired).",
        discussion: """
            Exact (every arrangement enumerated) when there are at most --resamples arrangements; \
            otherwise a Monte Carlo p-value (1 + b)/(1 + B) with a Clopper–Pearson interval. \
            Independent samples also get Cohen's d, Hedges' g, Cliff's delta and AUROC.
            """
    )

    @Flag(help: "Paired samples: test mean(A − B) by sign flips.")
    var paired = false

    @Option(help: "Alternative: greater|less|two-sided.")
    var alternative: Alternative = .twoSided

    @Option(parsing: .unconditional, help: "Confidence level of the interval on the p-value.")
    var level: Double = 0.95

    @OptionGroup var random: RandomOptions
    @OptionGroup var input: NumberInput
    @OptionGroup var output: OutputOptions

    @Argument(help: "File of sample A (or -).")
    var a: String

    @Argument(help: "File of sample B (or -).")
    var b: String

    struct Output: Encodable {
        struct Interval: Encodable { var lower: Double; var upper: Double; var level: Double }
        struct Effects: Encodable { var cohensD: Double?; var hedgesG: Double?; var cliffsDelta: Double; var auroc: Double }
        var design: String
        var alternative: String
        var nA: Int
        var nB: Int
        var statistic: Double
        var pValue: Double
        var pValueInterval: Interval
        var exact: Bool
        var extreme: Int
        var arrangements: Int
        var effectSizes: Effects?
        var seed: UInt64
        var generator: String
    }

    func run() throws {
        try random.check()
        try validateLevel(level)
        if a == "-" && b == "-" {
            throw UsageError(option: "A and B", expected: "at most one of them to be standard input (-)")
        }
        let x = try input.read(a)
        let y = try input.read(b)
        if paired && x.count != y.count {
            throw InputError(file: InputFile.displayName(b),
                             expected: "as many numbers as \(InputFile.displayName(a)) (\(x.count)) for a paired test, found \(y.count)")
        }
        let test = try PermutationTest(resamples: random.resamples, seed: random.seed, workers: random.jobs)
        let result = paired ? try test.paired(x, y, alternative: alternative, level: level)
                            : try test.independent(x, y, alternative: alternative, level: level)
        var effects: Output.Effects?
        if !paired {
            let d = x.count >= 2 && y.count >= 2 ? try EffectSize.cohensD(x, y) : .nan
            let g = x.count >= 2 && y.count >= 2 ? try EffectSize.hedgesG(x, y) : .nan
            effects = .init(cohensD: d.isFinite ? d : nil, hedgesG: g.isFinite ? g : nil,
                            cliffsDelta: try EffectSize.cliffsDelta(x, y), auroc: try EffectSize.auroc(x, y))
        }
        let t = result.test
        switch output.format {
        case .json:
            emit(try jsonText(Output(
                design: paired ? "paired" : "independent", alternative: alternative.rawValue, nA: x.count, nB: y.count,
                statistic: result.statistic, pValue: t.pValue,
                pValueInterval: .init(lower: t.interval.lower, upper: t.interval.upper, level: level),
                exact: t.isExact, extreme: t.extremeCount, arrangements: t.nullCount, effectSizes: effects,
                seed: random.seed, generator: RandomStream.generatorName)))
        case .csv:
            func optional(_ v: Double?) -> String { v.map(cell) ?? "" }
            emit(CSVOutput(
                header: ["design", "alternative", "n_a", "n_b", "statistic", "p_value", "p_lower", "p_upper", "level",
                         "exact", "extreme", "arrangements", "cohens_d", "hedges_g", "cliffs_delta", "auroc", "seed",
                         "generator"],
                rows: [[paired ? "paired" : "independent", alternative.rawValue, cell(x.count), cell(y.count),
                        cell(result.statistic), cell(t.pValue), cell(t.interval.lower), cell(t.interval.upper),
                        cell(level), cell(t.isExact), cell(t.extremeCount), cell(t.nullCount),
                        optional(effects?.cohensD), optional(effects?.hedgesG), optional(effects?.cliffsDelta),
                        optional(effects?.auroc), cell(random.seed), RandomStream.generatorName]]).text)
        }
    }
}
