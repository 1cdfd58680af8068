import Dispatch
import Foundation

/// Adjusted p-values and decisions for a family of tests.
public struct AdjustedPValues: Sendable, Codable, Equatable {
    public var method: MultipleTestingMethod
    /// The level at which the error rate (FWER or FDR) is controlled.
    public var alpha: Double
    /// Adjusted p-values, in the order of the input.
    public var adjusted: [Double]
    /// Whether each hypothesis is rejected by the procedure at `alpha`.
    public var reject: [Bool]
}

/// Multiple-testing corrections (see ``MultipleTestingMethod`` for each procedure's guarantee).
///
/// The adjusted values follow statsmodels' `multipletests` formula for formula (including
/// `log1p`/`expm1` for Šidák-type adjustments, which keeps tiny p-values accurate) and agree
/// with it and with R's `p.adjust` to 1e-12. Tied p-values receive equal adjusted values.
/// Reject decisions apply each procedure's own rule to the *raw* sorted p-values (for example
/// Holm: step down while p₍i₎ ≤ α / (m − i + 1)), as statsmodels does. In exact arithmetic this is
/// the same as "adjusted p ≤ α"; in floating point it is the faithful one at the boundary:
/// p = α/m is rejected by Bonferroni although m · p may round to just above α.
public enum MultipleTesting {
    /// Adjusts `pValues` by `method`.
    /// - Parameters:
    ///   - pValues: raw p-values in [0, 1] (any order; results are in the same order).
    ///   - alpha: the error-rate level in (0, 1) for the reject decisions.
    /// - Throws: ``StatisticsError`` for a p-value outside [0, 1] or NaN (naming its index), or
    ///   alpha outside (0, 1).
    /// - Complexity: O(m log m) for every method.
    public static func adjust(_ pValues: [Double], method: MultipleTestingMethod,
                              alpha: Double = 0.05) throws -> AdjustedPValues {
        if let i = pValues.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw StatisticsError("pValues", expected: "p-values in [0, 1], found \(pValues[i]) at index \(i)")
        }
        guard alpha > 0 && alpha < 1 else {
            throw StatisticsError("alpha", expected: "a level strictly between 0 and 1, found \(alpha)")
        }
        let m = pValues.count
        let order = StableOrder.ascending32(pValues)
        // Sorted p-values; turned into the adjusted values in place once the decisions are made.
        var p = [Double](repeating: 0, count: m)
        p.withUnsafeMutableBufferPointer { out in
            pValues.withUnsafeBufferPointer { values in
                order.withUnsafeBufferPointer { order in
                    inParallel(m) { range in for r in range { out[r] = values[Int(order[r])] } }
                }
            }
        }
        let mm = Double(m)
        var sortedReject = method == .hommel ? [] : rejections(p, method: method, alpha: alpha)

        switch method {
        case .bonferroni:
            for i in 0..<m { p[i] *= mm }
        case .sidak:
            for i in 0..<m { p[i] = -expm1(mm * log1p(-p[i])) }
        case .holm:
            var running = 0.0
            for i in 0..<m {
                running = max(running, p[i] * Double(m - i))
                p[i] = running
            }
        case .holmSidak:
            var running = 0.0
            for i in 0..<m {
                running = max(running, -expm1(Double(m - i) * log1p(-p[i])))
                p[i] = running
            }
        case .hochberg:
            var running = Double.infinity
            for i in stride(from: m - 1, through: 0, by: -1) {
                running = min(running, Double(m - i) * p[i])
                p[i] = running
            }
        case .benjaminiHochberg, .benjaminiYekutieli:
            let harmonic = method == .benjaminiYekutieli ? harmonicNumber(m) : 1
            var running = Double.infinity
            for i in stride(from: m - 1, through: 0, by: -1) {
                let factor = (Double(i + 1) / mm) / harmonic
                running = min(running, p[i] / factor)
                p[i] = running
            }
        case .hommel:
            hommel(&p)
            sortedReject = p.map { $0 <= alpha }
        }

