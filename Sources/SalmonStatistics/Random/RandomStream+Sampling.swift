internal import CGSL
import Foundation

extension RandomStream {
    /// A uniform double in [0, 1) from the top 53 bits of one draw.
    @inlinable @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1): never 0, for logarithms and quantile transforms.
    @inlinable @inline(__always)
    public mutating func uniformPositive() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A uniform integer in `0 ..< bound`, without modulo bias.
    ///
    /// Lemire's nearly divisionless method ("Fast random integer generation in an interval",
    /// ACM TOMS 29(1), 2019): one multiplication per draw, a division only on the rare path.
    /// - Precondition: `bound > 0`.
    @inlinable @inline(__always)
    public mutating func index(below bound: Int) -> Int {
        let n = UInt64(bound)
        var m = next().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = next().multipliedFullWidth(by: n) }
        }
        return Int(m.high)
    }

    /// `count` distinct integers drawn uniformly from `0 ..< population`, ascending: a partial
    /// Fisher–Yates shuffle (every subset of that size equally likely; `count` draws).
    /// - Precondition: `0 ≤ count ≤ population`.
    public mutating func subset(of population: Int, count: Int) -> [Int] {
        precondition(count >= 0 && count <= population, "a subset of 0 … \(population) elements, found \(count)")
        var pool = Array(0..<population)
        for i in 0..<count { pool.swapAt(i, i + index(below: population - i)) }
        return pool.prefix(count).sorted()
    }

    /// Two independent uniform integers in `0 ..< bound` from one 64-bit draw (bound < 2³²).
    ///
    /// Lemire's method on each 32-bit half; xoshiro256** has no weak low bits, so both halves are
    /// usable. This halves the generator cost of bulk index draws (bootstrap resampling).
    /// - Precondition: `0 < bound <= UInt32.max`.
    @inlinable @inline(__always)
    public mutating func indexPair(below bound: Int) -> (Int, Int) {
        let n = UInt64(bound)
        let r = next()
        var a = (r >> 32) &* n
        var b = (r & 0xFFFF_FFFF) &* n
        if (a & 0xFFFF_FFFF) < n || (b & 0xFFFF_FFFF) < n {
            let threshold = (0x1_0000_0000 &- n) % n
            while (a & 0xFFFF_FFFF) < threshold { a = (next() >> 32) &* n }
            while (b & 0xFFFF_FFFF) < threshold { b = (next() >> 32) &* n }
        }
        return (Int(a >> 32), Int(b >> 32))
    }

    /// Runs `body` with a GSL generator whose state *is* this stream, so that GSL's samplers
    /// (`gsl_ran_*`) draw from it and advance it. No allocation; the pointer must not escape.
    internal mutating func withGSLGenerator<R>(_ body: (UnsafeMutablePointer<gsl_rng>) -> R) -> R {
        var state: (UInt64, UInt64, UInt64, UInt64) = (s0, s1, s2, s3)
        let result = withUnsafeMutablePointer(to: &state) { statePointer in
            var generator = gsl_rng(type: salmon_xoshiro256ss_gsl_type(), state: UnsafeMutableRawPointer(statePointer))
            return withUnsafeMutablePointer(to: &generator) { body($0) }
        }
        (s0, s1, s2, s3) = state
        return result
    }

    /// A standard normal variate (GSL's ziggurat, Marsaglia & Tsang 2000).
    public mutating func gaussian() -> Double {
        withGSLGenerator { gsl_ran_gaussian_ziggurat($0, 1.0) }
    }

    /// A normal variate with the given mean and standard deviation.
    public mutating func gaussian(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * gaussian()
    }

    /// An exponential variate with the given mean (inverse transform of a uniform in (0, 1)).
    public mutating func exponential(mean: Double = 1) -> Double {
        -mean * log(uniformPositive())
    }

    /// Fills `buffer` with standard normal variates.
    public mutating func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Double>) {
        withGSLGenerator { g in
            for i in buffer.indices { buffer[i] = gsl_ran_gaussian_ziggurat(g, 1.0) }
        }
    }

    /// A binomial variate: the number of successes in `trials` trials with probability `p`.
    public mutating func binomial(trials: Int, probability p: Double) -> Int {
        withGSLGenerator { Int(gsl_ran_binomial($0, p, UInt32(clamping: trials))) }
    }

    /// A gamma variate with shape `a` and scale `b` (Marsaglia & Tsang 2000, via GSL).
    public mutating func gamma(shape a: Double, scale b: Double = 1) -> Double {
        withGSLGenerator { gsl_ran_gamma($0, a, b) }
    }

    /// A beta variate with parameters `a`, `b` (via GSL).
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        withGSLGenerator { gsl_ran_beta($0, a, b) }
    }
}
