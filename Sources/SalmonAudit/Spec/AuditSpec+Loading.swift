import Foundation
import SalmonIO
import Yams

extension AuditSpec: YAMLSpecification {}

extension SpecError {
    init(decoding error: DecodingError, file: String) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(file: file, field: SpecError.path(context.codingPath), "expected \(SpecError.describe(type)); \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            self.init(file: file, field: SpecError.path(context.codingPath), "expected \(SpecError.describe(type)), found nothing")
        case .keyNotFound(let key, let context):
            self.init(file: file, field: SpecError.path(context.codingPath + [key]), "required field is missing")
        case .dataCorrupted(let context):
            self.init(file: file, field: SpecError.path(context.codingPath), context.debugDescription)
        @unknown default:
            self.init(file: file, field: "", "\(error)")
        }
    }

    /// A ``SpecError`` thrown inside a section's decoder and wrapped by the YAML decoder.
    static func underlying(_ error: any Error) -> SpecError? {
        if let e = error as? SpecError { return e }
        guard let decoding = error as? DecodingError else { return nil }
        switch decoding {
        case .dataCorrupted(let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c):
            return c.underlyingError.flatMap { underlying($0) }
        @unknown default:
            return nil
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            // Yams reports a list it wanted as `Sequence` or `UnkeyedDecodingContainer`, our arrays as `Array<…>`.
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.contains("Sequence") || name.contains("Unkeyed") { return "a list" }
            return name.contains("Dictionary") || name.contains("Keyed") ? "a mapping" : "a mapping (\(name))"
        }
    }
}

/// FNV-1a, 64-bit (Fowler, Noll, Vo; IETF draft-eastlake-fnv): a fast non-cryptographic hash used
/// to identify specs and data in provenance — it detects change, it does not resist tampering.
public enum FNV1a {
    public static func hash(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String { hex(hash(bytes)) }

    /// A hash as 16 lowercase hex digits.
    static func hex(_ h: UInt64) -> String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The hash of Float32 scalars' bit patterns (little-endian), for data provenance.
    public static func hex(floats: [Float]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for f in floats {
            var bits = f.bitPattern
            for _ in 0..<4 {
                h ^= UInt64(bits & 0xff)
                h = h &* 0x0000_0100_0000_01b3
                bits >>= 8
            }
        }
        return hex(h)
    }
}
