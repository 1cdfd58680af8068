import Foundation
import Testing

/// The package root, derived from this file's path: `<root>/Tests/SalmonCLITests/SalmonRunner.swift`.
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Expected outputs, compared byte for byte (excluded from the target's sources in Package.swift).
let snapshotsDirectory: URL = packageRoot.appendingPathComponent("Tests/SalmonCLITests/Snapshots", isDirectory: true)

/// The committed input files. The CLI runs with this as its working directory, so arguments and
/// messages use bare file names (`pvalues.txt`).
let inputsDirectory: URL = snapshotsDirectory.appendingPathComponent("Inputs", isDirectory: true)

/// Where the `salmon` executable built with the tests lives.
enum SalmonBinary {
    static let url: URL? = locate()

    /// Looks next to the test bundle first (the bundle, the test executable, and every path on the
    /// command line, walking up a few levels and checking `debug`/`release` siblings), then falls
    /// back to `<package root>/.build/debug/salmon`.
    static func locate() -> URL? {
        var directories: [URL] = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        for argument in CommandLine.arguments where argument.contains("/") {
            directories.append(URL(fileURLWithPath: argument).deletingLastPathComponent())
        }
        var candidates: [URL] = []
        for directory in directories {
            var level = directory.standardizedFileURL
            for _ in 0...3 {
                candidates.append(level.appendingPathComponent("salmon"))
                candidates.append(level.appendingPathComponent("debug/salmon"))
                candidates.append(level.appendingPathComponent("release/salmon"))
                level = level.deletingLastPathComponent()
            }
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/salmon"))
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
                && !isDirectory.boolValue && FileManager.default.isExecutableFile(atPath: url.path)
        }
    }
}

/// A value handed to the watchdog's queue (the process is only terminated from there).
private final class ProcessBox: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}

/// Runs `salmon` with `args` in ``inputsDirectory``, feeding `stdin` (or nothing) to its standard
/// input, and returns its exit status and everything it wrote. A failure to launch is recorded as
/// an issue and reported as status -1. A run longer than 60 s is killed (status 15).
func runSalmon(_ args: [String], stdin: String? = nil,
               sourceLocation: SourceLocation = #_sourceLocation) -> (status: Int32, stdout: String, stderr: String) {
    guard let binary = SalmonBinary.url else {
        Issue.record("could not find the salmon executable (build with `swift build --build-tests`)",
                     sourceLocation: sourceLocation)
        return (-1, "", "")
    }
    let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("SalmonCLITests-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    do {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        // Files, not pipes: a child that fills a pipe buffer can never block on us.
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let input: FileHandle
        if let stdin {
            let inURL = scratch.appendingPathComponent("stdin")
            try Data(stdin.utf8).write(to: inURL)
            input = try FileHandle(forReadingFrom: inURL)
        } else {
            input = FileHandle.nullDevice
        }

        let process = Process()
        process.executableURL = binary
        process.arguments = args
        process.currentDirectoryURL = inputsDirectory
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let box = ProcessBox(process)
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
            if box.process.isRunning { box.process.terminate() }
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        if stdin != nil { try input.close() }

        let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return (process.terminationStatus, stdout, stderr)
    } catch {
        Issue.record("could not run \(binary.path) \(args.joined(separator: " ")): \(error)",
                     sourceLocation: sourceLocation)
        return (-1, "", "")
    }
}

/// Whether this run rewrites the snapshots instead of comparing against them.
let updatingSnapshots = ProcessInfo.processInfo.environment["SALMON_UPDATE_SNAPSHOTS"] == "1"

/// Compares `actual` byte for byte with `Snapshots/<name>`, or writes it there when
/// `SALMON_UPDATE_SNAPSHOTS=1` (recording an issue, so that an update run never passes).
func assertSnapshot(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let url = snapshotsDirectory.appendingPathComponent(name)
    if updatingSnapshots {
        do {
            try Data(actual.utf8).write(to: url)
            Issue.record("wrote snapshot \(name); run again without SALMON_UPDATE_SNAPSHOTS=1 to compare",
                         sourceLocation: sourceLocation)
        } catch {
            Issue.record("could not write snapshot \(name): \(error)", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = FileManager.default.contents(atPath: url.path) else {
        Issue.record("missing snapshot \(name); create it with SALMON_UPDATE_SNAPSHOTS=1",
                     sourceLocation: sourceLocation)
        return
    }
    if Array(actual.utf8) != Array(expected) {
        let expectedText = String(decoding: expected, as: UTF8.self)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expectedText.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
        let expectedLine = first < e.count ? String(e[first]) : "<end of file>"
        let actualLine = first < a.count ? String(a[first]) : "<end of output>"
        Issue.record("""
            output differs from snapshot \(name) at line \(first + 1):
              expected: \(expectedLine)
              actual:   \(actualLine)
            """, sourceLocation: sourceLocation)
    }
}

/// Runs `salmon args`, expects success with nothing on stderr, and checks stdout against a snapshot.
func checkSnapshot(_ name: String, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    let run = runSalmon(args, sourceLocation: sourceLocation)
    #expect(run.status == 0, "salmon \(args.joined(separator: " ")) exited \(run.status): \(run.stderr)",
            sourceLocation: sourceLocation)
    #expect(run.stderr.isEmpty, sourceLocation: sourceLocation)
    #expect(!run.stdout.isEmpty, sourceLocation: sourceLocation)
    guard run.status == 0 else { return }
    assertSnapshot(name, run.stdout, sourceLocation: sourceLocation)
}
