import Foundation
import Testing
@testable import SalmonIO

/// `bytes` with one to three random mutations: bit flips, bytes set to telling values, cuts,
/// insertions, deletions and duplicated chunks. Half of the positions fall in the first
/// `hotPrefix` bytes (the header, where a mutation changes the structure).
private func mutate(_ original: [UInt8], hotPrefix: Int, _ rng: inout FormatRandom) -> [UInt8] {
    var bytes = original
    let telling: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x20, 0x22, 0x27, 0x2C, 0x2D, 0x2E, 0x30, 0x31, 0x39, 0x5B, 0x5D,
                            0x7B, 0x7D, 0x28, 0x29, 0x3A, 0x65, 0x4C, 0x50, 0x4B]
    for _ in 0..<(1 + rng.below(3)) {
        let limit = rng.below(2) == 0 ? min(hotPrefix, bytes.count) : bytes.count
        let position = rng.below(max(limit, 1))
        switch rng.below(7) {
        case 0 where !bytes.isEmpty:
            bytes[position] ^= 1 << UInt8(rng.below(8))
        case 1 where !bytes.isEmpty:
            bytes[position] = telling[rng.below(telling.count)]
        case 2 where !bytes.isEmpty:
            bytes[position] = UInt8(truncatingIfNeeded: rng.next())
        case 3:
            bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
        case 4:
            let insert = (0..<(1 + rng.below(8))).map { _ in telling[rng.below(telling.count)] }
            bytes.insert(contentsOf: insert, at: min(position, bytes.count))
        case 5 where !bytes.isEmpty:
            let end = min(bytes.count, position + 1 + rng.below(16))
            bytes.removeSubrange(position..<end)
        default:
            if !bytes.isEmpty {
                let end = min(bytes.count, position + 1 + rng.below(32))
                bytes.insert(contentsOf: bytes[position..<end], at: rng.below(bytes.count + 1))
            }
        }
    }
    return bytes
}

/// Either a parsed value or an `InputError` on one line naming the file: no crash, no other error.
private func checkError(_ error: Error, source: String, _ bytes: [UInt8]) {
    guard let input = error as? InputError else {
        Issue.record("not an InputError: \(error) for \(bytes.count) bytes")
        return
    }
    #expect(input.file == source)
    #expect(!input.description.contains("\n") && !input.description.contains("\r"))
}

@Suite("Format robustness")
struct FormatRobustnessTests {
    static let cases = 2000

    @Test func mutatedSafeTensorsFiles() throws {
        let originals = try FormatFixtures.names("safetensors").map(FormatFixtures.bytes)
        var rng = FormatRandom(state: 0x5AFE_7E45)
        var parsed = 0
        for _ in 0..<Self.cases {
            let original = originals[rng.below(originals.count)]
            let header = original.count >= 8 ? Int(original[0]) | Int(original[1]) << 8 : 0
            let bytes = mutate(original, hotPrefix: 8 + header, &rng)
            do {
                let file = try SafeTensors(parsing: bytes, source: "fuzz.safetensors")
                parsed += 1
                var end = 0
                for tensor in file.tensors {
                    #expect(tensor.dataOffsets.lowerBound == end)
                    end = tensor.dataOffsets.upperBound
                    #expect(tensor.byteRange.count == tensor.elementCount * tensor.dtype.byteCount)
                    if tensor.dtype.elementType.isFloatingPoint {
                        #expect(try file.floats(named: tensor.name).count == tensor.elementCount)
                    } else {
                        #expect(try file.integers(named: tensor.name).count == tensor.elementCount)
                    }
                }
                #expect(8 + file.headerLength + end == bytes.count)
            } catch {
                checkError(error, source: "fuzz.safetensors", bytes)
            }
        }
        // Both outcomes must be common, or the test proves little.
        #expect(parsed >= 50, "only \(parsed) of \(Self.cases) mutated files parsed")
        #expect(parsed <= Self.cases * 3 / 4, "\(parsed) of \(Self.cases) mutated files parsed")
    }

