import Foundation
import SalmonMethods
import SalmonStatistics
import SalmonTasks

/// The data of the built-in sequence tasks (modular addition, induction, hierarchical equality)
/// and the counterfactual pairs a state dict's spec gives as files: what ``TransformerSubject``
/// reads its evaluation rows, targets and pairs from.
extension TransformerSubject {
    /// The data of a sequence task, as the subject holds it.
    struct SequenceTaskData {
        var training: (sequences: [[Int]], targets: [Int])
        var evaluation: [[Int]]
        /// The evaluation rows' labels (hashed with the inputs).
        var evaluationLabels: [Int]
        var targets: [String: ProbeData.Target]
        var counterfactuals: CounterfactualPairs
        var interchange: [String: (training: InterchangePairs, evaluation: InterchangePairs)] = [:]
        var vocabulary: Int
        var context: Int
        /// "modular addition mod 23" and the like, for the model line.
        var description: String
        /// What a row is ("pairs", "sequences").
        var rows: String
        /// Per training sequence, whether its label was replaced (modular addition's corruption).
        var trainingCorrupted: [Bool]? = nil
    }

    /// Modular addition's data: see the type's comment.
    static func modularAdditionData(_ spec: AuditSpec) throws -> SequenceTaskData {
        let options = spec.model.taskOptions
        let p = options.modulus ?? TaskOptions.defaultModulus
        let stream = RandomStream(seed: spec.seed, path: ["task"])
        let all = SyntheticTasks.modularAddition(modulus: p, corruption: options.corruption ?? 0, stream: stream)
        var order = Array(0..<all.count)
        var split = stream.derived("split")
        order.shuffle(using: &split)
        let evalRows = order.prefix(spec.model.evaluationExamples).sorted()
        let trainRows = order.dropFirst(spec.model.evaluationExamples).prefix(options.examples).sorted()
        func sequence(_ r: Int) -> [Int] { [Int(all.inputs.scalars[2 * r]), Int(all.inputs.scalars[2 * r + 1])] }
        let labels = all.targets.scalars.map { Int($0) }
        let clean = (all.groundTruth["clean"]?.scalars ?? all.targets.scalars).map { Int($0) }
        let train = (sequences: trainRows.map(sequence), targets: trainRows.map { labels[$0] })
        let evaluation = evalRows.map(sequence)
        var targets: [String: ProbeData.Target] = [:]
        for claim in spec.claims where claim.requirements.contains(.classLabels) {
            let field = "claims.\(claim.name)"
            if claim.controlTypes != nil {
                throw SpecError(field: field + ".controlTypes", "modular addition has no control types (every pair is its own type)")
            }
            let values: [Int]
            var classes = p
            switch claim.target {
            case "label": values = evalRows.map { labels[$0] }
            case "clean": values = evalRows.map { clean[$0] }
            case "operand:0", "operand:1": values = evalRows.map { sequence($0)[claim.target == "operand:0" ? 0 : 1] }
            case let fourier where fourier.hasPrefix("fourier:"):
                guard let k = Int(fourier.dropFirst("fourier:".count)), (1...(p - 1) / 2).contains(k) else {
                    throw SpecError(field: field + ".target", "expected fourier:K with K a frequency in 1 … \((p - 1) / 2) (modulus \(p)), found '\(fourier)'")
                }
                values = evalRows.map { Self.fourierConcept(sum: clean[$0], frequency: k, modulus: p) }
                classes = 2
            case let other:
                throw SpecError(field: field + ".target", "modular addition's targets are label, clean (the uncorrupted sum), operand:0, operand:1 and fourier:K (cos(2πK·sum/p) > 0); found '\(other)'")
            }
            targets[claim.name] = .classes(values, count: classes)
        }
        var delta = RandomStream(seed: spec.seed, path: ["counterfactual"])
        let corrupted = evaluation.map { pair -> [Int] in
            let shift = 1 + Int(delta.next() % UInt64(p - 1))
            return [(pair[0] + shift) % p, pair[1]]
        }
        let counterfactuals = CounterfactualPairs(clean: evaluation, corrupted: corrupted,
                                              correct: evaluation.map { ($0[0] + $0[1]) % p },
                                              wrong: corrupted.map { ($0[0] + $0[1]) % p })
        let corruption = options.corruption.map { $0 > 0 ? ", \($0 * 100)% of labels corrupted" : "" } ?? ""
        return SequenceTaskData(training: train, evaluation: evaluation, evaluationLabels: evalRows.map { labels[$0] }, targets: targets,
                                counterfactuals: counterfactuals, vocabulary: p, context: 2,
                                description: "modular addition mod \(p)\(corruption)", rows: "pairs",
                                trainingCorrupted: all.groundTruth["corrupted"].map { flags in trainRows.map { flags.scalars[$0] != 0 } })
    }

