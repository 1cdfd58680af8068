import SalmonAudit

/// The names of the files in a report directory, shared by the writer and the Markdown links.
public enum ReportFiles {
    /// The Markdown report a person reads first.
    public static let markdown = "report.md"
    /// The tidy CSV, one row per test.
    public static let csv = "results.csv"
    /// The versioned JSON of the whole result.
    public static let json = "results.json"
    /// How the run was carried out (worker threads, shards): the one file that depends on it.
    public static let run = "run.json"
    /// The JUnit XML, one test case per claim outcome.
    public static let junit = "junit.xml"
    /// The folder of SVG figures, one per test.
    public static let figures = "figures"

    /// The SVG file name of a test's figure: its id with every character outside `[A-Za-z0-9._-]`
    /// replaced by `_`, then `.svg` (`label-concept@layers.0.post~random-init` becomes
    /// `label-concept_layers.0.post_random-init.svg`).
    ///
    /// Names longer than 200 characters are cut to 180 and completed with a hash of the whole id,
    /// keeping them under the 255-byte limit of common file systems. Two ids can map to the same
    /// name; ``figureNames(for:)`` resolves that for a whole result.
    public static func figureName(for test: TestResult) -> String {
        figureName(forID: test.id)
    }

    /// The figure file name of every test of `result`, in test order, with no two equal even on a
    /// case-insensitive file system: a name already taken gets `-2`, `-3`, … before `.svg`.
    public static func figureNames(for result: AuditResult) -> [String] {
        var taken = Set<String>()
        return result.tests.map { test in
            let name = figureName(for: test)
            let stem = String(name.dropLast(".svg".count))
            var candidate = name
            var suffix = 2
            while taken.contains(candidate.lowercased()) {
                candidate = "\(stem)-\(suffix).svg"
                suffix += 1
            }
            taken.insert(candidate.lowercased())
            return candidate
        }
    }

    static func figureName(forID id: String) -> String {
        var safe = String(String.UnicodeScalarView(id.unicodeScalars.map { isSafe($0) ? $0 : "_" }))
        if safe.isEmpty { safe = "_" }
        if safe.count > 200 {
            safe = String(safe.prefix(180)) + "-" + FNV1a.hex(Array(id.utf8))
        }
        return safe + ".svg"
    }

    private static func isSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", ".", "_", "-": return true
        default: return false
        }
    }
}
