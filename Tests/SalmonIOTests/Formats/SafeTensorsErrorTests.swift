import Foundation
import Testing
@testable import SalmonIO

/// A safetensors file with `header` (padded with spaces to a multiple of 8 unless `pad` is
/// false) and `data`.
private func file(_ header: String, _ data: [UInt8] = [], pad: Bool = true) -> [UInt8] {
    var h = Array(header.utf8)
    if pad { h += [UInt8](repeating: 0x20, count: (8 - h.count % 8) % 8) }
    return withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init) + h + data
}

/// A header entry.
private func entry(_ name: String, _ dtype: String = "F32", shape: String = "[1]", offsets: String = "[0,4]") -> String {
    "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
}

private func parseError(_ bytes: [UInt8]) throws -> InputError {
    try #require(inputError { try SafeTensors(parsing: bytes, source: "m.safetensors") }, "parsed without an error")
}

private let four = [UInt8](repeating: 0, count: 4)

/// One test per way a safetensors file can be malformed, each checking the error's file, tensor
/// and expected text. The reference implementation (the Python `safetensors` package 0.8.0)
/// rejects every one of these files too.
@Suite("SafeTensors bad input")
struct SafeTensorsErrorTests {
    @Test func validFileParses() throws {
        let parsed = try SafeTensors(parsing: file("{" + entry("w") + "}", four), source: "m.safetensors")
        #expect(parsed.tensors.map(\.name) == ["w"])
    }

    // MARK: Header length

