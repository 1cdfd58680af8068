import Foundation

/// What one computation may allocate on this machine: half its physical memory (the rest for the
/// process's other buffers, the system and other work), checked before a large allocation so that
/// a request that cannot fit is refused with the estimate and the parameter instead of aborting
/// the process halfway through (issue 13: `--resamples 1000000000000` asked for 8 TB).
public enum MemoryBudget {
    /// The machine's physical memory in bytes.
    public static var physicalBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// The most one computation may allocate: half the physical memory.
    public static var limitBytes: Double { physicalBytes / 2 }

    /// What is expected of an allocation of `bytes` beyond ``limitBytes`` (for the caller's own
    /// error, naming its parameter or field); nil when it fits.
    /// - Parameters:
    ///   - bytes: the estimate (a `Double`, so that an overflowing product is still compared).
    ///   - what: what the memory holds (`1000000000000 replicates of 8 bytes`).
    public static func excess(_ bytes: Double, what: String) -> String? {
        guard bytes > limitBytes else { return nil }
        return "a size this machine can hold: \(what) need \(format(bytes)), more than half its \(format(physicalBytes)) of memory"
    }

    /// Bytes as a person reads them: `8 TB`, `512 MB` (decimal units, 3 significant digits).
    public static func format(_ bytes: Double) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        let digits = value >= 100 || unit == 0 ? 0 : value >= 10 ? 1 : 2
        return String(format: "%.\(digits)f", value) + " " + units[unit]
    }
}
