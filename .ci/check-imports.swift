// Checks that every module of this package that a target imports is among the target's declared
// dependencies (directly or through other targets of the package).
//
// Why: SwiftPM schedules the build by declared dependencies only. An import of a sibling module
// that is not declared compiles whenever the scheduler happens to build that module first, and
// fails with "no such module" when it does not — so a local build can pass while a clean CI build
// on another machine fails. This check makes the failure deterministic.
//
// Run: swift .ci/check-imports.swift   (from the package root; exit 1 lists each undeclared import)

import Foundation

/// A target as `swift package dump-package` describes it.
struct Target {
    var name: String
    var type: String
    var path: String?
    var dependencies: [String]
}

func run(_ arguments: [String]) -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch {
        FileHandle.standardError.write("check-imports: cannot run \(arguments.joined(separator: " ")): \(error)\n".data(using: .utf8)!)
        exit(2)
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        FileHandle.standardError.write("check-imports: \(arguments.joined(separator: " ")) failed\n".data(using: .utf8)!)
        exit(2)
    }
    return data
}

let manifest = run(["swift", "package", "dump-package"])
guard let root = try? JSONSerialization.jsonObject(with: manifest) as? [String: Any],
      let rawTargets = root["targets"] as? [[String: Any]] else {
    FileHandle.standardError.write("check-imports: unexpected output from swift package dump-package\n".data(using: .utf8)!)
    exit(2)
}

var targets: [String: Target] = [:]
for raw in rawTargets {
    guard let name = raw["name"] as? String, let type = raw["type"] as? String else { continue }
    var dependencies: [String] = []
    for dependency in raw["dependencies"] as? [[String: Any]] ?? [] {
        // Local dependencies are spelled {"byName": [NAME, null]} or {"target": [NAME, null]};
        // products of other packages ({"product": ...}) are external modules and not checked.
        for key in ["byName", "target"] {
            if let pair = dependency[key] as? [Any], let dependencyName = pair.first as? String {
                dependencies.append(dependencyName)
            }
        }
    }
    targets[name] = Target(name: name, type: type, path: raw["path"] as? String, dependencies: dependencies)
}

/// Every local target reachable from `name` through declared dependencies.
func closure(of name: String) -> Set<String> {
    var seen: Set<String> = []
    var stack = targets[name]?.dependencies ?? []
    while let next = stack.popLast() {
        if seen.insert(next).inserted { stack.append(contentsOf: targets[next]?.dependencies ?? []) }
    }
    return seen
}

let localModules = Set(targets.values.filter { $0.type != "test" }.map(\.name))
let importPattern = try NSRegularExpression(pattern: #"^\s*(?:@testable\s+)?(?:@_exported\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#,
                                            options: [.anchorsMatchLines])
var problems: [String] = []
for target in targets.values.sorted(by: { $0.name < $1.name }) where target.type != "system" {
    let directory = target.path ?? (target.type == "test" ? "Tests/\(target.name)" : "Sources/\(target.name)")
    let reachable = closure(of: target.name)
    guard let files = FileManager.default.enumerator(atPath: directory) else { continue }
    for case let file as String in files where file.hasSuffix(".swift") {
        guard let text = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8) else { continue }
        let range = NSRange(text.startIndex..., in: text)
        for match in importPattern.matches(in: text, range: range) {
            guard let moduleRange = Range(match.range(at: 1), in: text) else { continue }
            let module = String(text[moduleRange])
            if localModules.contains(module), module != target.name, !reachable.contains(module) {
                problems.append("\(directory)/\(file): imports \(module), which target \(target.name) does not depend on (add it to the target's dependencies in Package.swift)")
            }
        }
    }
}

if problems.isEmpty {
    print("check-imports: every import of a package module is a declared dependency (\(targets.count) targets)")
} else {
    for problem in problems.sorted() { FileHandle.standardError.write("\(problem)\n".data(using: .utf8)!) }
    exit(1)
}
