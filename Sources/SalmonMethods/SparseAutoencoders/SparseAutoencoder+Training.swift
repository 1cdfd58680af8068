import Foundation
import SalmonNetworks
import SalmonStatistics

/// How a ``SparseAutoencoder`` is trained: Adam on minibatches, decoder rows kept at unit norm.
///
/// The loss of a batch of B rows is the summed squared error per row, averaged over rows,
/// (1/B) Σᵢ ‖yᵢ − ŷᵢ‖², plus
/// - for ReLU: λ (1/B) Σᵢ Σⱼ fᵢⱼ (Bricken et al. 2023);
/// - for TopK and BatchTopK: α (1/B) Σᵢ ‖eᵢ − êᵢ‖², the auxiliary loss of Gao et al. (2024, §A.2): e = y − ŷ
///   is the main reconstruction's residual (held constant), ê the decoding without bias of the
///   `auxiliaryK` largest pre-activations among the **dead** latents (ReLU applied), α =
///   `auxiliaryCoefficient` (1/32 in the paper). A latent is dead when it has not fired on any of
///   the last `deadWindow` training rows. The auxiliary loss revives dead latents; dead-latent
///   resampling (Bricken et al.) is not used;
/// - for JumpReLU: λ (1/B) Σᵢ Σⱼ H(zᵢⱼ − θⱼ), λ times the batch's mean L0 (Rajamanoharan et al.
///   2024, eq. 10), with θⱼ = exp(tⱼ) and tⱼ the trained parameter (SAELens's `log_threshold`).
///   H and the jump in f = z·H(z − θ) have no useful gradient in θ; the pseudo-derivatives of the
///   paper (eqs. 11–12) replace them, with the rectangle kernel K(u) = [−½ < u < ½] and bandwidth
///   ε: ∂f/∂θ := −(θ/ε) K((z − θ)/ε) and ∂H/∂θ := −(1/ε) K((z − θ)/ε). The gradient in z is
///   the ordinary one, H(z − θ), for f and 0 for the L0 term. θ starts at
///   ``SparseAutoencoder/initialThreshold``; λ is constant from the first step (the paper and
///   Gemma Scope warm λ up; SAELens's default is no warm-up, as here). No auxiliary loss.
///
/// Decoder rows are kept at unit norm (Bricken et al.): before each step the gradient's
/// component along each row is removed, after it each row is renormalized.
///
/// Inputs (and, for a transcoder, targets) are scaled during training by one constant each, so
/// that the mean squared row norm equals the width (SAELens's `normalize_activations:
/// expected_average_only_in`); the scales are folded into the weights afterwards, so the
/// returned dictionary reads and writes the data's own units (its decoder rows then have norm
/// 1/scale, the same for every latent).
///
/// With ``frozen`` set, one weight matrix stays at its random initialization and only the other
/// and both biases are trained: Korznikov et al. (2026, "Sanity checks for sparse autoencoders:
/// do SAEs beat random baselines?", arXiv 2602.14111) use such SAEs — frozen decoder, frozen
/// encoder — as baselines a trained SAE must beat.
///
/// Deterministic given its stream: the initialization from `stream.derived("init")`, the batch
/// order of epoch e from `stream.derived("batches", e)`.
public struct SparseAutoencoderTraining: Sendable, Hashable, Codable {
    public var epochs: Int
    public var batchSize: Int
    /// Adam's step size (β₁ = 0.9, β₂ = 0.999, ε = 1e-8, no weight decay).
    public var learningRate: Double
    /// α of the TopK auxiliary loss.
    public var auxiliaryCoefficient: Double
    /// k of the auxiliary loss; default: half the target width (Gao et al.: "a power of two close
    /// to d_model/2").
    public var auxiliaryK: Int?
    /// Training rows after which a latent that has not fired is dead; default: one epoch.
    public var deadWindow: Int?
    /// Scale inputs and targets to mean squared row norm = width during training.
    public var normalize: Bool
    /// The weight matrix kept at its initialization, if any.
    public var frozen: FrozenWeights?
    /// JumpReLU: every θⱼ's value at the first step, in the normalized units (default
    /// ``SparseAutoencoder/initialThreshold``).
    public var initialThreshold: Float

