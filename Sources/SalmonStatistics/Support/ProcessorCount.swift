import Foundation

/// The machine's active processor count (the default worker count of parallel resampling).
public enum ProcessorCount {
    public static var active: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
