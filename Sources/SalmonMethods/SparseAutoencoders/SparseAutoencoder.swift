import SalmonNetworks
import SalmonStatistics

/// A sparse autoencoder (or transcoder): a dictionary of `latents` directions with a sparse code.
///
/// For an input row x (width `inputs`) the pre-activations are z = x·W_enc + b_enc, the code is
/// f = σ(z), and the reconstruction of the target row y (width `outputs`) is ŷ = f·W_dec + b_dec.
/// A sparse autoencoder has y = x (Bricken et al. 2023, "Towards Monosemanticity"); a transcoder
/// reads a layer's input and reconstructs its output (Dunefsky, Chlenski & Nanda 2024,
/// "Transcoders find interpretable LLM feature circuits"), so `inputs` and `outputs` may differ.
///
/// σ is one of:
/// - ``Activation/relu(l1:)``: f = max(z, 0), trained with an L1 penalty on f (Bricken et al.);
/// - ``Activation/topK(k:)``: the k largest pre-activations of the row, then ReLU; every other
///   latent is 0 (Gao et al. 2024, "Scaling and evaluating sparse autoencoders", §2.3);
/// - ``Activation/batchTopK(k:threshold:)``: in training, the k·B largest rectified
///   pre-activations of a batch of B rows, wherever they fall (k per row on average); in use, a
///   JumpReLU with one learned threshold θ, f = z·[z > θ] (Bussmann, Leask & Nanda 2024,
///   "BatchTopK sparse autoencoders", arXiv 2412.06410; SAELens saves them as JumpReLU SAEs);
/// - ``Activation/jumpReLU(l0:bandwidth:)``: f = z·[z > θⱼ] with a learned threshold θⱼ > 0 per
///   latent (``thresholds``), trained with an L0 penalty through straight-through pseudo-derivatives
///   (Rajamanoharan et al. 2024, "Jumping ahead: improving reconstruction fidelity with JumpReLU
///   sparse autoencoders", arXiv 2407.14435; see ``SparseAutoencoderTraining``).
///
/// Row j of W_dec (`decoderWeight[j*outputs ..< (j+1)*outputs]`) is latent j's direction. The
/// encoder has no separate pre-encoder bias: `x − b_dec` before the encoder (Bricken et al.) is
/// the same model class as x·W_enc + b_enc, with b_enc absorbing −b_dec·W_enc, and it is the only
/// form a transcoder has.
///
/// Matrices are row-major `Float` buffers: W_enc is `inputs × latents`, W_dec `latents × outputs`.
public struct SparseAutoencoder: Sendable, Hashable, Codable {
    /// The sparsity nonlinearity and its penalty.
    public enum Activation: Sendable, Hashable, Codable {
        /// ReLU with an L1 penalty λ·Σⱼ fⱼ per row (the decoder rows have unit norm in training, so
        /// this is Bricken et al.'s penalty; the norm-weighted form of later work equals it then).
        case relu(l1: Float)
        /// TopK: the k largest pre-activations of each row, then ReLU (Gao et al. 2024).
        case topK(k: Int)
        /// BatchTopK: k·B per batch of B rows in training; the threshold θ in use (learned in
        /// training as SAELens does: an exponential moving average, rate 0.01, of the smallest
        /// positive activation kept in each batch).
        case batchTopK(k: Int, threshold: Float)
        /// JumpReLU: f = z·[z > θⱼ], trained with the penalty λ·L0 (`l0` = λ) and pseudo-derivatives
        /// of kernel bandwidth ε (`bandwidth`).
        case jumpReLU(l0: Float, bandwidth: Float)

        /// Whether dead latents are tracked and revived by the auxiliary loss (the TopK family).
        public var usesAuxiliaryLoss: Bool {
            switch self {
            case .relu, .jumpReLU: return false
            case .topK, .batchTopK: return true
            }
        }

        /// Whether the activation has a learned threshold per latent (``SparseAutoencoder/thresholds``).
        public var hasThresholds: Bool {
            if case .jumpReLU = self { return true }
            return false
        }
    }

