import SalmonNetworks
import SalmonStatistics

/// Synthetic tasks whose ground truth is known, so that an explanation can be checked against it.
public enum SyntheticTasks {
    /// Sparse parity: n random bits (0/1); the label is the parity of `k` of them, whose indices are
    /// drawn from the stream and recorded as `groundTruth["relevant"]` (Barak et al., "Hidden
    /// progress in deep learning: SGD learns parities near the computational limit", 2022).
    public static func sparseParity(bits n: Int, relevant k: Int, examples: Int, stream: RandomStream) -> Dataset {
        precondition(n >= 1 && k >= 1 && k <= n && examples >= 1, "sparse parity: 1 ≤ k ≤ n, examples ≥ 1")
        var s = stream.derived("relevant")
        var all = Array(0..<n)
        all.shuffle(using: &s)
        let relevant = all.prefix(k).sorted()
        var x = stream.derived("inputs")
        var inputs = [Float](repeating: 0, count: examples * n), labels = [Float](repeating: 0, count: examples)
        for e in 0..<examples {
            var bits = x.next(), used = 0
            for j in 0..<n {
                if used == 64 { bits = x.next(); used = 0 }
                inputs[e * n + j] = Float(bits & 1)
                bits >>= 1
                used += 1
            }
            labels[e] = Float(relevant.reduce(0) { $0 ^ Int(inputs[e * n + $1]) })
        }
        return Dataset(name: "sparse-parity-\(n)-\(k)", inputs: Tensor(shape: [examples, n], scalars: inputs),
                       targets: Tensor(shape: [examples], scalars: labels), classes: 2,
                       groundTruth: ["relevant": Tensor(shape: [k], scalars: relevant.map(Float.init))])
    }

    /// Modular addition: every pair (a, b) with a, b ∈ 0..<p, label (a + b) mod p, with a fraction
    /// `corruption` of the labels replaced by a different label drawn uniformly (Power et al.,
    /// "Grokking", 2022; Nanda et al. 2023). Inputs are the two tokens `[a, b]` as Float (for an
    /// embedding layer); `groundTruth["clean"]` holds the uncorrupted labels and
    /// `groundTruth["corrupted"]` marks the corrupted rows with 1.
    public static func modularAddition(modulus p: Int, corruption: Double = 0, stream: RandomStream) -> Dataset {
        precondition(p >= 2 && corruption >= 0 && corruption <= 1, "modular addition: p ≥ 2, corruption in [0, 1]")
        var inputs: [Float] = [], clean: [Float] = []
        for a in 0..<p {
            for b in 0..<p {
                inputs += [Float(a), Float(b)]
                clean.append(Float((a + b) % p))
            }
        }
        var labels = clean, corrupted = [Float](repeating: 0, count: clean.count)
        var s = stream.derived("corruption")
        var rows = Array(clean.indices)
        rows.shuffle(using: &s)
        for r in rows.prefix(Int((corruption * Double(clean.count)).rounded())) {
            labels[r] = Float((Int(clean[r]) + 1 + s.index(below: p - 1)) % p)
            corrupted[r] = 1
        }
        let n = clean.count
        return Dataset(name: "modular-addition-\(p)", inputs: Tensor(shape: [n, 2], scalars: inputs),
                       targets: Tensor(shape: [n], scalars: labels), classes: p,
                       groundTruth: ["clean": Tensor(shape: [n], scalars: clean),
                                     "corrupted": Tensor(shape: [n], scalars: corrupted)])
    }

