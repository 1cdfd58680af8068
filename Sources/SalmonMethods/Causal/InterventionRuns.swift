import Foundation
import SalmonNetworks
import SalmonStatistics

/// The runs an interchange intervention is fitted and scored on, whatever the network: for each
/// of `count` base/source pairs the site's row on the base run and on the source run, and the
/// answers' logit difference of the base run with its site row replaced — with the gradient of
/// the two-answer loss with respect to the replacement. A transformer's runs
/// (``DistributedAlignmentSearch``) replace one position of a site; an MLP's
/// (``MLPAlignmentSearch``) a hidden layer's row. The map's fitting and its IIA are written once,
/// here, against this.
public protocol InterventionRuns: Sendable {
    /// The site's width d.
    var width: Int { get }
    /// The number of pairs.
    var count: Int { get }
    /// The site's rows on the base runs, `count × width` row-major.
    var base: [Double] { get }
    /// The site's rows on the source runs, `count × width` row-major.
    var source: [Double] { get }
    /// Per pair of `rows`, LD = logit(correct) − logit(wrong) of the base run with its site row
    /// set to `values` (`rows.count × width`).
    func logitDifferences(rows: [Int], values: [Double]) -> [Double]
    /// The mean two-answer loss softplus(−LD) over `rows` with the site rows set to `values`, and
    /// its gradient with respect to `values`.
    func lossAndValueGradient(rows: [Int], values: [Double]) -> (loss: Double, gradient: [Double])
}

extension InterventionRuns {
    /// The base and source rows of `rows`.
    func rows(_ rows: [Int]) -> (base: [Double], source: [Double]) {
        let w = width
        var b = [Double](repeating: 0, count: rows.count * w), s = b
        for (k, r) in rows.enumerated() {
            for j in 0..<w { b[k * w + j] = base[r * w + j]; s[k * w + j] = source[r * w + j] }
        }
        return (b, s)
    }

    /// Per pair, LD of the base run with the site set to the map's intervention.
    /// - Throws: ``MethodError`` for a map of another width.
    public func logitDifferences(_ map: some AlignmentMap) throws -> [Double] {
        guard map.dimension == width else { throw MethodError("interchange intervention: a map of width \(map.dimension) at a site of width \(width)") }
        return logitDifferences(rows: Array(0..<count), values: map.intervene(base: base, source: source, count: count))
    }

    /// The mean two-answer loss softplus(−LD) of `map` over the pairs and its parameter gradient.
    public func lossAndGradient(_ map: some AlignmentMap) -> (loss: Double, gradient: [Double]) {
        lossAndGradient(map, rows: Array(0..<count))
    }

    func lossAndGradient(_ map: some AlignmentMap, rows: [Int]) -> (loss: Double, gradient: [Double]) {
        let (b, s) = self.rows(rows)
        let (loss, g) = lossAndValueGradient(rows: rows, values: map.intervene(base: b, source: s, count: rows.count))
        return (loss, map.parameterGradient(base: b, source: s, count: rows.count, outputGradient: g))
    }

    /// Fits `map` with the network frozen (Adam on minibatches, ``AlignmentTraining``; minibatch
    /// orders from `stream`), projecting it onto its constraint after every step.
    /// - Returns: the fitted map and the mean training loss of each epoch.
    /// - Throws: ``MethodError`` for a map of another width or a bad training schedule.
    public func fit<Map: AlignmentMap>(_ map: Map, training: AlignmentTraining, stream: RandomStream) throws -> (map: Map, losses: [Double]) {
        guard map.dimension == width else { throw MethodError("interchange intervention: a map of width \(map.dimension) at a site of width \(width)") }
        guard training.epochs >= 0, training.batchSize >= 1, training.learningRate > 0 else {
            throw MethodError("interchange intervention: epochs ≥ 0, batch size ≥ 1 and a positive learning rate")
        }
        let n = count
        var map = map
        var optimizer = Optimizer(.adamW(learningRate: Float(training.learningRate), weightDecay: 0))
        var order = stream
        var losses: [Double] = []
        for _ in 0..<training.epochs {
            var indices = Array(0..<n)
            indices.shuffle(using: &order)
            var total = 0.0
            var start = 0
            while start < n {
                let batch = Array(indices[start..<min(n, start + training.batchSize)])
                start += training.batchSize
                let (loss, gradient) = lossAndGradient(map, rows: batch)
                total += loss * Double(batch.count)
                // Adam on a Float copy of the parameters; the map keeps Double values and its constraint.
                var parameters = [map.parameters.map(Float.init)]
                optimizer.update(&parameters, gradients: [gradient.map(Float.init)])
                let old = map.parameters
                map.parameters = zip(old, parameters[0]).map { o, p in o + Double(p - Float(o)) }
                map.project()
            }
            losses.append(total / Double(n))
        }
        return (map, losses)
    }

    /// The two-answer loss of logit differences and its derivative per LD, averaged over them:
    /// softplus(−x) and −σ(−x)/n, computed stably.
    static func softplusLoss(_ ld: [Double]) -> (loss: Double, slopes: [Double]) {
        let n = Double(ld.count)
        var loss = 0.0
        let slopes = ld.map { x -> Double in
            loss += x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x))
            return -1 / (1 + exp(x)) / n
        }
        return (loss / n, slopes)
    }
}