    /// A JumpReLU SAE's default initial threshold, θⱼ = 1 for every latent, in the normalized
    /// training units (mean squared row norm = width, so that a unit-norm encoder column's
    /// pre-activation has a standard deviation of about 1): one standard deviation of a random
    /// projection. SAELens's default, 0.01, suits runs of 10⁸ tokens and more; Adam moves log θ by
    /// about the learning rate per step, so over the few thousand steps of an audit's SAE θ stays
    /// near where it starts — from 0.01, 700 steps at 3e-3 left 17 of 48 latents on per row where
    /// 2 features were, from 1, 2.0 (`jumpReLURecoversASparseDictionaryAndTradesL0ForReconstruction`).
    public static let initialThreshold: Float = 1

    public let inputs: Int
    public let latents: Int
    public let outputs: Int
    public var activation: Activation
    /// W_enc, `inputs × latents`, row-major.
    public var encoderWeight: [Float]
    /// b_enc, `latents`.
    public var encoderBias: [Float]
    /// W_dec, `latents × outputs`, row-major: row j is latent j's direction.
    public var decoderWeight: [Float]
    /// b_dec, `outputs`.
    public var decoderBias: [Float]
    /// JumpReLU: θⱼ > 0 per latent (`latents`); empty for the other activations.
    public var thresholds: [Float]

    /// A randomly initialized dictionary: decoder rows drawn uniformly on the unit sphere
    /// (normalized standard Gaussians), the encoder the decoder's transpose when `inputs ==
    /// outputs` (Gao et al. 2024, §2.3: "we initialize the encoder to the transpose of the
    /// decoder"; Conerly et al. 2024) and otherwise an independent draw of the same kind scaled by
    /// √(outputs/inputs); both biases 0. Draws come from `stream` only.
    public init(inputs: Int, latents: Int, outputs: Int? = nil, activation: Activation, stream: RandomStream) {
        precondition(inputs >= 1 && latents >= 1 && (outputs ?? inputs) >= 1, "SparseAutoencoder: positive sizes")
        self.inputs = inputs
        self.latents = latents
        self.outputs = outputs ?? inputs
        self.activation = activation
        var draw = stream.derived("decoder")
        var decoder = [Float](repeating: 0, count: latents * self.outputs)
        for j in 0..<latents {
            var norm = 0.0
            var row = [Double](repeating: 0, count: self.outputs)
            for o in 0..<self.outputs { row[o] = draw.gaussian(); norm += row[o] * row[o] }
            norm = norm.squareRoot()
            for o in 0..<self.outputs { decoder[j * self.outputs + o] = Float(row[o] / max(norm, 1e-30)) }
        }
        decoderWeight = decoder
        decoderBias = [Float](repeating: 0, count: self.outputs)
        encoderBias = [Float](repeating: 0, count: latents)
        thresholds = activation.hasThresholds ? [Float](repeating: Self.initialThreshold, count: latents) : []
        var encoder = [Float](repeating: 0, count: inputs * latents)
        if inputs == self.outputs {
            for j in 0..<latents { for i in 0..<inputs { encoder[i * latents + j] = decoder[j * inputs + i] } }
        } else {
            var other = stream.derived("encoder")
            for j in 0..<latents {
                var norm = 0.0
                var column = [Double](repeating: 0, count: inputs)
                for i in 0..<inputs { column[i] = other.gaussian(); norm += column[i] * column[i] }
                norm = norm.squareRoot()
                let scale = (Double(self.outputs) / Double(inputs)).squareRoot() / max(norm, 1e-30)
                for i in 0..<inputs { encoder[i * latents + j] = Float(column[i] * scale) }
            }
        }
        encoderWeight = encoder
    }

    /// The pre-activations z = x·W_enc + b_enc of `rows` rows of `x` (`rows × inputs`), `rows × latents`.
    public func preActivations(_ x: UnsafeBufferPointer<Float>, rows: Int) -> [Float] {
        precondition(x.count == rows * inputs, "SparseAutoencoder: \(rows) rows of \(inputs) inputs")
        return Self.affine(x, rows: rows, weight: encoderWeight, bias: encoderBias, inner: inputs)
    }