    /// A weight matrix a baseline SAE does not train.
    public enum FrozenWeights: String, Sendable, Hashable, Codable {
        /// W_dec: the latents' directions stay random (their rows stay at unit norm).
        case decoder
        /// W_enc: which latents fire on which rows is a random projection, up to the trained bias.
        case encoder
    }

    public init(epochs: Int = 1, batchSize: Int = 256, learningRate: Double = 1e-3, auxiliaryCoefficient: Double = 1.0 / 32,
                auxiliaryK: Int? = nil, deadWindow: Int? = nil, normalize: Bool = true, frozen: FrozenWeights? = nil,
                initialThreshold: Float = SparseAutoencoder.initialThreshold) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.auxiliaryCoefficient = auxiliaryCoefficient
        self.auxiliaryK = auxiliaryK
        self.deadWindow = deadWindow
        self.normalize = normalize
        self.frozen = frozen
        self.initialThreshold = initialThreshold
    }
}

extension SparseAutoencoder {
    /// The gradient of the training loss with respect to each parameter array.
    public struct Gradients: Sendable {
        public var encoderWeight: [Float]
        public var encoderBias: [Float]
        public var decoderWeight: [Float]
        public var decoderBias: [Float]
        /// JumpReLU: the pseudo-gradient in tⱼ = log θⱼ (empty otherwise).
        public var logThresholds: [Float]
    }

