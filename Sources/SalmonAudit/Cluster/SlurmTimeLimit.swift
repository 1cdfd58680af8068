/// A Slurm time limit (`sbatch --time`), checked before it is written into a job script.
///
/// Slurm accepts "minutes", "minutes:seconds", "hours:minutes:seconds", "days-hours",
/// "days-hours:minutes" and "days-hours:minutes:seconds" (sbatch(1), option `--time`), and
/// "UNLIMITED"/"INFINITE". Anything else would be rejected by `sbatch` only at submission, on the
/// cluster; checking here turns it into a one-line error before any script is written.
public struct SlurmTimeLimit: Sendable, Hashable, CustomStringConvertible {
    /// The limit as the user wrote it (Slurm's own syntax).
    public let text: String
    /// The limit in seconds, or nil for an unlimited job.
    public let seconds: Int?

    /// Parses one of Slurm's time formats; nil for anything else (including a zero limit).
    public init?(parsing text: String) {
        if text == "UNLIMITED" || text == "INFINITE" {
            self.text = text
            seconds = nil
            return
        }
        var days = 0
        var clock = Substring(text)
        let dashed = text.split(separator: "-", omittingEmptySubsequences: false)
        if dashed.count == 2 {
            guard let d = Self.number(dashed[0]) else { return nil }
            days = d
            clock = dashed[1]
        } else if dashed.count != 1 {
            return nil
        }
        let fields = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard !fields.isEmpty, fields.count <= 3 else { return nil }
        var values: [Int] = []
        for field in fields {
            guard let v = Self.number(field) else { return nil }
            values.append(v)
        }
        var total: Int
        if dashed.count == 2 {
            // days-hours[:minutes[:seconds]]
            total = days * 86_400 + values[0] * 3_600
            if values.count > 1 { total += values[1] * 60 }
            if values.count > 2 { total += values[2] }
        } else {
            switch values.count {
            case 1: total = values[0] * 60
            case 2: total = values[0] * 60 + values[1]
            default: total = values[0] * 3_600 + values[1] * 60 + values[2]
            }
        }
        guard total > 0 else { return nil }
        self.text = text
        seconds = total
    }

    public var description: String { text }

    /// A run of at most six decimal digits (bounded so that the total cannot overflow).
    private static func number(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 6, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }
}
