import Foundation
import SalmonIO
#if canImport(Glibc)
import Glibc
#endif

/// A report directory rendered in memory — figures under `figures/`, then the other files, the
/// Markdown last — and switched into place whole: the one writer every report uses (audits,
/// identifiability audits and studies, sanity checks).
///
/// A report is whole or absent. Every file is first written into a staging folder inside the
/// directory, `.salmon-staging/<pid>-<uuid>/`; a journal (`switch.json` there) then commits the
/// switch, which renames each staged file over its place: the entry point (the last of `files`,
/// the Markdown) is removed first and renamed in last, so whenever it is present the report is
/// complete and every file of it comes from one run. A run killed before the journal leaves the
/// previous report as it was (and a staging folder); one killed during the switch leaves no entry
/// point, and the next write into the directory (or `--resume`) finishes the committed switch
/// before anything else. Staging folders of processes that are gone are removed then too.
///
/// Nothing partial is left behind by a rendering failure: the files are complete values before
/// the first is written. With `removesStaleFigures`, the figures an earlier run wrote (listed in
/// `figures/.salmon-figures`, which every such write records) whose names this report does not use
/// are removed — and nothing else: a file of the user's in `figures/` is never touched. The
/// directory `''` (the current directory) and `/` are refused.
public struct ReportDirectory: Sendable {
    /// Figures: file names inside `figures/` and their SVG text.
    public var figures: [(name: String, svg: String)]
    /// The other files, by name relative to the directory, in writing order (the Markdown last).
    public var files: [(name: String, data: Data)]
    public var removesStaleFigures: Bool

    public init(figures: [(name: String, svg: String)], files: [(name: String, data: Data)], removesStaleFigures: Bool = true) {
        self.figures = figures
        self.files = files
        self.removesStaleFigures = removesStaleFigures
    }

    /// The folder inside a report directory where reports are staged before the switch.
    public static let stagingFolder = ".salmon-staging"
    /// The journal of a committed switch, inside its staging folder.
    static let journalName = "switch.json"

    /// What a committed switch moves: the staged files (relative paths, in order, the entry point
    /// last) and the stale figures to remove.
    struct Journal: Codable {
        var files: [String]
        var staleFigures: [String]
    }

    /// Writes the directory (creating it and `figures/` when needed), staged and switched whole.
    /// - Returns: the paths written, figures first, in order.
    /// - Throws: ``InputError`` naming the path that cannot be created, written or cleaned.
    @discardableResult
    public func write(to directory: String) throws -> [String] {
        try Self.requireOutputDirectory(directory)
        let root = directory
        try ReportWriter.makeDirectory(root)
        try Self.recover(root)
        let figureDirectory = ReportWriter.join(root, ReportFiles.figures)
        let manifest = ReportWriter.join(figureDirectory, Self.figureManifest)
        let earlier = removesStaleFigures ? Self.writtenFigures(manifest) : []
        let keep = Set(figures.map { $0.name.lowercased() })
        let stale = Set(earlier).sorted().filter { $0.hasSuffix(".svg") && !$0.hasPrefix(".") && !keep.contains($0.lowercased()) }
        var staged = figures.map { (ReportFiles.figures + "/" + $0.name, Data($0.svg.utf8)) }
        if removesStaleFigures {
            staged.append((ReportFiles.figures + "/" + Self.figureManifest, Data(figures.map { $0.name + "\n" }.joined().utf8)))
        }
        staged += files.map { ($0.name, $0.data) }

        // 1. Stage every file.
        let stage = ReportWriter.join(ReportWriter.join(root, Self.stagingFolder), "\(getpid())-\(UUID().uuidString)")
        try ReportWriter.makeDirectory(ReportWriter.join(stage, ReportFiles.figures))
        for (name, data) in staged {
            let path = ReportWriter.join(stage, name)
            do { try data.write(to: URL(fileURLWithPath: path)) } catch {
                throw InputError(file: ReportWriter.join(root, name), expected: "a writable location (\(error.localizedDescription))")
            }
        }
        Failpoint.reach("report-staged")
        // 2. Commit: from here the switch is completed, by this process or the next writer.
        let journal = Journal(files: staged.map(\.0), staleFigures: stale)
        try AtomicFile.write(try JSONEncoder().encode(journal), to: ReportWriter.join(stage, Self.journalName))
        Failpoint.reach("report-committed")
        // 3. Switch.
        try Self.switchIn(stage: stage, root: root, journal: journal)
        let written = figures.map { ReportWriter.join(figureDirectory, $0.name) } + files.map { ReportWriter.join(root, $0.name) }
        return written
    }