    /// x·W + b for `rows` rows of `x` (`rows × inner`), W `inner × bias.count`, on BLAS.
    static func affine(_ x: UnsafeBufferPointer<Float>, rows: Int, weight: [Float], bias: [Float], inner: Int) -> [Float] {
        let outer = bias.count
        guard rows > 0 && outer > 0 && inner > 0 else { return (0..<rows).flatMap { _ in bias } }
        return [Float](unsafeUninitializedCapacity: rows * outer) { out, initialized in
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    affine(into: out.baseAddress!, x: x.baseAddress!, rows: rows, weight: w.baseAddress!, bias: b.baseAddress!, outer: outer, inner: inner)
                }
            }
            initialized = rows * outer
        }
    }

    /// out ← x·W + b for `rows` rows of `x` (`rows × inner`), W `inner × outer`, `out` `rows × outer`
    /// (uninitialized memory is fine: every element is written).
    static func affine(into out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, rows: Int, weight: UnsafePointer<Float>,
                       bias: UnsafePointer<Float>, outer: Int, inner: Int) {
        guard rows > 0 && outer > 0 else { return }
        for r in 0..<rows { (out + r * outer).initialize(from: bias, count: outer) }
        BLAS.gemm(m: rows, n: outer, k: inner, a: x, b: weight, beta: 1, c: out)
    }

    /// The code f = σ(z) of pre-activations `z` (`rows × latents`), in place. For TopK, ties at
    /// the k-th value are broken toward the lower latent index, so the code is deterministic.
    /// Row by row (``RowBlocks``), so the code does not depend on the thread count.
    public func applyActivation(_ z: inout [Float], rows: Int) {
        precondition(z.count == rows * latents, "SparseAutoencoder: \(rows) rows of \(latents) latents")
        let latents = latents, activation = activation
        z.withUnsafeMutableBufferPointer { zp in
            thresholds.withUnsafeBufferPointer { theta in
                RowBlocks(rows: rows, elementsPerRow: latents).forEach { _, block in
                    let p = UnsafeMutableBufferPointer(rebasing: zp[(block.lowerBound * latents)..<(block.upperBound * latents)])
                    Self.activate(p, rows: block.count, latents: latents, activation: activation, thresholds: theta)
                }
            }
        }
    }

    /// σ on `rows` contiguous rows of pre-activations, in place (``applyActivation(_:rows:)``;
    /// not BatchTopK's training selection, which spans the batch).
    static func activate(_ p: UnsafeMutableBufferPointer<Float>, rows: Int, latents: Int, activation: Activation,
                                 thresholds theta: UnsafeBufferPointer<Float>) {
        switch activation {
        case .relu:
            rectify(p)
        case .batchTopK(_, let threshold):
            let cut = max(threshold, 0)
            for i in 0..<p.count { p[i] = p[i] > cut ? p[i] : 0 }
        case .jumpReLU:
            precondition(theta.count == latents, "SparseAutoencoder: one threshold per latent")
            for r in 0..<rows {
                let base = r * latents
                // θ > 0 (it is exp of a parameter), so this is also a ReLU.
                for j in 0..<latents { p[base + j] = p[base + j] > max(theta[j], 0) ? p[base + j] : 0 }
            }
        case .topK(let k):
            guard k < latents else { return rectify(p) }
            var heap = TopKHeap(capacity: k)
            var keptValues = [Float](repeating: 0, count: k)
            for r in 0..<rows {
                let row = UnsafeMutableBufferPointer(rebasing: p[(r * latents)..<((r + 1) * latents)])
                heap.select(from: UnsafeBufferPointer(row))
                for i in 0..<k { keptValues[i] = row[heap.indices[i]] }
                row.update(repeating: 0)
                for i in 0..<k where keptValues[i] > 0 { row[heap.indices[i]] = keptValues[i] }
            }
        }
    }

    /// The code of a training batch: as ``applyActivation(_:rows:)``, except that BatchTopK keeps
    /// the k·`rows` largest rectified values of the whole batch (ties to the lower flat index).
    public func applyTrainingActivation(_ z: inout [Float], rows: Int) {
        guard case .batchTopK(let k, _) = activation else { return applyActivation(&z, rows: rows) }
        Self.rectify(&z)
        let keep = k * rows
        guard keep < z.count else { return }
        var heap = TopKHeap(capacity: keep)
        z.withUnsafeBufferPointer { heap.select(from: $0) }
        var kept = [Bool](repeating: false, count: z.count)
        for i in heap.indices[0..<keep] { kept[i] = true }
        for i in z.indices where !kept[i] { z[i] = 0 }
    }

    /// max(z, 0) in place (NaN becomes 0).
    static func rectify(_ z: inout [Float]) {
        z.withUnsafeMutableBufferPointer { rectify($0) }
    }

    /// max(z, 0) in place (NaN becomes 0).
    static func rectify(_ p: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<p.count { p[i] = p[i] > 0 ? p[i] : 0 }
    }

    /// The code f = σ(x·W_enc + b_enc), `rows × latents`.
    public func encode(_ x: UnsafeBufferPointer<Float>, rows: Int) -> [Float] {
        var z = preActivations(x, rows: rows)
        applyActivation(&z, rows: rows)
        return z
    }

    /// The reconstruction ŷ = f·W_dec + b_dec of a code `f` (`rows × latents`), `rows × outputs`.
    public func decode(_ f: UnsafeBufferPointer<Float>, rows: Int) -> [Float] {
        precondition(f.count == rows * latents, "SparseAutoencoder: \(rows) rows of \(latents) latents")
        return Self.affine(f, rows: rows, weight: decoderWeight, bias: decoderBias, inner: latents)
    }

    /// The code and the reconstruction of `rows` rows of `x`.
    public func callAsFunction(_ x: [Float], rows: Int) -> (code: [Float], reconstruction: [Float]) {
        let f = x.withUnsafeBufferPointer { encode($0, rows: rows) }
        let y = f.withUnsafeBufferPointer { decode($0, rows: rows) }
        return (f, y)
    }
}