    /// Induction's data (``SyntheticTasks/induction(vocabulary:half:examples:stream:)``): the first
    /// `evaluationExamples` sequences drawn from `seed → "task"` are held out, the next
    /// `taskOptions.examples` train. The only target is `label`, the answer at the last position.
    /// Counterfactual pairs: each held-out sequence is clean; its corruption replaces the answer's
    /// first occurrence (position j + 1) by a token the sequence does not hold, drawn uniformly
    /// from `seed → "counterfactual"`; the answer is the clean label t_{j+1}, the contrast the
    /// replacement — what an induction mechanism would copy from the corrupted sequence.
    static func inductionData(_ spec: AuditSpec) throws -> SequenceTaskData {
        let options = spec.model.taskOptions
        let v = options.vocabulary ?? TaskOptions.defaultInductionVocabulary, h = options.tokens ?? TaskOptions.defaultInductionTokens
        let n = spec.model.evaluationExamples, total = n + options.examples
        let all = SyntheticTasks.induction(vocabulary: v, half: h, examples: total, stream: RandomStream(seed: spec.seed, path: ["task"]))
        let length = h + 1
        let positions = (all.groundTruth["answerPosition"]?.scalars ?? []).map { Int($0) }
        guard positions.count == total else { throw AuditError("induction: the task gave no answer positions") }
        let sequences = (0..<total).map { r in (0..<length).map { Int(all.inputs.scalars[r * length + $0]) } }
        let labels = all.targets.scalars.map { Int($0) }
        var targets: [String: ProbeData.Target] = [:]
        for claim in spec.claims where claim.requirements.contains(.classLabels) {
            let field = "claims.\(claim.name)"
            if claim.controlTypes != nil {
                throw SpecError(field: field + ".controlTypes", "induction has no control types (every sequence is its own type)")
            }
            guard claim.target == "label" else {
                throw SpecError(field: field + ".target", "induction's target is label (the token to copy at the last position); found '\(claim.target)'")
            }
            targets[claim.name] = .classes(Array(labels[0..<n]), count: v)
        }
        let evaluation = Array(sequences[0..<n])
        var draw = RandomStream(seed: spec.seed, path: ["counterfactual"])
        var corrupted: [[Int]] = [], wrong: [Int] = []
        for (r, sequence) in evaluation.enumerated() {
            let held = Set(sequence)
            let absent = (0..<v).filter { !held.contains($0) }
            let replacement = absent[draw.index(below: absent.count)]
            var c = sequence
            c[positions[r]] = replacement
            corrupted.append(c)
            wrong.append(replacement)
        }
        let counterfactuals = CounterfactualPairs(clean: evaluation, corrupted: corrupted, correct: Array(labels[0..<n]), wrong: wrong)
        return SequenceTaskData(training: (Array(sequences[n...]), Array(labels[n...])), evaluation: evaluation,
                                evaluationLabels: Array(labels[0..<n]), targets: targets, counterfactuals: counterfactuals,
                                vocabulary: v, context: length,
                                description: "induction (\(h) distinct tokens of \(v), then one of them again)", rows: "sequences")
    }