    /// The loss of one batch and its gradient (see ``SparseAutoencoderTraining`` for the loss).
    /// - Parameters:
    ///   - x: `rows × inputs`; y: `rows × outputs` (nil: y = x).
    ///   - dead: for TopK, which latents are dead (the auxiliary loss reads only them); nil or
    ///     none dead: no auxiliary loss.
    ///   - auxiliaryK, auxiliaryCoefficient: the auxiliary loss's k and α.
    ///   - auxiliaryTarget: the residual e the auxiliary loss reconstructs (`rows × outputs`);
    ///     default y − ŷ of this batch. Either way it is a constant of the loss (Gao et al. detach
    ///     it), so its gradient does not flow into the main reconstruction; a gradient check
    ///     passes the unperturbed residual here so that finite differences see the same constant.
    ///   - threads: the workers the batch may use (``RowBlocks``); default ``BLAS/threadCount``.
    ///     The result is the same for any number.
    /// - Returns: the loss (accumulated in `Double`), the gradients, and the code f (so that a
    ///   caller can track which latents fired).
    public func lossAndGradients(x: [Float], y: [Float]? = nil, rows: Int, dead: [Bool]? = nil,
                                 auxiliaryK: Int = 1, auxiliaryCoefficient: Float = 1.0 / 32, auxiliaryTarget: [Float]? = nil,
                                 threads: Int? = nil)
        -> (loss: Double, gradients: Gradients, code: [Float]) {
        let target = y ?? x
        precondition(x.count == rows * inputs && target.count == rows * outputs, "SparseAutoencoder: batch sizes")
        let (inputs, latents, outputs, activation) = (inputs, latents, outputs, activation)
        // One pool of workers for the products and the element-wise work (``RowBlocks``): a block
        // of rows at a time forward and back, then a part of the latents (columns) at a time for
        // the weight gradients. The blocks depend on the shape only, so the bits do not depend on
        // `threads`.
        let blocks = RowBlocks(rows: rows, elementsPerRow: latents)
        let threads = threads ?? BLAS.threadCount
        // Every product of the step single-threaded, whatever BLAS is set to elsewhere (a
        // multi-threaded OpenBLAS may sum in another order): the step's own workers are its threads.
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        var batchTopK = false, jumpReLU = false
        var l1: Float = 0
        switch activation {
        case .relu(let coefficient): l1 = coefficient
        case .batchTopK: batchTopK = true
        case .jumpReLU: jumpReLU = true
        case .topK: break
        }
        let scale = 2 / Float(rows), penaltyGradient = l1 / Float(rows)
        // Every element of these is written before it is read (no zero fill).
        func uninitialized(_ n: Int) -> [Float] { [Float](unsafeUninitializedCapacity: n) { _, initialized in initialized = n } }
        var z = uninitialized(rows * latents), f = uninitialized(rows * latents), dz = uninitialized(rows * latents)
        var reconstruction = uninitialized(rows * outputs), dOut = uninitialized(rows * outputs)
        var blockLoss = [Double](repeating: 0, count: blocks.count), blockPenalty = blockLoss
        /// dz ← (dz + penalty) ⊙ [f > 0] on the rows of block b, and (for an L1 penalty) the
        /// block's Σ f into blockPenalty[b], in four running sums (f ≥ 0: an inactive latent adds 0).
        func mask(_ b: Int, dz: UnsafeMutableBufferPointer<Float>, f: UnsafeBufferPointer<Float>, penalty: UnsafeMutableBufferPointer<Double>) {
            let elements = (blocks.range(b).lowerBound * latents)..<(blocks.range(b).upperBound * latents)
            for i in elements { dz[i] = f[i] > 0 ? dz[i] + penaltyGradient : 0 }
            guard l1 > 0 else { return }
            var sums: (Double, Double, Double, Double) = (0, 0, 0, 0)
            var i = elements.lowerBound
            while i + 4 <= elements.upperBound {
                sums.0 += Double(f[i]); sums.1 += Double(f[i + 1]); sums.2 += Double(f[i + 2]); sums.3 += Double(f[i + 3])
                i += 4
            }
            while i < elements.upperBound { sums.0 += Double(f[i]); i += 1 }
            penalty[b] = (sums.0 + sums.1) + (sums.2 + sums.3)
        }
        // z itself is read after the activation only by JumpReLU's threshold terms and the
        // auxiliary loss; otherwise f is computed in place, without a copy of z.
        let keepsPreActivations = jumpReLU || (activation.usesAuxiliaryLoss && dead?.contains(true) == true)
        x.withUnsafeBufferPointer { xp in encoderWeight.withUnsafeBufferPointer { we in encoderBias.withUnsafeBufferPointer { be in
        thresholds.withUnsafeBufferPointer { theta in z.withUnsafeMutableBufferPointer { zp in f.withUnsafeMutableBufferPointer { fp in
            // z = x·W_enc + b_enc; f = σ(z) (BatchTopK selects over the whole batch, below).
            blocks.forEach(threads: threads) { _, r in
                let zRows = zp.baseAddress! + r.lowerBound * latents, fRows = fp.baseAddress! + r.lowerBound * latents
                Self.affine(into: keepsPreActivations ? zRows : fRows, x: xp.baseAddress! + r.lowerBound * inputs, rows: r.count,
                            weight: we.baseAddress!, bias: be.baseAddress!, outer: latents, inner: inputs)
                if keepsPreActivations { fRows.update(from: zRows, count: r.count * latents) }
                if !batchTopK {
                    Self.activate(UnsafeMutableBufferPointer(start: fRows, count: r.count * latents), rows: r.count,
                                  latents: latents, activation: activation, thresholds: theta)
                }
            }
        } } } } } }
        if batchTopK { applyTrainingActivation(&f, rows: rows) }
        target.withUnsafeBufferPointer { tp in
        decoderWeight.withUnsafeBufferPointer { wd in decoderBias.withUnsafeBufferPointer { bd in
        f.withUnsafeBufferPointer { fp in
        reconstruction.withUnsafeMutableBufferPointer { rp in dOut.withUnsafeMutableBufferPointer { dp in
        dz.withUnsafeMutableBufferPointer { dzp in
        blockLoss.withUnsafeMutableBufferPointer { lossOf in blockPenalty.withUnsafeMutableBufferPointer { penaltyOf in
            // ŷ = f·W_dec + b_dec; dŷ = 2(ŷ − y)/B with the squared error per block; dz = dŷ·W_decᵀ,
            // masked (JumpReLU's threshold terms read it unmasked, below).
            blocks.forEach(threads: threads) { b, r in
                Self.affine(into: rp.baseAddress! + r.lowerBound * outputs, x: fp.baseAddress! + r.lowerBound * latents, rows: r.count,
                            weight: wd.baseAddress!, bias: bd.baseAddress!, outer: outputs, inner: latents)
                var sum = 0.0
                for i in (r.lowerBound * outputs)..<(r.upperBound * outputs) {
                    let e = rp[i] - tp[i]
                    sum += Double(e) * Double(e)
                    dp[i] = scale * e
                }
                lossOf[b] = sum
                BLAS.gemm(transposeB: true, m: r.count, n: latents, k: outputs, a: dp.baseAddress! + r.lowerBound * outputs,
                          b: wd.baseAddress!, c: dzp.baseAddress! + r.lowerBound * latents)
                if !jumpReLU { mask(b, dz: dzp, f: fp, penalty: penaltyOf) }
            }
        } } } } } } } } }
        var loss = blockLoss.reduce(0, +) / Double(rows)
        var dLogThresholds: [Float] = []
        if case .jumpReLU(let lambda, let bandwidth) = activation {
            let (l0Loss, gradient) = jumpReLUThresholdTerms(z: z, dCode: dz, rows: rows, l0: lambda, bandwidth: bandwidth)
            loss += l0Loss
            dLogThresholds = gradient
            dz.withUnsafeMutableBufferPointer { dzp in f.withUnsafeBufferPointer { fp in blockPenalty.withUnsafeMutableBufferPointer { penaltyOf in
                blocks.forEach(threads: threads) { b, _ in mask(b, dz: dzp, f: fp, penalty: penaltyOf) }
            } } }
        }
        if l1 > 0 { loss += Double(l1) * blockPenalty.reduce(0, +) / Double(rows) }
        // The weight gradients, each worker a share of the latents: dW_dec = fᵀ·dŷ (its rows), then
        // the auxiliary loss's share; dW_enc = xᵀ·dz (its columns).
        let columns = blocks.columnParts(latents)
        var dDecoderWeight = [Float](repeating: 0, count: latents * outputs)
        f.withUnsafeBufferPointer { fp in dOut.withUnsafeBufferPointer { dp in dDecoderWeight.withUnsafeMutableBufferPointer { dw in
            RowBlocks.forEach(items: columns.count, threads: threads) { part in
                let c = columns[part]
                BLAS.gemm(transposeA: true, m: c.count, n: outputs, k: rows, a: fp.baseAddress! + c.lowerBound, lda: latents,
                          b: dp.baseAddress!, c: dw.baseAddress! + c.lowerBound * outputs)
            }
        } } }
        let dDecoderBias = Self.columnSums(dOut, rows: rows, columns: outputs)
        if activation.usesAuxiliaryLoss, let dead, dead.contains(true) {
            var e = auxiliaryTarget ?? []
            if auxiliaryTarget == nil { e = zip(target, reconstruction).map { $0 - $1 } }
            precondition(e.count == rows * outputs, "SparseAutoencoder: auxiliary target size")
            loss += auxiliaryLoss(z: z, residual: e, rows: rows, dead: dead, k: auxiliaryK,
                                  coefficient: auxiliaryCoefficient, dz: &dz, dDecoderWeight: &dDecoderWeight)
        }
        var dEncoderWeight = [Float](repeating: 0, count: inputs * latents)
        var dEncoderBias = [Float](repeating: 0, count: latents)
        x.withUnsafeBufferPointer { xp in dz.withUnsafeBufferPointer { dzp in
        dEncoderWeight.withUnsafeMutableBufferPointer { dw in dEncoderBias.withUnsafeMutableBufferPointer { db in
            let ones = [Float](repeating: 1, count: rows)
            ones.withUnsafeBufferPointer { one in
                RowBlocks.forEach(items: columns.count, threads: threads) { part in
                    let c = columns[part]
                    BLAS.gemm(transposeA: true, m: inputs, n: c.count, k: rows, a: xp.baseAddress!, b: dzp.baseAddress! + c.lowerBound,
                              ldb: latents, c: dw.baseAddress! + c.lowerBound, ldc: latents)
                    BLAS.gemv(transpose: true, rows: rows, columns: c.count, a: dzp.baseAddress! + c.lowerBound, lda: latents,
                              x: one.baseAddress!, y: db.baseAddress! + c.lowerBound)
                }
            }
        } } } }
        return (loss, Gradients(encoderWeight: dEncoderWeight, encoderBias: dEncoderBias,
                                decoderWeight: dDecoderWeight, decoderBias: dDecoderBias, logThresholds: dLogThresholds), f)
    }