    /// Modular addition for an MLP, in the setting of Gromov 2023 and Doshi et al. 2023 ("To grok
    /// or not to grok", arXiv 2310.13061): every pair (a, b) with a, b ∈ 0..<p, in an order shuffled
    /// by `stream.derived("order")`; input the concatenated one-hot codes of a and b (2p values),
    /// label (a + b) mod p. The first `trainingExamples` rows are the training set, and the first
    /// ⌊ξ · trainingExamples⌋ of them (a uniformly random subset, since the order is) have their
    /// label replaced by a different one drawn uniformly from the other p − 1
    /// (`stream.derived("corruption")`); the remaining rows keep their true labels. Doshi et al.
    /// draw the replacement from all p labels, so about 1/p of their "corrupted" labels are right;
    /// here every corrupted label is wrong, so accuracy on them measures memorization alone.
    ///
    /// Ground truth, one row per example (so a split of the rows splits them too): `clean` (`[n, 1]`,
    /// the uncorrupted labels), `corrupted` (`[n, 1]`, 1 on corrupted rows) and `operands` (`[n, 2]`: a and b).
    public static func oneHotModularAddition(modulus p: Int, trainingExamples: Int, corruption: Double = 0,
                                             stream: RandomStream) -> Dataset {
        precondition(p >= 2 && corruption >= 0 && corruption <= 1, "modular addition: p ≥ 2, corruption in [0, 1]")
        precondition((0...(p * p)).contains(trainingExamples), "modular addition: at most p² training examples")
        let n = p * p
        var order = Array(0..<n)
        var s = stream.derived("order")
        order.shuffle(using: &s)
        var inputs = [Float](repeating: 0, count: n * 2 * p)
        var clean = [Float](repeating: 0, count: n), operands = [Float](repeating: 0, count: 2 * n)
        for (row, pair) in order.enumerated() {
            let a = pair / p, b = pair % p
            inputs[row * 2 * p + a] = 1
            inputs[row * 2 * p + p + b] = 1
            clean[row] = Float((a + b) % p)
            operands[2 * row] = Float(a)
            operands[2 * row + 1] = Float(b)
        }
        var labels = clean, corrupted = [Float](repeating: 0, count: n)
        var c = stream.derived("corruption")
        for row in 0..<Int(corruption * Double(trainingExamples)) {
            labels[row] = Float((Int(clean[row]) + 1 + c.index(below: p - 1)) % p)
            corrupted[row] = 1
        }
        return Dataset(name: "modular-addition-one-hot-\(p)", inputs: Tensor(shape: [n, 2 * p], scalars: inputs),
                       targets: Tensor(shape: [n], scalars: labels), classes: p,
                       groundTruth: ["clean": Tensor(shape: [n, 1], scalars: clean),
                                     "corrupted": Tensor(shape: [n, 1], scalars: corrupted),
                                     "operands": Tensor(shape: [n, 2], scalars: operands)])
    }

    /// Induction (associative recall; Olsson et al., "In-context learning and induction heads",
    /// 2022): each example draws `half` distinct tokens t₀ … t_{h−1} uniformly from
    /// `0..<vocabulary`, then repeats one of them, t_j with j uniform in 0 … h − 2:
    /// [t₀, …, t_{h−1}, t_j] (length h + 1). The label is t_{j+1}, the token that followed t_j the
    /// first time — what an induction mechanism (attend from the last position to the position
    /// after t_j's earlier occurrence and copy its token) predicts. The tokens are distinct, so the
    /// earlier occurrence is unique; and every token but t_j occurs once, so no count of tokens
    /// (which token is not repeated) gives the answer away — the answer's position varies.
    ///
    /// Inputs are the tokens as Float (`[examples, h + 1]`); `groundTruth["answerPosition"]`
    /// (`[examples, 1]`) holds j + 1, the position of the answer's first occurrence.
    /// - Precondition: 2 ≤ half ≤ vocabulary.
    public static func induction(vocabulary: Int, half: Int, examples: Int, stream: RandomStream) -> Dataset {
        precondition(half >= 2 && half <= vocabulary && examples >= 1, "induction: 2 ≤ half ≤ vocabulary, examples ≥ 1")
        let length = half + 1
        var s = stream
        var inputs = [Float](repeating: 0, count: examples * length), labels = [Float](repeating: 0, count: examples)
        var positions = [Float](repeating: 0, count: examples)
        for e in 0..<examples {
            var order = s.subset(of: vocabulary, count: half)
            order.shuffle(using: &s)
            let j = s.index(below: half - 1)
            for i in 0..<half { inputs[e * length + i] = Float(order[i]) }
            inputs[e * length + half] = Float(order[j])
            labels[e] = Float(order[j + 1])
            positions[e] = Float(j + 1)
        }
        return Dataset(name: "induction-\(vocabulary)-\(half)", inputs: Tensor(shape: [examples, length], scalars: inputs),
                       targets: Tensor(shape: [examples], scalars: labels), classes: vocabulary,
                       groundTruth: ["answerPosition": Tensor(shape: [examples, 1], scalars: positions)])
    }

