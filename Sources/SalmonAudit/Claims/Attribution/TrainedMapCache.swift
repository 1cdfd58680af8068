import Foundation
import SalmonStatistics

/// Trained network 0's prepared maps, per claim and method stream, computed once per process and shared
/// by every unit that compares with them (a pure function of the spec, so recomputing one in
/// another process or shard gives the same values).
final class TrainedMapCache: @unchecked Sendable {
    private let lock = NSLock()
    private var prepared: [Key: AttributionSimilarity.Prepared] = [:]

    struct Key: Hashable {
        var claim: String
        var stream: RandomStream
    }

    func prepared(claim: String, stream: RandomStream, make: () throws -> AttributionSimilarity.Prepared) throws -> AttributionSimilarity.Prepared {
        let key = Key(claim: claim, stream: stream)
        lock.lock()
        let cached = prepared[key]
        lock.unlock()
        if let cached { return cached }
        let made = try make()
        lock.lock()
        prepared[key] = made
        lock.unlock()
        return made
    }
}