    /// JumpReLU's L0 loss λ(1/B)ΣᵢΣⱼH(zᵢⱼ − θⱼ) and the pseudo-gradient of the whole loss in
    /// tⱼ = log θⱼ (see ``SparseAutoencoderTraining``): θⱼ Σᵢ [gᵢⱼ·(−θⱼ/ε) + (λ/B)·(−1/ε)]·K((zᵢⱼ − θⱼ)/ε),
    /// with gᵢⱼ = ∂L/∂fᵢⱼ (`dCode`, before the mask) and K the rectangle kernel.
    func jumpReLUThresholdTerms(z: [Float], dCode: [Float], rows: Int, l0 lambda: Float, bandwidth epsilon: Float) -> (loss: Double, gradient: [Float]) {
        var active = 0
        var gradient = [Double](repeating: 0, count: latents)
        let penalty = Double(lambda) / Double(rows) * (-1 / Double(epsilon))
        for r in 0..<rows {
            let base = r * latents
            for j in 0..<latents {
                let theta = thresholds[j], value = z[base + j]
                if value > theta { active += 1 }
                let u = (value - theta) / epsilon
                guard u > -0.5 && u < 0.5 else { continue }
                gradient[j] += Double(dCode[base + j]) * Double(-theta / epsilon) + penalty
            }
        }
        return (Double(lambda) * Double(active) / Double(rows), (0..<latents).map { Float(gradient[$0] * Double(thresholds[$0])) })
    }

