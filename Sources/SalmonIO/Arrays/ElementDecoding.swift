/// Converting raw little-endian element bytes to `Float` or `Int64` arrays.
///
/// The layouts are those of the safetensors README ("Format": little-endian, C order) and of
/// NumPy's `.npy` data section after byte-order normalization. Callers guarantee that the buffer
/// holds a whole number of elements; the loops load unaligned words from one contiguous buffer.
enum ElementDecoding {
    /// `bytes` as `Float`s; `type` must be floating point (F64 is rounded to nearest, overflow
    /// gives ±infinity, as a C cast and NumPy's `astype(float32)` do).
    static func floats(_ bytes: UnsafeRawBufferPointer, as type: ElementType) -> [Float] {
        let count = bytes.count / type.byteCount
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch type {
            case .float32:
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self)))
                }
            case .float64:
                for i in 0..<count {
                    let bits = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 &* i, as: UInt64.self))
                    out[i] = Float(Double(bitPattern: bits))
                }
            case .float16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self))
                    out[i] = HalfPrecision.float(fromFloat16Bits: bits)
                }
            case .bfloat16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self))
                    out[i] = HalfPrecision.float(fromBFloat16Bits: bits)
                }
            default:
                for i in 0..<count { out[i] = 0 }
            }
            initialized = count
        }
    }

    /// `bytes` as `Double`s; `type` must be floating point. Every value widens exactly (F64 is
    /// copied; F32, F16 and BF16 are subsets of F64); NaN stays NaN, though a signalling NaN's
    /// payload may be quieted.
    static func doubles(_ bytes: UnsafeRawBufferPointer, as type: ElementType) -> [Double] {
        guard type == .float64 else { return floats(bytes, as: type).map(Double.init) }
        let count = bytes.count / 8
        return [Double](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                out[i] = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 &* i, as: UInt64.self)))
            }
            initialized = count
        }
    }

    /// `bytes` as `Int64`s; `type` must be an integer type or bool (nonzero bytes read as 1).
    static func integers(_ bytes: UnsafeRawBufferPointer, as type: ElementType) -> [Int64] {
        let count = bytes.count / type.byteCount
        return [Int64](unsafeUninitializedCapacity: count) { out, initialized in
            switch type {
            case .int64:
                for i in 0..<count {
                    out[i] = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 &* i, as: Int64.self))
                }
            case .int32:
                for i in 0..<count {
                    out[i] = Int64(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 &* i, as: Int32.self)))
                }
            case .int16:
                for i in 0..<count {
                    out[i] = Int64(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 &* i, as: Int16.self)))
                }
            case .int8:
                for i in 0..<count { out[i] = Int64(Int8(bitPattern: bytes[i])) }
            case .uint8:
                for i in 0..<count { out[i] = Int64(bytes[i]) }
            case .bool:
                for i in 0..<count { out[i] = bytes[i] == 0 ? 0 : 1 }
            default:
                for i in 0..<count { out[i] = 0 }
            }
            initialized = count
        }
    }

    /// Reverses the byte order of every `elementSize`-byte element of `bytes` in place (for
    /// big-endian `.npy` data).
    static func swapByteOrder(_ bytes: inout [UInt8], elementSize: Int) {
        guard elementSize > 1 else { return }
        let count = bytes.count / elementSize
        bytes.withUnsafeMutableBytes { raw in
            switch elementSize {
            case 2:
                for i in 0..<count {
                    let v = raw.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self)
                    raw.storeBytes(of: v.byteSwapped, toByteOffset: 2 &* i, as: UInt16.self)
                }
            case 4:
                for i in 0..<count {
                    let v = raw.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self)
                    raw.storeBytes(of: v.byteSwapped, toByteOffset: 4 &* i, as: UInt32.self)
                }
            case 8:
                for i in 0..<count {
                    let v = raw.loadUnaligned(fromByteOffset: 8 &* i, as: UInt64.self)
                    raw.storeBytes(of: v.byteSwapped, toByteOffset: 8 &* i, as: UInt64.self)
                }
            default:
                for i in 0..<count {
                    var lo = i &* elementSize, hi = lo &+ elementSize &- 1
                    while lo < hi { raw.swapAt(lo, hi); lo += 1; hi -= 1 }
                }
            }
        }
    }
}
