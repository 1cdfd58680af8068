// Fuzz target: safetensors files (SafeTensors parsing and writing).
// Invariants: parsing never crashes; it throws InputError or returns tensors whose byte ranges
// tile the data section exactly, whose element counts match their bytes, and whose values
// decode; writing the parsed tensors back and parsing again gives the same tensors and metadata.
import SalmonIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? SafeTensors(parsing: bytes, source: "fuzz") else { return 0 }
    var end = 0
    var entries: [SafeTensors.Entry] = []
    for tensor in file.tensors {
        if tensor.dataOffsets.lowerBound != end { fatalError("gap or overlap accepted") }
        end = tensor.dataOffsets.upperBound
        if tensor.byteRange.count != tensor.elementCount * tensor.dtype.byteCount { fatalError("size mismatch accepted") }
        if tensor.dtype.elementType.isFloatingPoint {
            guard let values = try? file.floats(named: tensor.name), values.count == tensor.elementCount else {
                fatalError("floats failed")
            }
        } else {
            guard let values = try? file.integers(named: tensor.name), values.count == tensor.elementCount else {
                fatalError("integers failed")
            }
        }
        guard let raw = try? file.rawBytes(named: tensor.name) else { fatalError("rawBytes failed") }
        entries.append(.init(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, bytes: Array(raw)))
    }
    if 8 + file.headerLength + end != bytes.count { fatalError("data section not covered") }
    guard let written = try? SafeTensors.serialize(entries, metadata: file.metadata),
          let again = try? SafeTensors(parsing: written, source: "again") else {
        fatalError("a parsed file does not write and read back")
    }
    if again.metadata != file.metadata { fatalError("metadata changed in a round trip") }
    for tensor in file.tensors {
        guard let other = try? again.tensor(named: tensor.name), other.dtype == tensor.dtype, other.shape == tensor.shape,
              let a = try? file.rawBytes(named: tensor.name), let b = try? again.rawBytes(named: tensor.name), a.elementsEqual(b)
        else { fatalError("tensor changed in a round trip") }
    }
    return 0
}