    /// Hierarchical equality (Premack's match-to-sample in sequence form; Geiger et al. 2024 and
    /// Sutter et al. 2025 align its variables with DAS): four tokens [a, b, c, d] from
    /// `2..<vocabulary`; the label is token 1 when (a = b) = (c = d), else token 0. The two
    /// intermediate variables are left = (a = b) and right = (c = d). Each is true with
    /// probability ½ (b = a, else b uniform among the other tokens; likewise d), independently, so
    /// the label is balanced and neither variable alone predicts it.
    ///
    /// Inputs are the tokens as Float (`[examples, 4]`); `groundTruth["variables"]`
    /// (`[examples, 2]`) holds left and right as 0/1.
    /// - Precondition: vocabulary ≥ 4 (two answer tokens and at least two input tokens).
    public static func hierarchicalEquality(vocabulary: Int, examples: Int, stream: RandomStream) -> Dataset {
        precondition(vocabulary >= 4 && examples >= 1, "hierarchical equality: vocabulary ≥ 4, examples ≥ 1")
        var s = stream
        var inputs = [Float](repeating: 0, count: examples * 4), labels = [Float](repeating: 0, count: examples)
        var variables = [Float](repeating: 0, count: examples * 2)
        let symbols = vocabulary - 2
        for e in 0..<examples {
            var equal = [false, false]
            for half in 0..<2 {
                let first = s.index(below: symbols)
                equal[half] = s.uniform() < 0.5
                let second = equal[half] ? first : (first + 1 + s.index(below: symbols - 1)) % symbols
                inputs[e * 4 + 2 * half] = Float(2 + first)
                inputs[e * 4 + 2 * half + 1] = Float(2 + second)
                variables[e * 2 + half] = equal[half] ? 1 : 0
            }
            labels[e] = equal[0] == equal[1] ? 1 : 0
        }
        return Dataset(name: "hierarchical-equality-\(vocabulary)", inputs: Tensor(shape: [examples, 4], scalars: inputs),
                       targets: Tensor(shape: [examples], scalars: labels), classes: vocabulary,
                       groundTruth: ["variables": Tensor(shape: [examples, 2], scalars: variables)])
    }

    /// Hierarchical equality on vectors, the task of Geiger et al. 2024 ("Finding alignments
    /// between interpretable causal variables and distributed neural representations", §4.1):
    /// four objects a, b, c, d ∈ ℝ^`dimension`, each pair equal with probability ½ (otherwise
    /// two independent draws); the label is 1 when (a = b) = (c = d). Objects are drawn
    /// uniformly from [−1, 1]^dimension afresh for every example, so no object repeats across
    /// examples and equality must be computed, not remembered. Inputs `[examples, 4 · dimension]`
    /// (a, b, c, d concatenated); `groundTruth["variables"]` holds left = (a = b) and right =
    /// (c = d) per example, `[examples, 2]`.
    public static func hierarchicalEqualityVectors(examples: Int, dimension m: Int, stream: RandomStream) -> Dataset {
        precondition(examples >= 1 && m >= 1, "hierarchical equality on vectors: examples ≥ 1, dimension ≥ 1")
        var s = stream
        var inputs = [Float](repeating: 0, count: examples * 4 * m), labels = [Float](repeating: 0, count: examples)
        var variables = [Float](repeating: 0, count: examples * 2)
        for e in 0..<examples {
            var equal = [false, false]
            for half in 0..<2 {
                equal[half] = s.uniform() < 0.5
                let first = (0..<m).map { _ in Float(2 * s.uniform() - 1) }
                let second = equal[half] ? first : (0..<m).map { _ in Float(2 * s.uniform() - 1) }
                for j in 0..<m {
                    inputs[e * 4 * m + 2 * half * m + j] = first[j]
                    inputs[e * 4 * m + (2 * half + 1) * m + j] = second[j]
                }
                variables[e * 2 + half] = equal[half] ? 1 : 0
            }
            labels[e] = equal[0] == equal[1] ? 1 : 0
        }
        return Dataset(name: "hierarchical-equality-vectors-\(m)", inputs: Tensor(shape: [examples, 4 * m], scalars: inputs),
                       targets: Tensor(shape: [examples], scalars: labels), classes: 2,
                       groundTruth: ["variables": Tensor(shape: [examples, 2], scalars: variables)])
    }