    @Test func shorterThanEightBytes() throws {
        let error = try parseError([1, 0, 0])
        #expect(error == InputError(file: "m.safetensors",
                                    expected: "at least 8 bytes (the little-endian header length of a safetensors file), found 3"))
    }

    @Test func headerLengthOverTheLimit() throws {
        let error = try parseError(withUnsafeBytes(of: UInt64(100_000_001).littleEndian, Array.init) + Array("{}".utf8))
        #expect(error.file == "m.safetensors")
        #expect(error.field == nil)
        #expect(error.expected == "a header length of at most 100000000 bytes (the safetensors limit), found 100000001")
    }

    @Test func headerLengthOfUInt64Max() throws {
        let error = try parseError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(error.expected.hasPrefix("a header length of at most 100000000 bytes"))
        #expect(error.expected.hasSuffix("found 18446744073709551615"))
    }

    @Test func headerLengthLargerThanTheFile() throws {
        let error = try parseError(withUnsafeBytes(of: UInt64(100).littleEndian, Array.init) + Array("{}".utf8))
        #expect(error == InputError(file: "m.safetensors",
                                    expected: "a header of 100 bytes as its length field says, but only 2 bytes follow the length field"))
    }

    // MARK: Header text

    @Test func headerNotUTF8() throws {
        var bytes = file("{\"ab\":1}")
        bytes[8 + 3] = 0xFF
        let error = try parseError(bytes)
        #expect(error.expected == "a UTF-8 header, but header byte 3 is not valid UTF-8")
    }

    @Test func headerNotJSON() throws {
        let error = try parseError(file("{abc"))
        #expect(error.expected.hasPrefix("a valid JSON header ("))
        #expect(!error.description.contains("\n"))
    }

    @Test func headerWithTrailingText() throws {
        #expect(try parseError(file("{} x")).expected.hasPrefix("a valid JSON header ("))
    }

    @Test func headerWithByteOrderMark() throws {
        let error = try parseError(file("\u{FEFF}{}"))
        #expect(error.expected == "a JSON header, found a UTF-8 byte-order mark before it")
    }

    @Test func headerWithNULPadding() throws {
        // The reference pads with spaces; NUL bytes are not JSON whitespace (serde_json reports
        // trailing characters), and JSONSerialization would take them as a sign of UTF-16.
        let error = try parseError(file("{}\0\0\0\0\0\0", pad: false))
        #expect(error.expected == "a JSON header, found a NUL byte at header byte 2")
    }

    @Test(arguments: [("[1,2]", "an array of 2 elements"), ("\"text\"", "the string \"text\""), ("3", "the number 3"),
                      ("null", "null"), ("true", "true")])
    func headerNotAnObject(header: String, found: String) throws {
        let error = try parseError(file(header))
        #expect(error == InputError(file: "m.safetensors", expected: "a JSON object as the header, found \(found)"))
    }

    @Test func leadingWhitespaceIsAccepted() throws {
        let parsed = try SafeTensors(parsing: file("  \n{" + entry("w") + "}", four), source: "m")
        #expect(parsed.tensors.count == 1)
    }

    // MARK: Entries

    @Test func entryNotAnObject() throws {
        let error = try parseError(file("{\"w\":[1,2]}"))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"w\"",
                                    expected: "an object with \"dtype\", \"shape\" and \"data_offsets\", found an array of 2 elements"))
    }

    @Test(arguments: ["dtype", "shape", "data_offsets"])
    func missingField(field: String) throws {
        var fields = ["\"dtype\":\"F32\"", "\"shape\":[1]", "\"data_offsets\":[0,4]"]
        fields.removeAll { $0.hasPrefix("\"\(field)\"") }
        let error = try parseError(file("{\"w\":{" + fields.joined(separator: ",") + "}}", four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"w\"", expected: "a \"\(field)\" field"))
    }

    @Test func dtypeNotAString() throws {
        let error = try parseError(file("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", four))
        #expect(error.field == "tensor \"w\"")
        #expect(error.expected == "\"dtype\" to be a string, found the number 4")
    }

    @Test(arguments: ["F8_E4M3", "U16", "U32", "U64", "C64", "f32", "XYZ"])
    func unsupportedDtype(dtype: String) throws {
        let error = try parseError(file("{" + entry("layer.0", dtype) + "}", four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"layer.0\"",
                                    expected: "a dtype among F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, found \"\(dtype)\""))
    }

    @Test func shapeNotAnArray() throws {
        let error = try parseError(file("{" + entry("w", shape: "4") + "}", four))
        #expect(error.expected == "\"shape\" to be an array of non-negative integers, found the number 4")
    }

    @Test func negativeDimension() throws {
        let error = try parseError(file("{" + entry("w", shape: "[2,-1]") + "}", four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"w\"",
                                    expected: "dimension 1 of \"shape\" to be a non-negative integer, found -1"))
    }

    /// serde_json (and so the reference) refuses `2.0` where it expects an integer.
    @Test(arguments: ["2.0", "2e0", "0.5"])
    func nonIntegerDimension(text: String) throws {
        let error = try parseError(file("{" + entry("w", shape: "[\(text)]", offsets: "[0,8]") + "}", four + four))
        #expect(error.field == "tensor \"w\"")
        #expect(error.expected.hasPrefix("dimension 0 of \"shape\" to be a non-negative integer, found "))
        #expect(error.expected.hasSuffix("(a floating-point number)"))
    }

    @Test func hugeDimension() throws {
        let error = try parseError(file("{" + entry("w", shape: "[18446744073709551616]") + "}", four))
        #expect(error.expected == "dimension 0 of \"shape\" to be a non-negative integer, found 18446744073709551616 (not an integer below 2^63)")
        let beyondInt = try parseError(file("{" + entry("w", shape: "[9223372036854775808]") + "}", four))
        #expect(beyondInt.expected.hasSuffix("found 9223372036854775808 (not an integer below 2^63)"))
    }

    @Test(arguments: [("true", "true"), ("\"1\"", "the string \"1\""), ("null", "null"), ("[1]", "an array of 1 element")])
    func dimensionOfTheWrongType(text: String, found: String) throws {
        let error = try parseError(file("{" + entry("w", shape: "[\(text)]") + "}", four))
        #expect(error.expected == "dimension 0 of \"shape\" to be a non-negative integer, found \(found)")
    }

    @Test func elementCountOverflow() throws {
        let error = try parseError(file("{" + entry("w", shape: "[4294967296,4294967296]") + "}", four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"w\"",
                                    expected: "a shape whose element count fits in 63 bits, found [4294967296, 4294967296]"))
    }

    @Test func byteCountOverflow() throws {
        let error = try parseError(file("{" + entry("w", shape: "[4611686018427387904]") + "}", four))
        #expect(error.expected == "a shape whose size in bytes fits in 63 bits, found [4611686018427387904] of F32")
    }

    @Test(arguments: [("[0,4,4]", "an array of 3 elements"), ("[4]", "an array of 1 element"), ("4", "the number 4"),
                      ("{}", "an object")])
    func offsetsNotTwoIntegers(offsets: String, found: String) throws {
        let error = try parseError(file("{" + entry("w", offsets: offsets) + "}", four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"w\"",
                                    expected: "\"data_offsets\" to be two integers [begin, end], found \(found)"))
    }

    @Test(arguments: [("[0,4.0]", "end", "4.0 (a floating-point number)"), ("[-4,0]", "begin", "-4"),
                      ("[\"0\",4]", "begin", "the string \"0\"")])
    func offsetNotANonNegativeInteger(offsets: String, which: String, found: String) throws {
        let error = try parseError(file("{" + entry("w", offsets: offsets) + "}", four))
        #expect(error.expected == "\"data_offsets\" \(which) to be a non-negative integer, found \(found)")
    }

    @Test func reversedOffsets() throws {
        let error = try parseError(file("{" + entry("w", shape: "[0]", offsets: "[4,0]") + "}", four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"w\"",
                                    expected: "data_offsets [begin, end] with begin ≤ end, found [4, 0]"))
    }

    @Test func offsetsOutsideTheDataSection() throws {
        let error = try parseError(file("{" + entry("w", shape: "[2]", offsets: "[0,8]") + "}", four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"w\"",
                                    expected: "data_offsets within the data section of 4 bytes, found [0, 8]"))
    }

    @Test func overlappingTensors() throws {
        let header = "{" + entry("a", shape: "[2]", offsets: "[0,8]") + "," + entry("b", offsets: "[4,8]") + "}"
        let error = try parseError(file(header, four + four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"b\"",
                                    expected: "data_offsets that do not overlap those of tensor \"a\" [0, 8], found [4, 8]"))
    }

    @Test func twoTensorsOnTheSameBytes() throws {
        let error = try parseError(file("{" + entry("a") + "," + entry("b") + "}", four))
        #expect(error.field == "tensor \"b\"")
        #expect(error.expected == "data_offsets that do not overlap those of tensor \"a\" [0, 4], found [0, 4]")
    }

    /// Gaps are errors in the reference (`InvalidOffset`), between tensors and before the first.
    @Test func gapBetweenTensors() throws {
        let header = "{" + entry("a") + "," + entry("b", offsets: "[8,12]") + "}"
        let error = try parseError(file(header, four + four + four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"b\"",
                                    expected: "data_offsets beginning at 4 (where tensor \"a\" ends; the format allows no gaps), found [8, 12]"))
    }

    @Test func gapBeforeTheFirstTensor() throws {
        let error = try parseError(file("{" + entry("a", offsets: "[4,8]") + "}", four + four))
        #expect(error.expected == "data_offsets beginning at 0 (the start of the data section; the format allows no gaps), found [4, 8]")
    }

    /// Unused bytes after the last tensor: the reference's `MetadataIncompleteBuffer`.
    @Test func dataSectionNotCovered() throws {
        let error = try parseError(file("{" + entry("a") + "}", four + four))
        #expect(error == InputError(file: "m.safetensors",
                                    expected: "tensors covering the whole data section of 8 bytes, but bytes 4..<8 belong to no tensor"))
        let noTensors = try parseError(file("{}", [1]))
        #expect(noTensors.expected == "tensors covering the whole data section of 1 bytes, but bytes 0..<1 belong to no tensor")
    }

    @Test func zeroByteTensorsMayShareAnOffset() throws {
        let header = "{" + entry("a") + "," + entry("e", shape: "[0]", offsets: "[4,4]") + "," + entry("f", shape: "[2,0]", offsets: "[4,4]") + ","
            + entry("b", offsets: "[4,8]") + "}"
        let parsed = try SafeTensors(parsing: file(header, four + four), source: "m")
        #expect(parsed.tensors.map(\.name) == ["a", "e", "f", "b"])
    }

    @Test func byteLengthNotShapeTimesDtypeSize() throws {
        let error = try parseError(file("{" + entry("w", shape: "[3]", offsets: "[0,8]") + "}", four + four))
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"w\"",
                                    expected: "data_offsets spanning 12 bytes (shape [3] of F32, 4 bytes each), found [0, 8], 8 bytes"))
    }

    // MARK: Metadata and names

    @Test func metadataNotAnObject() throws {
        let error = try parseError(file("{\"__metadata__\":[\"a\"]}"))
        #expect(error == InputError(file: "m.safetensors", field: "\"__metadata__\"",
                                    expected: "an object mapping strings to strings, found an array of 1 element"))
    }

    @Test func metadataValueNotAString() throws {
        let error = try parseError(file("{\"__metadata__\":{\"epochs\":3}}"))
        #expect(error == InputError(file: "m.safetensors", field: "metadata \"epochs\"", expected: "a string value, found the number 3"))
    }

    @Test func nullMetadataIsNone() throws {
        #expect(try SafeTensors(parsing: file("{\"__metadata__\":null}"), source: "m").metadata == nil)
    }

    @Test func extraFieldsAreIgnoredAsInTheReference() throws {
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"note\":[1]}}"
        #expect(try SafeTensors(parsing: file(header, four), source: "m").tensors.count == 1)
    }

    @Test func tensorNamesAreEscapedInMessages() throws {
        let error = try parseError(file("{" + entry("a\\nb\\\"c", "Q8") + "}", four))
        #expect(error.field == "tensor \"a\\nb\\\"c\"")
        #expect(!error.description.contains("\n"))
    }

    @Test func longTensorNamesAreKeptWhole() throws {
        let name = "model.encoder.layers.23.self_attention.query_key_value.weight"
        let error = try parseError(file("{" + entry(name, "Q8") + "}", four))
        #expect(error.field == "tensor \"\(name)\"")
    }
}