    /// Hierarchical equality's data (``SyntheticTasks/hierarchicalEquality(vocabulary:examples:stream:)``):
    /// the first `evaluationExamples` sequences drawn from `seed → "task"` are held out, the next
    /// `taskOptions.examples` train. Targets: `label` (the answer token, 0 or 1), `left` (a = b) and
    /// `right` (c = d), each two classes.
    ///
    /// Counterfactual pairs (activation patching): each held-out sequence is clean; its corruption
    /// flips left (b ← a when a ≠ b, else b ← another symbol drawn from `seed → "counterfactual"`),
    /// which flips the answer: the answer is the clean label, the contrast the other answer.
    ///
    /// Interchange pairs for variable V (`left`, `right`): every training sequence is a base once,
    /// with a source drawn uniformly from the training sequences (`seed → "interchange" → V →
    /// "training"`); likewise every held-out sequence, with a held-out source (`… → "evaluation"`).
    /// The answer is the high-level model's with V set to its value on the source — for left,
    /// 1 when left(source) = right(base) — and the contrast the other answer. About half the pairs
    /// leave the answer unchanged (the source's V equals the base's), as in DAS's evaluations.
    static func hierarchicalEqualityData(_ spec: AuditSpec) throws -> SequenceTaskData {
        let options = spec.model.taskOptions
        let v = options.vocabulary ?? TaskOptions.defaultEqualityVocabulary
        let n = spec.model.evaluationExamples, total = n + options.examples
        let all = SyntheticTasks.hierarchicalEquality(vocabulary: v, examples: total, stream: RandomStream(seed: spec.seed, path: ["task"]))
        let sequences = (0..<total).map { r in (0..<4).map { Int(all.inputs.scalars[r * 4 + $0]) } }
        let labels = all.targets.scalars.map { Int($0) }
        let variables = all.groundTruth["variables"]?.scalars.map { Int($0) } ?? []
        guard variables.count == 2 * total else { throw AuditError("hierarchical-equality: the task gave no variables") }
        var targets: [String: ProbeData.Target] = [:]
        for claim in spec.claims where claim.requirements.contains(.classLabels) {
            let field = "claims.\(claim.name)"
            if claim.controlTypes != nil {
                throw SpecError(field: field + ".controlTypes", "hierarchical-equality has no control types")
            }
            switch claim.target {
            case "label": targets[claim.name] = .classes(Array(labels[0..<n]), count: 2)
            case "left", "right":
                let column = claim.target == "left" ? 0 : 1
                targets[claim.name] = .classes((0..<n).map { variables[2 * $0 + column] }, count: 2)
            case let other:
                throw SpecError(field: field + ".target", "hierarchical-equality's targets are label, left (a = b) and right (c = d); found '\(other)'")
            }
        }
        let evaluation = Array(sequences[0..<n])
        var draw = RandomStream(seed: spec.seed, path: ["counterfactual"])
        let corrupted = evaluation.map { s -> [Int] in
            var c = s
            c[1] = s[0] != s[1] ? s[0] : 2 + (s[0] - 2 + 1 + draw.index(below: v - 3)) % (v - 2)
            return c
        }
        let counterfactuals = CounterfactualPairs(clean: evaluation, corrupted: corrupted, correct: Array(labels[0..<n]),
                                                  wrong: labels[0..<n].map { 1 - $0 })
        var interchange: [String: (training: InterchangePairs, evaluation: InterchangePairs)] = [:]
        for (column, variable) in ["left", "right"].enumerated() {
            func pairs(_ rows: Range<Int>, _ part: String) -> InterchangePairs {
                let p = SyntheticTasks.hierarchicalEqualityInterchange(variables: variables, rows: rows, column: column,
                                                                       stream: RandomStream(seed: spec.seed, path: ["interchange", .label(variable), .label(part)]))
                return InterchangePairs(base: p.base.map { sequences[$0] }, source: p.source.map { sequences[$0] }, correct: p.correct, wrong: p.correct.map { 1 - $0 })
            }
            interchange[variable] = (pairs(n..<total, "training"), pairs(0..<n, "evaluation"))
        }
        var data = SequenceTaskData(training: (Array(sequences[n...]), Array(labels[n...])), evaluation: evaluation,
                                    evaluationLabels: Array(labels[0..<n]), targets: targets, counterfactuals: counterfactuals,
                                    vocabulary: v, context: 4,
                                    description: "hierarchical equality ((a = b) = (c = d) over \(v - 2) symbols)", rows: "sequences")
        data.interchange = interchange
        return data
    }