    /// Moves a committed stage into place (the entry point out first and in last), removes the
    /// stale figures and the stage. Idempotent: files already moved are skipped, so an
    /// interrupted switch is finished by calling it again.
    static func switchIn(stage: String, root: String, journal: Journal) throws {
        let manager = FileManager.default
        guard let entry = journal.files.last else { return }
        let target = { (name: String) in ReportWriter.join(root, name) }
        if manager.fileExists(atPath: ReportWriter.join(stage, entry)) {
            // Without its entry point there is no report: the old one goes first.
            if unlink(target(entry)) != 0 && errno != ENOENT {
                throw InputError(file: target(entry), expected: "a report file that can be replaced (\(String(cString: strerror(errno))))")
            }
        }
        Failpoint.reach("report-entry-removed")
        try ReportWriter.makeDirectory(ReportWriter.join(root, ReportFiles.figures))
        for (i, name) in journal.files.enumerated() where name != entry {
            try move(ReportWriter.join(stage, name), to: target(name))
            if i == journal.files.count / 2 { Failpoint.reach("report-half-switched") }
        }
        for name in journal.staleFigures {
            let path = ReportWriter.join(ReportWriter.join(root, ReportFiles.figures), name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            do { try manager.removeItem(atPath: path) } catch {
                throw InputError(file: path, expected: "a stale figure that can be removed (\(error.localizedDescription))")
            }
        }
        Failpoint.reach("report-before-entry")
        try move(ReportWriter.join(stage, entry), to: target(entry))
        Failpoint.reach("report-switched")
        try? manager.removeItem(atPath: stage)
        rmdir(ReportWriter.join(root, stagingFolder))   // only when no other writer's stage is in it
    }

    /// Renames `source` over `path` when `source` is still staged.
    static func move(_ source: String, to path: String) throws {
        guard FileManager.default.fileExists(atPath: source) else { return }
        if rename(source, path) != 0 {
            throw InputError(file: path, expected: "a path that can be replaced by a file (\(String(cString: strerror(errno))))")
        }
    }

    /// Finishes the committed switches of writers that are gone and removes their uncommitted
    /// stages; stages of live processes are left alone.
    /// - Throws: ``InputError`` when a committed switch cannot be finished.
    public static func recover(_ root: String) throws {
        let staging = ReportWriter.join(root, stagingFolder)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: staging) else { return }
        for name in entries.sorted() {
            let stage = ReportWriter.join(staging, name)
            // Still writing (EPERM: alive, but another user's): left alone.
            if let pid = Int32(name.prefix { $0 != "-" }), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            if let data = FileManager.default.contents(atPath: ReportWriter.join(stage, journalName)),
               let journal = try? JSONDecoder().decode(Journal.self, from: data) {
                try switchIn(stage: stage, root: root, journal: journal)
            }
            try? FileManager.default.removeItem(atPath: stage)
        }
        rmdir(staging)
    }

    /// The list of the figures the last write put in `figures/`, one name per line.
    public static let figureManifest = ".salmon-figures"

    /// The names a manifest lists (none when it is absent or unreadable: then nothing is removed).
    static func writtenFigures(_ manifest: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: manifest) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { !$0.isEmpty && !$0.contains("/") && $0 != ".." && $0 != "." }
    }

    /// Refuses, before any work, an output directory that cannot be one: `''` and the filesystem
    /// root (a report, and an audit's records, would land in the current directory or in `/`), and
    /// a path that is, or lies under, an existing file that is not a directory (found only after
    /// hours of work before).
    /// - Throws: ``InputError`` naming the option and the file in the way.
    public static func requireOutputDirectory(_ directory: String, option: String = "--out") throws {
        let trimmed = directory.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.allSatisfy({ $0 == "/" }) {
            throw InputError(file: option, expected: "an output directory, found '\(directory)' (the current directory's '' and the filesystem root are refused)")
        }
        // The nearest existing path on the way to the directory must be a directory.
        var path = directory
        while !path.isEmpty {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    let what = path == directory ? "'\(directory)' is a file" : "'\(path)' on its path is a file"
                    throw InputError(file: option, expected: "an output directory, but \(what), not a directory")
                }
                return
            }
            path = parentPath(path)
        }
    }

    /// `a/b/c` → `a/b`, `a` → `.`, `/a` → `/` (trailing slashes ignored). Foundation's
    /// `deletingLastPathComponent` traps on some relative paths, so the parent is cut here.
    static func parentPath(_ path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return path == "." ? "" : "." }
        if slash == 0 { return bytes.count == 1 ? "" : "/" }
        return String(decoding: bytes[..<slash], as: UTF8.self)
    }
}
