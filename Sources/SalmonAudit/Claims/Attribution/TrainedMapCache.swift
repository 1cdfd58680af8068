import Foundation

/// Trained network 0's prepared maps, per claim, computed once per process and shared
/// by every unit that compares with them (a pure function of the spec, so recomputing one in
/// another process or shard gives the same values).
final class TrainedMapCache: @unchecked Sendable {
    private let lock = NSLock()
    private var prepared: [String: AttributionSimilarity.Prepared] = [:]

    func prepared(claim key: String, make: () throws -> AttributionSimilarity.Prepared) throws -> AttributionSimilarity.Prepared {
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