    /// Interchange pairs of hierarchical equality (tokens or vectors) for one causal variable,
    /// as row indices: each row of `rows` is a base, with a source drawn uniformly from `rows`
    /// (from `stream`, one draw per base in order); the answer is the high-level model's with the
    /// variable (`column` 0: left = (a = b), 1: right = (c = d)) set to its value on the source —
    /// 1 when it equals the base's other variable — and the contrast the other answer. About half
    /// the pairs leave the answer unchanged, as in DAS's evaluations. `variables` is the task's
    /// `groundTruth["variables"]`, two per example.
    public static func hierarchicalEqualityInterchange(variables: [Int], rows: Range<Int>, column: Int,
                                                       stream: RandomStream) -> (base: [Int], source: [Int], correct: [Int]) {
        precondition(column == 0 || column == 1, "hierarchical equality has two variables")
        var stream = stream
        var base: [Int] = [], source: [Int] = [], correct: [Int] = []
        for b in rows {
            let s = rows.lowerBound + stream.index(below: rows.count)
            base.append(b)
            source.append(s)
            correct.append(variables[2 * s + column] == variables[2 * b + 1 - column] ? 1 : 0)
        }
        return (base, source, correct)
    }

    /// Planted concepts: `concepts` latent bits z ~ Bernoulli(½) per example; the input is
    /// x = Σ_j z_j u_j + σ ε with fixed random unit directions u_j ∈ ℝ^dimension and ε ~ N(0, I);
    /// the label is the parity (XOR) of the concepts listed in `labelConcepts` (a single concept
    /// gives that concept). A probe for a concept in `labelConcepts` should find it; a probe for
    /// one outside it tests a concept the label ignores. Ground truth: `concepts` ([examples,
    /// concepts]) and `directions` ([concepts, dimension]).
    public static func plantedConcepts(examples: Int, concepts: Int, dimension: Int, labelConcepts: [Int],
                                       noise: Double = 0.5, stream: RandomStream) -> Dataset {
        precondition(examples >= 1 && concepts >= 1 && dimension >= 1, "planted concepts: positive sizes")
        precondition(!labelConcepts.isEmpty && labelConcepts.allSatisfy { (0..<concepts).contains($0) },
                     "label concepts must be in 0..<\(concepts)")
        var d = stream.derived("directions")
        var directions = [Float](repeating: 0, count: concepts * dimension)
        for j in 0..<concepts {
            var norm = 0.0
            var v = (0..<dimension).map { _ in d.gaussian() }
            for x in v { norm += x * x }
            norm = norm.squareRoot()
            v = v.map { $0 / norm }
            for k in 0..<dimension { directions[j * dimension + k] = Float(v[k]) }
        }
        var z = stream.derived("concepts"), e = stream.derived("noise")
        var latent = [Float](repeating: 0, count: examples * concepts)
        var inputs = [Float](repeating: 0, count: examples * dimension)
        var labels = [Float](repeating: 0, count: examples)
        for i in 0..<examples {
            var parity = 0
            for j in 0..<concepts {
                let bit = z.next() >> 63
                latent[i * concepts + j] = Float(bit)
                if labelConcepts.contains(j) { parity ^= Int(bit) }
                if bit == 1 { for k in 0..<dimension { inputs[i * dimension + k] += directions[j * dimension + k] } }
            }
            for k in 0..<dimension { inputs[i * dimension + k] += Float(noise * e.gaussian()) }
            labels[i] = Float(parity)
        }
        return Dataset(name: "planted-concepts", inputs: Tensor(shape: [examples, dimension], scalars: inputs),
                       targets: Tensor(shape: [examples], scalars: labels), classes: 2,
                       groundTruth: ["concepts": Tensor(shape: [examples, concepts], scalars: latent),
                                     "directions": Tensor(shape: [concepts, dimension], scalars: directions)])
    }

