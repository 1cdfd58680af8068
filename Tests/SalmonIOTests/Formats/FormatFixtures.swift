import Foundation
import Testing
@testable import SalmonIO

/// The model and array files written by `Fixtures/generate_formats.py` (safetensors, numpy) and
/// what they hold, from `Fixtures/formats_expected.json`.
enum FormatFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// One tensor or array as the reference implementation wrote it.
    struct Array: Decodable, Sendable {
        var name: String
        var dtype: String
        var shape: [Int]
        var crc32: String
        /// Bit patterns of the values converted to float32 (floating-point dtypes).
        var floatBits: [UInt32]?
        /// The values (integer and bool dtypes).
        var integers: [Int64]?
    }

    struct File: Decodable, Sendable {
        var format: String
        var metadata: [String: String]?
        var version: Int?
        var tensors: [Array]?
        var arrays: [Array]?
    }

    /// A raw DEFLATE stream made by zlib, and what it decompresses to.
    struct DeflateCase: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var compressed: String
        var length: Int
        var crc32: String
        var bytes: [UInt8] { [UInt8](Data(base64Encoded: compressed) ?? Data()) }
        var testDescription: String { name }
    }

    struct Expected: Decodable, Sendable {
        var files: [String: File]
        var deflate: [DeflateCase]
    }

    static let expected: Expected = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent("formats_expected.json")))
        } catch {
            Issue.record("could not load formats_expected.json: \(error)")
            return Expected(files: [:], deflate: [])
        }
    }()

    /// The names of the fixture files of `format`, sorted.
    static func names(_ format: String) -> [String] {
        expected.files.filter { $0.value.format == format }.map(\.key).sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Bit patterns, so that NaN payloads and signed zeros compare exactly.
    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
}

/// The deterministic generator of this target's robustness and mutation tests (SplitMix64,
/// Steele, Lea & Flood 2014).
struct FormatRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    /// Uniform in [0, 1) from the top 53 bits.
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// The `InputError` `body` throws, or nil when it returns (any other error is recorded as an
/// issue: the readers throw only `InputError`).
func inputError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> InputError? {
    do {
        _ = try body()
        return nil
    } catch let error as InputError {
        return error
    } catch {
        Issue.record("not an InputError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