    /// Gao et al.'s auxiliary loss α(1/B)Σ‖e − ê‖² over the dead latents, with e = `residual`;
    /// its gradient is added into `dz` and `dDecoderWeight`.
    private func auxiliaryLoss(z: [Float], residual: [Float], rows: Int, dead: [Bool], k: Int,
                               coefficient: Float, dz: inout [Float], dDecoderWeight: inout [Float]) -> Double {
        let deadIndices = dead.indices.filter { dead[$0] }
        let kAux = min(max(k, 1), deadIndices.count)
        var code = [Float](repeating: 0, count: rows * latents)
        var values = [Float](repeating: 0, count: deadIndices.count)
        var heap = TopKHeap(capacity: kAux)
        for r in 0..<rows {
            for (n, j) in deadIndices.enumerated() { values[n] = z[r * latents + j] }
            values.withUnsafeBufferPointer { heap.select(from: $0) }
            for n in heap.indices[0..<kAux] where values[n] > 0 {
                code[r * latents + deadIndices[n]] = values[n]
            }
        }
        // ê = f_aux · W_dec (no bias); d(aux)/dê = 2α(ê − e)/B.
        var auxiliary = Self.gemmNN(code, decoderWeight, rows: rows, inner: latents, columns: outputs)
        var loss = 0.0
        let scale = 2 * coefficient / Float(rows)
        for i in auxiliary.indices {
            let d = auxiliary[i] - residual[i]
            loss += Double(d) * Double(d)
            auxiliary[i] = scale * d
        }
        Self.gemmTN(code, auxiliary, rows: rows, left: latents, right: outputs, into: &dDecoderWeight, accumulate: true)
        let dCode = Self.gemmNT(auxiliary, decoderWeight, rows: rows, inner: outputs, columns: latents)
        for i in dz.indices where code[i] > 0 { dz[i] += dCode[i] }
        return Double(coefficient) * loss / Double(rows)
    }

