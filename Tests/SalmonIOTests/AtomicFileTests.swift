import Foundation
import Testing
@testable import SalmonIO

/// On Linux, swift-corelibs/swift-foundation's `FileManager.replaceItemAt` renames the *original*
/// onto the replacement's path and then fails with "The file doesn't exist"; AtomicFile then
/// deletes its temporary file, which by then holds the old content. Overwriting therefore throws
/// and loses the existing file, and a directory at the destination is silently replaced.
private func contents(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

@Suite("AtomicFile")
struct AtomicFileTests {
    @Test func writesANewFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("out.csv")
            try AtomicFile.write(Data("a,b\n1,2\n".utf8), to: path)
            #expect(contents(path) == "a,b\n1,2\n")
            let names = try dir.contents()
            #expect(names == ["out.csv"])
        }
    }

    @Test func writesAnEmptyFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("empty.txt")
            try AtomicFile.write(Data(), to: path)
            #expect(FileManager.default.contents(atPath: path) == Data())
        }
    }

    @Test func overwritesAnExistingFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("out.json")
            try AtomicFile.write(Data(String(repeating: "long old content\n", count: 100).utf8), to: path)
            try AtomicFile.write(Data("{}\n".utf8), to: path)
            // Shorter new content: nothing of the old file may remain.
            #expect(contents(path) == "{}\n")
            try AtomicFile.write(Data("[1]\n".utf8), to: path)
            #expect(contents(path) == "[1]\n")
        }
    }

    @Test func aFailedOverwriteNeverLosesTheFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("results.csv")
            try AtomicFile.write(Data("old\n".utf8), to: path)
            _ = try? AtomicFile.write(Data("new\n".utf8), to: path)
            // Whether or not the write succeeded, readers must see the old file or the new one.
            #expect(contents(path) == "old\n" || contents(path) == "new\n")
        }
    }

    @Test func leavesNoTemporaryFilesBehind() throws {
        try withTemporaryDirectory { dir in
            for i in 0..<20 {
                try AtomicFile.write(Data("\(i)\n".utf8), to: dir.path("new-\(i).txt"))
                // Overwrites too, successful or not, must not leave their temporary file.
                _ = try? AtomicFile.write(Data("\(i * 2)\n".utf8), to: dir.path("new-\(i / 2).txt"))
            }
            let names = try dir.contents()
            #expect(!names.contains { $0.hasSuffix(".tmp") || $0.hasPrefix(".") })
            #expect(names.contains("new-19.txt"))
            #expect(contents(dir.path("new-19.txt")) == "19\n")
        }
    }

    @Test func missingDirectoryThrowsAndCreatesNothing() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("no-such-dir/out.csv")
            #expect(throws: (any Error).self) { try AtomicFile.write(Data("x".utf8), to: path) }
            let names = try dir.contents()
            #expect(names.isEmpty)
        }
    }

    @Test func refusesToReplaceADirectory() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir.path("target"), withIntermediateDirectories: false)
            try dir.write("target/keep.txt", text: "keep\n")
            #expect(throws: (any Error).self) { try AtomicFile.write(Data("x".utf8), to: dir.path("target")) }
            #expect(contents(dir.path("target/keep.txt")) == "keep\n")
            let names = try dir.contents()
            #expect(names == ["target"])
        }
    }
}