        var adjusted = [Double](repeating: 0, count: m)
        var reject = [Bool](repeating: false, count: m)
        adjusted.withUnsafeMutableBufferPointer { adjusted in
            reject.withUnsafeMutableBufferPointer { reject in
                p.withUnsafeBufferPointer { p in
                    sortedReject.withUnsafeBufferPointer { sortedReject in
                        order.withUnsafeBufferPointer { order in
                            // `order` is a permutation: every chunk writes its own positions.
                            inParallel(m) { range in
                                for rank in range {
                                    let i = Int(order[rank])
                                    adjusted[i] = min(1, p[rank])
                                    reject[i] = sortedReject[rank]
                                }
                            }
                        }
                    }
                }
            }
        }
        return AdjustedPValues(method: method, alpha: alpha, adjusted: adjusted, reject: reject)
    }

    /// Runs `body` over `0..<count` in two halves on two threads when the count reaches
    /// ``StableOrder/parallelThreshold`` (and there is a second processor), else in one piece.
    /// `body` must write disjoint positions for disjoint ranges.
    private static func inParallel(_ count: Int, _ body: (Range<Int>) -> Void) {
        guard count >= StableOrder.parallelThreshold && ProcessorCount.active > 1 else {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: 2) { h in
                shared.value(h == 0 ? 0..<(count / 2) : (count / 2)..<count)
            }
        }
    }

    /// Each procedure's rejection rule on sorted raw p-values (statsmodels' thresholds).
    /// Hommel's decisions come from its adjusted values (as statsmodels), so it is not handled here.
    private static func rejections(_ p: [Double], method: MultipleTestingMethod, alpha: Double) -> [Bool] {
        let m = p.count
        guard m > 0 else { return [] }
        let mm = Double(m)
        var reject = [Bool](repeating: false, count: m)
        switch method {
        case .bonferroni, .sidak:
            let t = method == .bonferroni ? alpha / mm : 1 - pow(1 - alpha, 1 / mm)
            for i in 0..<m { reject[i] = p[i] <= t }
        case .holm, .holmSidak:
            // Step down: reject while p₍i₎ is under its threshold, then stop.
            for i in 0..<m {
                let k = Double(m - i)
                let t = method == .holm ? alpha / k : 1 - pow(1 - alpha, 1 / k)
                if p[i] > t { break }
                reject[i] = true
            }
        case .hochberg, .benjaminiHochberg, .benjaminiYekutieli:
            // Step up: find the largest i under its threshold, reject it and all smaller.
            let harmonic = method == .benjaminiYekutieli ? harmonicNumber(m) : 1
            var last = -1
            for i in stride(from: m - 1, through: 0, by: -1) {
                let t = method == .hochberg ? alpha / Double(m - i) : Double(i + 1) / mm / harmonic * alpha
                if p[i] <= t { last = i; break }
            }
            if last >= 0 { for i in 0...last { reject[i] = true } }
        case .hommel:
            break
        }
        return reject
    }

    /// Σ_{k=1}^{m} 1/k, the Benjamini–Yekutieli constant c(m).
    private static func harmonicNumber(_ m: Int) -> Double {
        var sum = 0.0
        for k in stride(from: 1, through: max(m, 1), by: 1) { sum += 1 / Double(k) }
        return sum
    }

    /// Hommel's adjustment of sorted p-values `p` in O(m log m).
    ///
    /// Wright (1992) writes the adjusted value of p₍ᵢ₎ as the largest, over k = 1…m, of S_k when
    /// p₍ᵢ₎ is among the k largest p-values and of min(k · p₍ᵢ₎, S_k) otherwise, where
    /// S_k = min_{j=1…k} k · p₍ₘ₋ₖ₊ⱼ₎ / j is the Simes statistic of the k largest; statsmodels
    /// evaluates this in O(m²). Equivalently (Hommel 1988), H₍ᵢ₎ is rejected at α when
    /// p₍ᵢ₎ ≤ α / h(α), with h(α) = max{k : S_k > α} the size of the largest subset that Simes does
    /// not reject, so the adjusted value is the smallest α ≥ p₍ᵢ₎ · h(α). This is computed in three passes:
    /// 1. S_k for every k: with c = m − k, S_k / k is the smallest slope from (c, 0) to the points
    ///    (t, p₍ₜ₎), t > c, which lies at a vertex of their lower convex hull. The hull is kept
    ///    while points are added from the right end leftwards (Andrew's monotone chain), and the
    ///    slope is unimodal along it, so each S_k is a binary search: O(log m).
    /// 2. M_k = max_{k' ≥ k} S_k', so that h(α) = max{k : M_k > α}: on [M_{k+1}, M_k) h is k.
    /// 3. For each p₍ᵢ₎ in increasing order, the first step k (from high k to low, that is,
    ///    from small α up) where max(M_{k+1}, k · p₍ᵢ₎) < M_k; that value is the adjusted p-value. The
    ///    step can only move down as p₍ᵢ₎ grows, so this pass is linear.
    ///
    /// Every adjusted value is one of Wright's terms, S_k = k · p / j or k · p₍ᵢ₎, computed as
    /// statsmodels computes them, so the two agree to rounding (tested to 1e-12). Meijer, Krebs &
    /// Goeman ("Hommel's procedure in linear time", Biometrical Journal 61, 2019) give a linear-time
    /// algorithm after sorting through the same function h; the hull search here is this package's.
    /// - Parameter p: the sorted p-values, replaced by their adjusted values (8 + 4 bytes of
    ///   scratch per value: the Simes statistics, then their suffix maxima, and the hull).
    private static func hommel(_ p: inout [Double]) {
        let m = p.count
        guard m > 1 else { return }
        // 1. Simes statistics of the k largest p-values, s[k] for k = 1…m.
        var s = [Double](repeating: 0, count: m + 2)
        var hull = [Int32]()
        hull.reserveCapacity(m)
        p.withUnsafeBufferPointer { p in
            for k in 1...m {
                let c = m - k   // the new point, 0-based; the points are c…m−1, point t at j = t − c + 1
                // Pop hull vertices that the new leftmost point makes non-convex (collinear ones too).
                while hull.count >= 2 {
                    let a = Int(hull[hull.count - 1]), b = Int(hull[hull.count - 2])
                    if (p[a] - p[c]) * Double(b - a) < (p[b] - p[a]) * Double(a - c) { break }
                    hull.removeLast()
                }
                hull.append(Int32(c))
                // hull[0] is the rightmost vertex; the slope p[t] / (t − c + 1) is unimodal along it.
                var low = 0, high = hull.count - 1
                while low < high {
                    let mid = (low + high) / 2, t0 = Int(hull[mid]), t1 = Int(hull[mid + 1])
                    if p[t0] / Double(t0 - c + 1) <= p[t1] / Double(t1 - c + 1) { high = mid } else { low = mid + 1 }
                }
                let t = Int(hull[low])
                s[k] = Double(k) * p[t] / Double(t - c + 1)
            }
        }
        hull = []
        // 2. Suffix maxima in place: s[k] becomes M_k = max_{k' ≥ k} S_k', with M_{m+1} = 0.
        for k in stride(from: m, through: 1, by: -1) { s[k] = max(s[k + 1], s[k]) }
        // 3. The smallest α with α ≥ p · h(α), for p in increasing order; p[r] is read, then replaced.
        var k = m
        for r in 0..<m {
            var value: Double
            while true {
                if k == 0 { value = s[1]; break }
                value = max(s[k + 1], Double(k) * p[r])
                if value < s[k] { break }
                k -= 1
            }
            p[r] = value
        }
    }
}