    /// The sums of the columns of a row-major `rows × columns` matrix (Aᵀ·1 on BLAS).
    static func columnSums(_ a: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: columns)
        guard rows > 0 else { return out }
        let ones = [Float](repeating: 1, count: rows)
        a.withUnsafeBufferPointer { pa in ones.withUnsafeBufferPointer { po in out.withUnsafeMutableBufferPointer { py in
            BLAS.gemv(transpose: true, rows: rows, columns: columns, a: pa.baseAddress!, x: po.baseAddress!, y: py.baseAddress!)
        } } }
        return out
    }

    /// C (left × right) ← [C +] Aᵀ·B for A `rows × left`, B `rows × right`.
    static func gemmTN(_ a: [Float], _ b: [Float], rows: Int, left: Int, right: Int, into c: inout [Float], accumulate: Bool = false) {
        guard rows > 0 else { return }
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            BLAS.gemm(transposeA: true, m: left, n: right, k: rows, a: pa.baseAddress!, b: pb.baseAddress!,
                      beta: accumulate ? 1 : 0, c: pc.baseAddress!)
        } } }
    }

    /// A (rows × inner) · Bᵀ for B `columns × inner`.
    static func gemmNT(_ a: [Float], _ b: [Float], rows: Int, inner: Int, columns: Int) -> [Float] {
        guard rows > 0 && columns > 0 && inner > 0 else { return [Float](repeating: 0, count: rows * columns) }
        // β = 0: BLAS writes C without reading it, so C needs no zero fill first.
        return [Float](unsafeUninitializedCapacity: rows * columns) { pc, initialized in
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                BLAS.gemm(transposeB: true, m: rows, n: columns, k: inner, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
            } }
            initialized = rows * columns
        }
    }

    /// A (rows × inner) · B (inner × columns).
    static func gemmNN(_ a: [Float], _ b: [Float], rows: Int, inner: Int, columns: Int) -> [Float] {
        var c = [Float](repeating: 0, count: rows * columns)
        guard rows > 0 else { return c }
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            BLAS.gemm(m: rows, n: columns, k: inner, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
        } } }
        return c
    }

    /// Removes from each decoder row's gradient its component along the row (Bricken et al.), so
    /// that a step moves the row on the unit sphere to first order.
    mutating func projectDecoderGradient(_ gradient: inout [Float]) {
        for j in 0..<latents {
            let base = j * outputs
            var dot: Float = 0
            for o in 0..<outputs { dot += gradient[base + o] * decoderWeight[base + o] }
            for o in 0..<outputs { gradient[base + o] -= dot * decoderWeight[base + o] }
        }
    }

    /// Scales every decoder row to unit norm (a zero row is left as it is).
    mutating func normalizeDecoderRows() {
        for j in 0..<latents {
            let base = j * outputs
            var norm: Float = 0
            for o in 0..<outputs { norm += decoderWeight[base + o] * decoderWeight[base + o] }
            norm = norm.squareRoot()
            guard norm > 0 else { continue }
            for o in 0..<outputs { decoderWeight[base + o] /= norm }
        }
    }

    /// `out` ← the rows `rows` of `data` (`width` each), times `scale`, contiguous.
    static func gather(_ data: [Float], rows: ArraySlice<Int>, width: Int, scale: Float, into out: inout [Float]) {
        if out.count != rows.count * width { out = [Float](repeating: 0, count: rows.count * width) }
        data.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                for (n, r) in rows.enumerated() {
                    let source = r * width, target = n * width
                    for c in 0..<width { o[target + c] = d[source + c] * scale }
                }
            }
        }
    }

    /// The constant s with mean over rows of ‖s·row‖² equal to the width (1 for all-zero data).
    static func normalizationScale(_ data: [Float], rows: Int, width: Int) -> Float {
        var total = 0.0
        for v in data { total += Double(v) * Double(v) }
        let meanSquaredNorm = total / Double(max(rows, 1))
        return meanSquaredNorm > 0 ? Float((Double(width) / meanSquaredNorm).squareRoot()) : 1
    }

    /// Trains a dictionary on `rows` rows of `x` (`rows × inputs`, and of `y`, `rows × outputs`,
    /// for a transcoder), from its random initialization (``init(inputs:latents:outputs:activation:stream:)``
    /// on `stream.derived("init")`).
    /// - Returns: the trained dictionary in the data's units, and the mean training loss of each
    ///   epoch (in the normalized units).
    public static func train(x: [Float], y: [Float]? = nil, rows: Int, inputs: Int, latents: Int, outputs: Int? = nil,
                             activation: Activation, training: SparseAutoencoderTraining, stream: RandomStream)
        -> (autoencoder: SparseAutoencoder, epochLosses: [Double]) {
        let one = train(x: x, y: y, rows: rows, inputs: inputs, latents: latents, outputs: outputs, activation: activation,
                        training: training, seeds: [stream])
        return (one.autoencoders[0], one.epochLosses[0])
    }

    /// Trains one dictionary per stream in `seeds` in a single pass over the data: each batch is
    /// gathered once and every dictionary takes its step on it, so S seeds cost one pass of reads
    /// and S passes of arithmetic (issue 14: "multiple SAE seeds from one pass over the
    /// activations"). Dictionary s starts from `seeds[s].derived("init")`; the batch order of
    /// epoch e comes from `seeds[0].derived("batches", e)` and is shared, so the dictionaries
    /// differ only by their initialization — the seed-to-seed variation Paulo & Belrose (arXiv
    /// 2501.16615) measure. With one stream this is ``train(x:y:rows:inputs:latents:outputs:activation:training:stream:)``.
    /// - Returns: the dictionaries and each one's mean training loss per epoch, in `seeds`' order.
    public static func train(x: [Float], y: [Float]? = nil, rows: Int, inputs: Int, latents: Int, outputs: Int? = nil,
                             activation: Activation, training: SparseAutoencoderTraining, seeds: [RandomStream])
        -> (autoencoders: [SparseAutoencoder], epochLosses: [[Double]]) {
        let outputs = outputs ?? inputs
        precondition(rows >= 1 && training.batchSize >= 1 && training.epochs >= 0 && !seeds.isEmpty, "SparseAutoencoder.train: rows, batch size, seeds")
        var saes = seeds.map { SparseAutoencoder(inputs: inputs, latents: latents, outputs: outputs, activation: activation, stream: $0.derived("init")) }
        for s in saes.indices where activation.hasThresholds {
            saes[s].thresholds = [Float](repeating: training.initialThreshold, count: latents)
        }
        let inputScale: Float = training.normalize ? normalizationScale(x, rows: rows, width: inputs) : 1
        let outputScale: Float = y == nil ? inputScale : (training.normalize ? normalizationScale(y ?? [], rows: rows, width: outputs) : 1)
        var optimizers = seeds.map { _ in Optimizer(.adamW(learningRate: Float(training.learningRate), weightDecay: 0)) }
        let counts = [inputs * latents, latents, latents * outputs, outputs] + (activation.hasThresholds ? [latents] : [])
        let window = training.deadWindow ?? rows
        let auxiliaryK = training.auxiliaryK ?? max(1, outputs / 2)
        var lastFired = [[Int]](repeating: [Int](repeating: 0, count: latents), count: seeds.count)
        let tracksDeadLatents = activation.usesAuxiliaryLoss
        var thresholds = [Double](repeating: 0, count: seeds.count)
        var seen = 0
        var epochLosses = [[Double]](repeating: [], count: seeds.count)
        var xb = [Float](), yb = [Float]()
        // The step's own workers (``RowBlocks``) take the cores OpenBLAS would have used; BLAS
        // stays single-threaded throughout, so that its idle threads do not spin beside them.
        let threads = BLAS.threadCount
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        for epoch in 0..<training.epochs {
            var order = Array(0..<rows)
            var shuffle = seeds[0].derived("batches", .index(epoch))
            order.shuffle(using: &shuffle)
            var epochLoss = [Double](repeating: 0, count: seeds.count)
            var start = 0
            while start < rows {
                let batch = order[start..<min(start + training.batchSize, rows)]
                Self.gather(x, rows: batch, width: inputs, scale: inputScale, into: &xb)
                if let y { Self.gather(y, rows: batch, width: outputs, scale: outputScale, into: &yb) }
                for s in saes.indices {
                    // Dead latents matter only to the TopK auxiliary loss; a ReLU SAE does not track them.
                    let dead: [Bool]? = tracksDeadLatents ? (0..<latents).map { seen - lastFired[s][$0] >= window } : nil
                    let (loss, gradients, code) = saes[s].lossAndGradients(x: xb, y: y == nil ? nil : yb, rows: batch.count, dead: dead,
                                                                          auxiliaryK: auxiliaryK, auxiliaryCoefficient: Float(training.auxiliaryCoefficient),
                                                                          threads: threads)
                    if tracksDeadLatents {
                        for j in firedLatents(code, rows: batch.count, latents: latents, threads: threads) { lastFired[s][j] = seen + batch.count }
                    }
                    if case .batchTopK = activation, let smallest = code.lazy.filter({ $0 > 0 }).min() {
                        thresholds[s] = 0.99 * thresholds[s] + 0.01 * Double(smallest)
                    }
                    epochLoss[s] += loss * Double(batch.count)
                    saes[s].step(gradients, optimizer: &optimizers[s], counts: counts, frozen: training.frozen)
                }
                seen += batch.count
                start += training.batchSize
            }
            for s in saes.indices { epochLosses[s].append(epochLoss[s] / Double(rows)) }
        }
        // Fold the scales in: z = (s_in x)·W_enc + b_enc, and y = ŷ_normalized / s_out. The
        // pre-activations, and with them a BatchTopK threshold, are unchanged by the fold.
        for s in saes.indices {
            if case .batchTopK(let k, _) = activation { saes[s].activation = .batchTopK(k: k, threshold: Float(thresholds[s])) }
            if inputScale != 1 { for i in saes[s].encoderWeight.indices { saes[s].encoderWeight[i] *= inputScale } }
            if outputScale != 1 {
                for i in saes[s].decoderWeight.indices { saes[s].decoderWeight[i] /= outputScale }
                for i in saes[s].decoderBias.indices { saes[s].decoderBias[i] /= outputScale }
            }
        }
        return (saes, epochLosses)
    }

    /// The latents that fire (f > 0) on any of `rows` rows of a code, in increasing order; the
    /// rows are scanned in blocks (``RowBlocks``) and the blocks' answers merged.
    package static func firedLatents(_ code: [Float], rows: Int, latents: Int, threads: Int) -> [Int] {
        let blocks = RowBlocks(rows: rows, elementsPerRow: latents)
        var fired = [Bool](repeating: false, count: blocks.count * latents)
        code.withUnsafeBufferPointer { c in
            fired.withUnsafeMutableBufferPointer { flags in
                blocks.forEach(threads: threads) { b, block in
                    let mine = b * latents
                    for r in block {
                        let base = r * latents
                        for j in 0..<latents where c[base + j] > 0 { flags[mine + j] = true }
                    }
                }
            }
        }
        return (0..<latents).filter { j in (0..<blocks.count).contains { fired[$0 * latents + j] } }
    }

    /// One Adam step on `gradients`: the decoder gradient projected off its rows, the frozen
    /// matrix (if any) left alone, the decoder rows renormalized.
    mutating func step(_ gradients: Gradients, optimizer: inout Optimizer, counts: [Int], frozen: SparseAutoencoderTraining.FrozenWeights?) {
        var g = gradients
        optimizer.beginStep(counts: counts)
        if frozen != .encoder { optimizer.update(slot: 0, &encoderWeight, gradient: g.encoderWeight) }
        optimizer.update(slot: 1, &encoderBias, gradient: g.encoderBias)
        if frozen != .decoder {
            projectDecoderGradient(&g.decoderWeight)
            optimizer.update(slot: 2, &decoderWeight, gradient: g.decoderWeight)
            normalizeDecoderRows()
        }
        optimizer.update(slot: 3, &decoderBias, gradient: g.decoderBias)
        if activation.hasThresholds {
            var logThresholds = thresholds.map { Foundation.log($0) }
            optimizer.update(slot: 4, &logThresholds, gradient: g.logThresholds)
            thresholds = logThresholds.map { Foundation.exp($0) }
        }
    }
}
