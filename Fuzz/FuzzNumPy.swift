// Fuzz target: NumPy .npy files and .npz archives (zip, deflate, CRC-32).
// Invariants: parsing never crashes; it throws InputError or returns arrays whose data holds
// exactly elementCount × itemsize bytes and whose values decode; a float32, float64 or int64
// .npy array writes and reads back with the same shape and bytes.
import SalmonIO

private func check(_ array: NPYArray) {
    if array.littleEndianData.count != array.elementCount * array.elementType.byteCount { fatalError("size mismatch accepted") }
    if array.shape.reduce(1, *) != array.elementCount { fatalError("element count wrong") }
    if array.elementType.isFloatingPoint {
        guard let values = try? array.floats(), values.count == array.elementCount else { fatalError("floats failed") }
    } else {
        guard let values = try? array.integers(), values.count == array.elementCount else { fatalError("integers failed") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let array = try? NPYArray(parsing: bytes, source: "fuzz") {
        check(array)
        var written: [UInt8]?
        switch array.elementType {
        case .float32: written = (try? array.floats()).flatMap { try? NPYArray.serialize($0, shape: array.shape) }.map(Array.init)
        case .float64:
            let values = array.littleEndianData.withUnsafeBytes { raw in
                (0..<array.elementCount).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) }
            }
            written = (try? NPYArray.serialize(values, shape: array.shape)).map(Array.init)
        case .int64: written = (try? array.integers()).flatMap { try? NPYArray.serialize($0, shape: array.shape) }.map(Array.init)
        default: break
        }
        if let written {
            guard let again = try? NPYArray(parsing: written, source: "again"), again.shape == array.shape,
                  again.littleEndianData == array.littleEndianData else { fatalError("round trip changed the array") }
        }
    }
    if let archive = try? NPZArchive(parsing: bytes, source: "fuzz") {
        for entry in archive.entries { check(entry.array) }
    }
    return 0
}
