import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon circuits`: every circuit of a small MLP, and how many explain it perfectly.
struct CircuitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "circuits",
        abstract: "Enumerate every circuit of a small MLP (a PyTorch state dict) and count the perfect ones.",
        discussion: """
            Semantics of Méloux et al. (ICLR 2025): node masks on each layer's inputs, edge masks on \
            weights, biases never masked; every non-empty choice of nodes per layer except keeping them \
            all, every edge mask covering the kept nodes; perfect = the output rounded (halves to even) \
            equals the target on more than --threshold of the validation rows (each gate input \
            repeated 50 times). Prints the counts and the identifiability statistics. With --groundings, \
            every perfect circuit (or a uniform sample, --grounding-sample) is interpreted as the \
            published code does — a boundary and a logic gate per node — and the explanations (circuit, \
            grounding) counted, with their entropies in bits; with --what-then-where, the gate's \
            candidate formulas and their minimal mappings onto hidden units are counted.
            """
    )

    @Option(help: "The model's state dict (safetensors).")
    var model: String

    @Option(help: "The architecture JSON (type mlp, sizes, activations, naming).")
    var architecture: String

    @Option(help: "The two-input Boolean gate: xor, and, or, nand, nor, xnor.")
    var task: String = "xor"

    @Option(parsing: .unconditional, help: "A circuit is perfect when more than this fraction of validation rows is right.")
    var threshold: Double = 0.99

    @Option(help: "Output format: csv or json.")
    var format: OutputFormat = .csv

    @Flag(help: "Also list the perfect circuits (JSON only; with --groundings, each circuit's number of groundings).")
    var list = false

    @Flag(help: "Also ground the perfect circuits (Méloux et al.'s interpretations: a boundary and a gate per node): explanations, entropies.")
    var groundings = false

    @Option(parsing: .unconditional, help: "Ground a uniform sample of this many perfect circuits (bottom-k by a seeded hash) instead of all of them.")
    var groundingSample: Int?

    @Option(parsing: .unconditional, help: "Seed of the grounding sample (default 0).")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "With --groundings and --list: also list up to this many groundings of each listed circuit (a boundary, parents and truth table per node; JSON only).")
    var listGroundings: Int?

    @Flag(help: "Also read the network the what-then-where way: the gate's candidate formulas and their minimal mappings onto hidden units.")
    var whatThenWhere = false

    @Option(parsing: .unconditional, help: "Refuse a model with more candidate circuits than this (default 1e11, about 20 core-minutes).")
    var maxCandidates: Double = CircuitEnumerator.defaultMaximumCandidates

    @Option(parsing: .unconditional, help: "Worker threads (the result does not depend on it).")
    var jobs: Int = ProcessorCount.active

    static let gates: [String: [Float]] = [
        "xor": [0, 1, 1, 0], "and": [0, 0, 0, 1], "or": [0, 1, 1, 1],
        "nand": [1, 1, 1, 0], "nor": [1, 0, 0, 0], "xnor": [1, 0, 0, 1],
    ]

    struct Summary: Encodable {
        var model: String
        var sizes: [Int]
        var task: String
        var threshold: Double
        var candidateCircuits: Double
        var perfectCircuits: Double
        var minimalCircuits: Int
        var meanJaccard: Double?
        var containmentFraction: Double?
        var pairsExamined: Int
        var pairsSampled: Bool
        var meanNodeSparsity: Double?
        var meanEdgeSparsity: Double?
        var meanCombinedSparsity: Double?
        var seconds: Double
        var circuits: [Circuit]?
        var groundings: Groundings?
        var whatThenWhere: WhatThenWhere?
    }

    /// The what-then-where part of the summary (``WhatThenWhereCensus``).
    struct WhatThenWhere: Encodable {
        var candidateFormulas: Int
        var mappedFormulas: Int
        var minimalMappings: Int
        /// The formulas with a minimal mapping and their numbers of minimal mappings.
        var mapped: [MappedFormula]
    }

    struct MappedFormula: Encodable {
        var formula: String
        var minimalMappings: Int
    }

    /// The groundings part of the summary (``GroundingStatistics``).
    struct Groundings: Encodable {
        var groundedCircuits: Int
        var sampled: Bool
        var sampleSeed: UInt64?
        var explanations: Double
        var circuitsWithMultipleGroundings: Int
        var fractionWithMultipleGroundings: Double?
        var explanationEntropyBits: Double?
        var circuitEntropyBits: Double?
        /// Per listed circuit (with --list), in the order of `circuits` — which are then the
        /// grounded circuits (the sample, by sample key, with --grounding-sample).
        var perCircuit: [Double]?
        /// Per listed circuit, its first groundings in the published code's order (--list-groundings).
        var lists: [[Grounding]]?
    }

    func run() throws {
        guard let table = Self.gates[task] else {
            throw UsageError(option: "--task", expected: "one of \(Self.gates.keys.sorted().joined(separator: ", ")), found '\(task)'")
        }
        guard threshold >= 0 && threshold < 1 else { throw UsageError(option: "--threshold", expected: "a fraction in [0, 1), found \(threshold)") }
        guard jobs >= 1 else { throw UsageError(option: "--jobs", expected: "at least 1") }
        if let listGroundings {
            guard groundings && list else { throw UsageError(option: "--list-groundings", expected: "--groundings and --list as well") }
            guard listGroundings >= 1 && listGroundings <= 100_000 else {
                throw UsageError(option: "--list-groundings", expected: "1 … 100,000 groundings per circuit, found \(listGroundings)")
            }
        }
        if seed != nil && groundingSample == nil {
            throw UsageError(option: "--seed", expected: "--grounding-sample as well (the seed draws the sample)")
        }
        if let groundingSample {
            guard groundings else { throw UsageError(option: "--grounding-sample", expected: "--groundings as well") }
            guard groundingSample >= 1 else { throw UsageError(option: "--grounding-sample", expected: "a count of at least 1, found \(groundingSample)") }
        }
        guard maxCandidates >= 1 && maxCandidates.isFinite else {
            throw UsageError(option: "--max-candidates", expected: "a count of at least 1, found \(maxCandidates)")
        }
        let loaded = try StateDict.load(path: model, architecturePath: architecture)
        guard case .mlp(let mlp) = loaded else {
            let found: String
            switch loaded {
            case .mlp: found = "mlp"
            case .cnn: found = "cnn (convolutions have too many edges to enumerate their circuits)"
            case .transformer: found = "transformer (attention has too many edges to enumerate its circuits)"
            }
            throw InputError(file: architecture, field: "type", expected: "mlp (circuit enumeration covers small MLPs), found \(found)")
        }
        guard mlp.sizes.first == 2 else {
            throw InputError(file: architecture, field: "sizes", expected: "2 inputs for a two-input gate, found \(mlp.sizes.first ?? 0)")
        }
        if mlp.sizes.last == 1 && mlp.sizes.count >= 3 && mlp.sizes.allSatisfy({ $0 <= 16 }) {
            let candidates = CircuitEnumerator.candidateCount(sizes: mlp.sizes)
            guard candidates <= maxCandidates else {
                throw InputError(file: architecture, field: "sizes", expected: "at most --max-candidates \(String(format: "%.3g", maxCandidates)) candidate circuits; sizes \(mlp.sizes) have \(String(format: "%.3g", candidates)) (about 8e7 are checked per core-second)")
            }
        }
        if whatThenWhere && mlp.sizes.count > 4 {
            throw InputError(file: architecture, field: "sizes", expected: "at most two hidden layers for --what-then-where (its candidate formulas have depth up to the layers after the input), found \(mlp.sizes)")
        }
        let started = Date()
        var enumerator = try CircuitEnumerator(model: mlp, validation: .booleanGate(table, threshold: threshold), maximumCandidates: maxCandidates)
        let sampleSeed = seed ?? 0
        if let groundingSample { enumerator.sample = (groundingSample, sampleSeed) }
        let census = enumerator.run(jobs: jobs)
        let stats = census.statistics()
        var grounded: Groundings?
        var algorithms: WhatThenWhere?
        if whatThenWhere {
            let tableInts = table.map { Int($0) }
            let w = try WhatThenWhereCensus(model: mlp, table: tableInts)
            let formulas = BooleanFormula.candidates(table: tableInts, maxDepth: mlp.sizes.count - 1)
            algorithms = WhatThenWhere(candidateFormulas: w.candidateFormulas, mappedFormulas: w.mappedFormulas, minimalMappings: w.minimalMappings,
                                       mapped: zip(formulas, w.mappingsPerFormula).filter { $0.1 > 0 }
                                           .map { MappedFormula(formula: $0.0.description, minimalMappings: $0.1) })
        }
        if groundings {
            guard census.isComplete || census.sample != nil else {
                throw InputError(file: model, field: "perfect circuits", expected: "at most \(enumerator.keepLimit) perfect circuits to ground them all, found \(Int(census.perfectCount)); pass --grounding-sample N")
            }
            let (counts, lists) = try GroundingStatistics.groundings(model: mlp, circuits: census.sample ?? census.perfect, jobs: jobs,
                                                                     listing: listGroundings)
            let g = try GroundingStatistics(groundings: counts, perfectCircuits: census.perfectCount)
            grounded = Groundings(groundedCircuits: g.groundedCircuits, sampled: g.sampled, sampleSeed: g.sampled ? sampleSeed : nil,
                                  explanations: g.explanations, circuitsWithMultipleGroundings: g.circuitsWithMultipleGroundings,
                                  fractionWithMultipleGroundings: g.fractionWithMultipleGroundings,
                                  explanationEntropyBits: g.explanationEntropy, circuitEntropyBits: g.circuitEntropy,
                                  perCircuit: list ? counts : nil,
                                  lists: lists)
        }
        func mean(_ x: [Double]) -> Double? { x.isEmpty ? nil : x.reduce(0, +) / Double(x.count) }
        let summary = Summary(model: InputFile.displayName(model), sizes: mlp.sizes, task: task, threshold: threshold,
                              candidateCircuits: census.candidates, perfectCircuits: census.perfectCount,
                              minimalCircuits: stats.minimal.count, meanJaccard: stats.meanJaccard,
                              containmentFraction: stats.containmentFraction, pairsExamined: stats.pairsExamined,
                              pairsSampled: stats.pairsSampled, meanNodeSparsity: mean(stats.nodeSparsity),
                              meanEdgeSparsity: mean(stats.edgeSparsity), meanCombinedSparsity: mean(stats.combinedSparsity),
                              seconds: Date().timeIntervalSince(started), circuits: list ? (grounded != nil ? census.sample ?? census.perfect : census.perfect) : nil,
                              groundings: grounded, whatThenWhere: algorithms)
        if !census.isComplete {
            var line = "salmon circuits: \(Int(census.perfectCount)) perfect circuits, statistics over the first \(census.perfect.count)"
            if let sample = census.sample, grounded != nil { line += ", groundings over a uniform sample of \(sample.count) (seed \(sampleSeed))" }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        switch format {
        case .json:
            emit(try jsonText(summary))
        case .csv:
            func opt(_ v: Double?) -> String { v.map { cell($0) } ?? "" }
            var header = ["model", "sizes", "task", "candidate_circuits", "perfect_circuits", "minimal_circuits",
                          "mean_jaccard", "containment_fraction", "mean_node_sparsity", "mean_edge_sparsity",
                          "mean_combined_sparsity"]
            var row = [summary.model, mlp.sizes.map(String.init).joined(separator: "-"), task,
                       cell(Int(census.candidates)), cell(Int(census.perfectCount)), cell(stats.minimal.count),
                       opt(stats.meanJaccard), opt(stats.containmentFraction), opt(summary.meanNodeSparsity),
                       opt(summary.meanEdgeSparsity), opt(summary.meanCombinedSparsity)]
            if let g = grounded {
                header += ["grounded_circuits", "groundings_sampled", "explanations", "fraction_with_multiple_groundings",
                           "explanation_entropy_bits", "circuit_entropy_bits"]
                row += [cell(g.groundedCircuits), cell(g.sampled), cell(g.explanations), opt(g.fractionWithMultipleGroundings),
                        opt(g.explanationEntropyBits), opt(g.circuitEntropyBits)]
            }
            if let w = algorithms {
                header += ["candidate_formulas", "mapped_formulas", "minimal_mappings"]
                row += [cell(w.candidateFormulas), cell(w.mappedFormulas), cell(w.minimalMappings)]
            }
            emit(CSVOutput(header: header, rows: [row]).text)
        }
    }
}
