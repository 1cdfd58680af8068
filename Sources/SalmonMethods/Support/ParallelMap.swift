import Dispatch
import Foundation

/// Deterministic parallel map: element i is `body(i)` wherever and whenever it runs, so the result
/// does not depend on `jobs`. Workers take the next index from a shared counter (dynamic load
/// balancing); results land in their own slots.
package enum ParallelMap {
    package static func run<T: Sendable>(count: Int, jobs: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        let results = ResultSlots<T>(count: count)
        let workers = max(1, min(jobs, count))
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = next.take(below: count) { results.set(i, body(i)) }
        }
        return results.values()
    }
}

/// A lock-protected counter handing out indices.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take(below bound: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < bound else { return nil }
        value += 1
        return value - 1
    }
}

/// Result slots written once each from any thread.
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.lock(); slots[i] = value; lock.unlock() }
    func values() -> [T] { slots.compactMap { $0 } }
}