    /// The binary concept `fourier:K` of modular addition: 1 when cos(2πK·s/p) > 0 for the clean
    /// sum s, else 0. Networks trained on modular addition compute the sum through a few such
    /// Fourier features (Nanda et al. 2023, "Progress measures for grokking via mechanistic
    /// interpretability", ICLR), so this is a concept a trained network is known to represent and
    /// an SAE latent can be scored on (`maxConceptAUROC`, `sparseProbing`). For odd p the cosine is
    /// never exactly 0; about half the sums are positive.
    static func fourierConcept(sum s: Int, frequency k: Int, modulus p: Int) -> Int {
        cos(2 * Double.pi * Double(k * s % p) / Double(p)) > 0 ? 1 : 0
    }

    /// The pairs of `model.counterfactuals` for the clean sequences `clean` (read from `inputs`).
    /// - Throws: ``InputError`` or ``SpecError`` naming the file and the row at fault: corrupted
    ///   sequences of another shape, tokens outside the vocabulary, an answer count that is not one
    ///   per sequence, an answer equal to its contrast.
    static func counterfactuals(_ files: CounterfactualFiles, clean: [[Int]], inputs: String, vocabulary: Int,
                                resolve: (String) -> String) throws -> CounterfactualPairs {
        let n = clean.count, length = clean.first?.count ?? 0
        let corruptedFile = resolve(files.corrupted)
        let corrupted = try ArrayInput.tokenSequences(corruptedFile, vocabulary: vocabulary, context: Int.max)
        guard corrupted.count == n, corrupted.first?.count == length else {
            throw SpecError(file: corruptedFile, field: "model.counterfactuals.corrupted", "expected \(n) sequences of \(length) tokens, the shape of the clean inputs in \(inputs); found \(corrupted.count) of \(corrupted.first?.count ?? 0)")
        }
        func answers(_ file: String, _ key: String, _ what: String) throws -> [Int] {
            let path = resolve(file)
            let tokens = try ArrayInput.integers(path, what: what)
            guard tokens.count == n else {
                throw SpecError(file: path, field: "model.counterfactuals.\(key)", "expected one \(what) per sequence (\(n)), found \(tokens.count)")
            }
            if let r = tokens.firstIndex(where: { !(0..<vocabulary).contains($0) }) {
                throw SpecError(file: path, field: "model.counterfactuals.\(key)", "\(what) \(tokens[r]) at row \(r) is not a token (expected 0..<\(vocabulary))")
            }
            return tokens
        }
        let correct = try answers(files.correct, "correct", "answer token")
        let wrong = try answers(files.wrong, "wrong", "contrast token")
        if let r = (0..<n).first(where: { correct[$0] == wrong[$0] }) {
            throw SpecError(file: resolve(files.wrong), field: "model.counterfactuals.wrong", "row \(r) contrasts token \(wrong[r]) with itself; a pair needs two different answer tokens")
        }
        return CounterfactualPairs(clean: clean, corrupted: corrupted, correct: correct, wrong: wrong)
    }
}
