import ArgumentParser
import DeadSalmon

/// Where a command's numbers come from: a file (or `-`), optionally a CSV column.
struct NumberInput: ParsableArguments {
    @Option(help: "Read this CSV column (by header name) instead of one number per line.")
    var column: String?

    func read(_ path: String) throws -> [Double] {
        try NumberList.read(path: path, column: column)
    }
}

/// Options of commands that draw random numbers.
struct RandomOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Number of resamples B (≥ 1).")
    var resamples: Int = 9999

    @Option(parsing: .unconditional, help: "Master seed of the random streams (recorded in the output).")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Worker threads (results do not depend on it; default: all cores).")
    var jobs: Int = ProcessorCount.active

    /// Checked in `run()`, so that a bad value is reported as bad input (exit 2, one line).
    func check() throws {
        if resamples < 1 { throw UsageError(option: "--resamples", expected: "an integer ≥ 1, found \(resamples)") }
        if jobs < 1 { throw UsageError(option: "--jobs", expected: "an integer ≥ 1, found \(jobs)") }
    }
}

func validateLevel(_ level: Double, option: String = "--level") throws {
    if !(level > 0 && level < 1) {
        throw UsageError(option: option, expected: "a number strictly between 0 and 1, found \(level)")
    }
}

extension Alternative: ExpressibleByArgument {}
extension MultipleTestingMethod: ExpressibleByArgument {}
extension BootstrapInterval: ExpressibleByArgument {}
