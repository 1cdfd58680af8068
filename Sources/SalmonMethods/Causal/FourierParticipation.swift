import Foundation
import SalmonNetworks

/// How concentrated a weight vector is on few Fourier frequencies: the inverse participation
/// ratio (IPR) of its discrete Fourier spectrum, Doshi et al.'s score for telling generalizing
/// neurons (periodic weights, high IPR) from memorizing ones (low IPR) in a modular-arithmetic MLP.
///
/// For a real vector x of length p, F_k = |Σₙ xₙ e^{−2πikn/p}| for k = 0 … ⌊p/2⌋ (the magnitudes
/// of `numpy.fft.rfft`), and IPR_r(x) = Σ_k (F_k / ‖F‖₂)^{2r} — `calculate_ipr(np.abs(np.fft.rfft(x)), r)`
/// of Doshi, He & Gromov, "To grok or not to grok: disentangling generalization and memorization
/// on corrupted algorithmic datasets", arXiv 2310.13061 (code: `d-doshi/Grokking`,
/// `utils/data_processing.py`). It is 1 for a single frequency and about 1/(p/2) for a flat
/// spectrum. The transform is computed directly in Float64 (p is small: O(p²) per vector).
public struct FourierParticipation: Sendable {
    /// p, the length of the vectors.
    public let length: Int
    /// The exponent r (2 in the paper).
    public let exponent: Int
    private let cosines: [Double]
    private let sines: [Double]

    /// A scorer for vectors of length `length` (≥ 2) with exponent `exponent` (≥ 1).
    public init(length: Int, exponent: Int = 2) {
        precondition(length >= 2 && exponent >= 1, "Fourier IPR: length ≥ 2, exponent ≥ 1")
        self.length = length
        self.exponent = exponent
        let bins = length / 2 + 1
        var c = [Double](repeating: 0, count: bins * length), s = c
        for k in 0..<bins {
            for n in 0..<length {
                // k·n mod p keeps the angle's argument small, so the tables are exact to rounding.
                let angle = 2 * Double.pi * Double((k * n) % length) / Double(length)
                c[k * length + n] = cos(angle)
                s[k * length + n] = sin(angle)
            }
        }
        cosines = c
        sines = s
    }

    /// |rfft(x)|: the magnitudes of the ⌊p/2⌋ + 1 non-negative frequencies.
    /// - Precondition: `x.count == length`.
    public func spectrum(_ x: [Double]) -> [Double] {
        precondition(x.count == length, "Fourier IPR: a vector of \(length) values, found \(x.count)")
        return (0..<(length / 2 + 1)).map { k in
            var re = 0.0, im = 0.0
            for n in 0..<length {
                re += x[n] * cosines[k * length + n]
                im -= x[n] * sines[k * length + n]
            }
            return (re * re + im * im).squareRoot()
        }
    }

    /// IPR_r(x) = Σ_k (F_k/‖F‖₂)^{2r}. A zero vector has no spectrum to concentrate; its IPR is
    /// defined as 0 (such a unit contributes nothing, so removing it first changes nothing).
    public func inverseParticipationRatio(_ x: [Double]) -> Double {
        let f = spectrum(x)
        let norm = f.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return 0 }
        return f.reduce(0) { $0 + pow($1 / norm, Double(2 * exponent)) }
    }

    /// Doshi et al.'s score of every hidden unit of a one-hidden-layer MLP on the one-hot codes of
    /// two operands mod p (inputs 2p, outputs p): the mean of the IPRs of the unit's weights on the
    /// first operand (Uₖ = W₁[k, 0..<p]), on the second (Vₖ = W₁[k, p..<2p]) and of its output
    /// weights (Wₖ = W₂[:, k]).
    /// - Throws: ``MethodError`` when the network is not of that shape for this p.
    public func modularAdditionScores(_ model: MLP) throws -> [Double] {
        let p = length
        guard model.layers.count == 2, model.layers[0].inFeatures == 2 * p, model.layers[1].outFeatures == p else {
            throw MethodError("the Fourier IPR of Doshi et al. scores the hidden units of a one-hidden-layer MLP with 2p = \(2 * p) one-hot inputs and p = \(p) outputs; this MLP is \(model.sizes.map(String.init).joined(separator: "–"))")
        }
        let first = model.layers[0].weight.scalars, second = model.layers[1].weight.scalars
        let hidden = model.layers[0].outFeatures
        return (0..<hidden).map { k in
            let u = (0..<p).map { Double(first[k * 2 * p + $0]) }
            let v = (0..<p).map { Double(first[k * 2 * p + p + $0]) }
            let w = (0..<p).map { Double(second[$0 * hidden + k]) }
            return (inverseParticipationRatio(u) + inverseParticipationRatio(v) + inverseParticipationRatio(w)) / 3
        }
    }
}