    /// The data of Elhage et al.'s toy models of superposition ("Toy models of superposition",
    /// 2022, §2: "each feature xᵢ … is zero with probability S, and otherwise uniformly distributed
    /// between [0, 1]"), as an autoencoding task: the inputs are `features` such features (each
    /// nonzero with probability 1 − sparsity, then U(0, 1), independently), and the target is the
    /// input itself. A network with a narrower first layer must compress the features; at its
    /// pre-activation h = W₁x + b₁ feature i's direction is column i of W₁. Ground truth:
    /// `directions`, each feature's direction in input space (the identity, `[features, features]`).
    public static func sparseFeatures(features n: Int, sparsity: Double, examples: Int, stream: RandomStream) -> Dataset {
        precondition(n >= 1 && examples >= 1 && sparsity >= 0 && sparsity < 1, "sparse features: sizes ≥ 1, sparsity in [0, 1)")
        var s = stream.derived("features")
        var values = [Float](repeating: 0, count: examples * n)
        for i in 0..<(examples * n) where s.uniform() >= sparsity { values[i] = Float(s.uniform()) }
        var identity = [Float](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        let features = Tensor(shape: [examples, n], scalars: values)
        return Dataset(name: "toy-superposition", inputs: features, targets: features, classes: nil,
                       groundTruth: ["directions": Tensor(shape: [n, n], scalars: identity)])
    }

    /// Toy superposition (Elhage et al., "Toy models of superposition", 2022): `features` sparse
    /// features, each active with probability 1 − sparsity with a value U(0, 1), embedded in fewer
    /// `dimension`s by a fixed matrix of random unit columns; the target is the sparse feature
    /// vector itself (an autoencoding task). Ground truth: `features` and `embedding`
    /// ([dimension, features]).
    public static func toySuperposition(features n: Int, dimension d: Int, sparsity: Double, examples: Int,
                                        stream: RandomStream) -> Dataset {
        precondition(n >= 1 && d >= 1 && examples >= 1 && sparsity >= 0 && sparsity < 1, "superposition: sizes ≥ 1, sparsity in [0, 1)")
        var w = stream.derived("embedding")
        var embedding = [Float](repeating: 0, count: d * n)
        for j in 0..<n {
            let column = (0..<d).map { _ in w.gaussian() }
            let norm = column.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for k in 0..<d { embedding[k * n + j] = Float(column[k] / norm) }
        }
        var s = stream.derived("features")
        var sparse = [Float](repeating: 0, count: examples * n)
        for i in 0..<(examples * n) where s.uniform() >= sparsity { sparse[i] = Float(s.uniform()) }
        let featureTensor = Tensor(shape: [examples, n], scalars: sparse)
        let embeddingTensor = Tensor(shape: [d, n], scalars: embedding)
        let inputs = BLAS.matmul(featureTensor, embeddingTensor, transposeB: true)
        return Dataset(name: "toy-superposition", inputs: inputs, targets: featureTensor, classes: nil,
                       groundTruth: ["features": featureTensor, "embedding": embeddingTensor])
    }
}