/// Selection of the k largest values of a row in O(n log k): a min-heap of the k best seen so far,
/// whose root is the worst of them (the smaller value; of equal values, the higher index), so that
/// ties at the k-th value go to the lower index, as a stable sort would give.
struct TopKHeap {
    let capacity: Int
    /// After ``select(from:)``: the indices of the selected values, heap-ordered.
    private(set) var indices: [Int]
    private var values: [Float]

    init(capacity: Int) {
        self.capacity = capacity
        indices = [Int](repeating: 0, count: capacity)
        values = [Float](repeating: 0, count: capacity)
    }

    /// Whether (a, i) ranks below (b, j): a smaller value, or an equal one at a higher index.
    @inline(__always) private static func worse(_ a: Float, _ i: Int, _ b: Float, _ j: Int) -> Bool {
        a < b || (a == b && i > j)
    }

    /// Restores the heap below `start` (`count` entries), on the heap's own buffers.
    @inline(__always)
    private static func siftDown(_ start: Int, count: Int, values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>) {
        var i = start
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < count && worse(values[left], indices[left], values[smallest], indices[smallest]) { smallest = left }
            if right < count && worse(values[right], indices[right], values[smallest], indices[smallest]) { smallest = right }
            if smallest == i { return }
            (values[i], values[smallest]) = (values[smallest], values[i])
            (indices[i], indices[smallest]) = (indices[smallest], indices[i])
            i = smallest
        }
    }

    /// Selects the `min(capacity, row.count)` largest entries of `row`.
    mutating func select(from row: UnsafeBufferPointer<Float>) {
        let k = min(capacity, row.count)
        guard k > 0 else { return }
        values.withUnsafeMutableBufferPointer { vb in
            indices.withUnsafeMutableBufferPointer { ib in
                let v = vb.baseAddress!, ix = ib.baseAddress!
                for i in 0..<k { v[i] = row[i]; ix[i] = i }
                for i in stride(from: k / 2 - 1, through: 0, by: -1) { Self.siftDown(i, count: k, values: v, indices: ix) }
                // Every index in the heap is below j, so (row[j], j) outranks the root exactly when
                // row[j] > root: an equal value at a higher index does not.
                var root = v[0]
                for j in k..<row.count where row[j] > root {
                    v[0] = row[j]
                    ix[0] = j
                    Self.siftDown(0, count: k, values: v, indices: ix)
                    root = v[0]
                }
            }
        }
    }
}
