import Foundation
import Testing
@testable import SalmonIO

/// The error `InputFile.readText` throws, or nil when it returns.
private func readError(_ path: String) -> InputError? {
    do {
        _ = try InputFile.readText(path)
        return nil
    } catch {
        return error
    }
}

@Suite("InputFile")
struct InputFileTests {
    @Test func readsANormalFile() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("p.txt", text: "0.01\n0.5\nμ\n")
            let (text, source) = try InputFile.readText(path)
            #expect(text == "0.01\n0.5\nμ\n")
            #expect(source == path)
        }
    }

    @Test func readsAnEmptyFile() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("empty.txt", bytes: [])
            let (text, source) = try InputFile.readText(path)
            #expect(text.isEmpty)
            #expect(source == path)
        }
    }

    @Test func missingFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("does-not-exist.txt")
            let error = try #require(readError(path))
            #expect(error == InputError(file: path, expected: "a readable file, but it does not exist"))
            #expect(error.description == "\(path): expected a readable file, but it does not exist")
        }
    }

    @Test func directory() throws {
        try withTemporaryDirectory { dir in
            let error = try #require(readError(dir.url.path))
            #expect(error == InputError(file: dir.url.path, expected: "a file, found a directory"))
        }
    }

    @Test func invalidUTF8() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("binary.txt", bytes: [0xFF, 0xFE, 0x00, 0x31, 0x00, 0x0A, 0xC3, 0x28])
            let error = try #require(readError(path))
            #expect(error == InputError(file: path, expected: "UTF-8 text, found a byte that is not UTF-8 at offset 0"))
        }
    }

    @Test func truncatedMultibyteSequence() throws {
        try withTemporaryDirectory { dir in
            // "0.5\n" then the first two bytes of a three-byte sequence.
            let path = try dir.write("cut.txt", bytes: Array("0.5\n".utf8) + [0xE2, 0x82])
            // The offset names the first byte of the cut sequence.
            #expect(readError(path)?.expected == "UTF-8 text, found a byte that is not UTF-8 at offset 4")
        }
    }

    @Test(.enabled(if: getuid() != 0, "root can read a file without read permission"))
    func unreadableFile() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("secret.txt", text: "1\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path) }
            let error = try #require(readError(path))
            #expect(error.file == path)
            #expect(error.expected.hasPrefix("a readable file"))
        }
    }

    @Test func numberListReadsAFile() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("scores.csv", text: "\u{FEFF}model,accuracy\r\nA,0.91\r\nB,0.87\r\n")
            #expect(try NumberList.read(path: path, column: "accuracy") == [0.91, 0.87])
        }
    }

    @Test func numberListErrorsNameTheFileAsGiven() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("p.txt", text: "0.1\n0.2\nnan\n")
            let error = try #require(throws: InputError.self) { try NumberList.read(path: path) }
            #expect(error.description == "\(path):3: expected a finite number, found \"nan\"")
        }
    }
}
