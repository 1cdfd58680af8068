import Foundation

/// Values computed once and then shared, keyed by what they are a pure function of.
///
/// Used for what several claims (or several units) would otherwise recompute: trained network
/// 0's prepared attribution maps, shared by every unit of a run; a unit's null network and its
/// maps, shared by every claim of the unit (``UnitMemo``). Because every stored value is a pure
/// function of its key and the spec, a value computed twice by two threads racing to the same
/// key is the same value, and a run's results do not depend on which thread stored it.
///
/// Thread-safe; `make` runs outside the lock (so it may take long, or recurse into the table).
final class MemoTable<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]

    init() {}

    /// The value stored for `key`, made by `make` and stored the first time.
    func value(_ key: Key, make: () throws -> Value) rethrows -> Value {
        lock.lock()
        let stored = values[key]
        lock.unlock()
        if let stored { return stored }
        let made = try make()
        lock.lock()
        values[key] = made
        lock.unlock()
        return made
    }
}

/// What one unit's claims share while the unit is evaluated: its networks (a cascade stage, a
/// network retrained on permuted labels) and the maps computed from them, so that claims of the
/// same method that differ only in their statistic (four similarity measures, deletion and
/// insertion) fit the method once. Made fresh for every unit by ``UnitEvaluator`` and dropped
/// with it, so memory stays O(one unit).
public final class UnitMemo: Sendable {
    private let table = MemoTable<String, Entry>()

    struct Entry: @unchecked Sendable { var value: any Sendable }

    public init() {}

    /// The value stored under `key`, made by `make` the first time.
    /// - Throws: what `make` throws, or ``AuditError`` when `key` holds a value of another type
    ///   (two families using one key: a programming error named in the message).
    public func value<T: Sendable>(_ key: String, make: () throws -> T) throws -> T {
        let entry = try table.value(key) { Entry(value: try make()) }
        guard let typed = entry.value as? T else {
            throw AuditError("unit memo: '\(key)' holds a \(type(of: entry.value)), not a \(T.self)")
        }
        return typed
    }
}