    @Test func mutatedNPYFiles() throws {
        let originals = try FormatFixtures.names("npy").map(FormatFixtures.bytes)
            + (try FormatFixtures.bytes("unsupported_structured.npy").isEmpty ? [] : [try FormatFixtures.bytes("unsupported_structured.npy")])
        var rng = FormatRandom(state: 0x0093_4E55)
        var parsed = 0
        for _ in 0..<Self.cases {
            let original = originals[rng.below(originals.count)]
            var bytes = mutate(original, hotPrefix: 128, &rng)
            if rng.below(3) == 0 {
                // Only data bytes change: random bit patterns through every conversion.
                bytes = original
                let dataStart = min(bytes.count, 10 + (Int(bytes[8]) | Int(bytes[9]) << 8))
                for _ in 0..<(1 + rng.below(8)) where dataStart < bytes.count {
                    bytes[dataStart + rng.below(bytes.count - dataStart)] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            do {
                let array = try NPYArray(parsing: bytes, source: "fuzz.npy")
                parsed += 1
                #expect(array.littleEndianData.count == array.elementCount * array.elementType.byteCount)
                #expect(array.elementCount == array.shape.reduce(1, *))
                if array.elementType.isFloatingPoint {
                    #expect(try array.floats().count == array.elementCount)
                } else {
                    #expect(try array.integers().count == array.elementCount)
                }
            } catch {
                checkError(error, source: "fuzz.npy", bytes)
            }
        }
        #expect(parsed >= 50, "only \(parsed) of \(Self.cases) mutated files parsed")
        #expect(parsed <= Self.cases * 3 / 4, "\(parsed) of \(Self.cases) mutated files parsed")
    }

    @Test func mutatedNPZFiles() throws {
        let originals = try FormatFixtures.names("npz").map(FormatFixtures.bytes)
        var rng = FormatRandom(state: 0x504B_0304)
        var parsed = 0
        for _ in 0..<Self.cases {
            let original = originals[rng.below(originals.count)]
            // The hot region is the end: the central directory and the end record.
            var bytes = original
            if rng.below(2) == 0 {
                bytes = mutate(original, hotPrefix: original.count, &rng)
            } else {
                let tail = Array(original.suffix(200))
                bytes = Array(original.dropLast(tail.count)) + mutate(tail, hotPrefix: tail.count, &rng)
            }
            do {
                let archive = try NPZArchive(parsing: bytes, source: "fuzz.npz")
                parsed += 1
                for entry in archive.entries {
                    #expect(entry.array.littleEndianData.count == entry.array.elementCount * entry.array.elementType.byteCount)
                    #expect(entry.array.source == "fuzz.npz")
                }
            } catch {
                checkError(error, source: "fuzz.npz", bytes)
            }
        }
        #expect(parsed >= 20, "only \(parsed) of \(Self.cases) mutated archives parsed")
        #expect(parsed <= Self.cases * 3 / 4, "\(parsed) of \(Self.cases) mutated archives parsed")
    }

    /// Random bytes after the magic of each format.
    @Test func randomBytesBehindEachMagic() {
        var rng = FormatRandom(state: 77)
        for _ in 0..<Self.cases {
            let tail = (0..<rng.below(200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let npy = NPYArray.magic + [UInt8(1 + rng.below(3)), 0] + tail
            do { _ = try NPYArray(parsing: npy, source: "r") } catch { checkError(error, source: "r", npy) }
            let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + tail
            do { _ = try NPZArchive(parsing: zip, source: "r") } catch { checkError(error, source: "r", zip) }
            let safetensors = [UInt8(tail.count / 2), 0, 0, 0, 0, 0, 0, 0] + tail
            do { _ = try SafeTensors(parsing: safetensors, source: "r") } catch { checkError(error, source: "r", safetensors) }
        }
    }
}
