import Foundation

/// Reading the values `JSONSerialization` returns (`[String: Any]`, `[Any]`, `String`,
/// `NSNumber`, `NSNull`) strictly, and describing them in messages.
///
/// `JSONSerialization` turns `2` into an integer `NSNumber`, `2.0` and `2e0` into a `Double`,
/// integers beyond 64 bits and long decimals into `NSDecimalNumber`, and `true` into a boolean
/// `NSNumber` (Objective-C type `c`), which would otherwise also read as the integer 1. Like
/// serde_json in the safetensors reference implementation, only integer literals count as
/// integers.
public enum JSONValue {
    /// A value read as a non-negative integer, or the text that says what was found instead.
    public enum NonNegativeInteger: Sendable {
        case value(Int)
        case invalid(found: String)
    }

    /// `value` as a non-negative `Int` when it is an integer literal in range.
    public static func nonNegativeInteger(_ value: Any) -> NonNegativeInteger {
        guard let number = value as? NSNumber, !(value is String) else { return .invalid(found: describe(value)) }
        if number is NSDecimalNumber { return .invalid(found: "\(number) (not an integer below 2^63)") }
        let type = String(cString: number.objCType)
        switch type {
        case "c", "B":
            return .invalid(found: number.boolValue ? "true" : "false")
        case "d", "f":
            return .invalid(found: "\(number.doubleValue) (a floating-point number)")
        case "Q", "L", "I", "S", "C":
            let unsigned = number.uint64Value
            guard unsigned <= UInt64(Int.max) else { return .invalid(found: "\(unsigned) (not an integer below 2^63)") }
            return .value(Int(unsigned))
        default:
            let signed = number.int64Value
            guard signed >= 0 else { return .invalid(found: "\(signed)") }
            return .value(Int(signed))
        }
    }

    /// `value` as a `Bool` when it is the literal `true` or `false` (not the numbers 1 and 0).
    public static func boolean(_ value: Any) -> Bool? {
        guard let number = value as? NSNumber, !(value is String), !(number is NSDecimalNumber) else { return nil }
        let type = String(cString: number.objCType)
        return type == "c" || type == "B" ? number.boolValue : nil
    }

    /// A short description of a JSON value for a message: `"text"`, `2.5`, `true`, `null`,
    /// `an array of 3 elements`, `an object`.
    public static func describe(_ value: Any) -> String {
        switch value {
        case let string as String:
            return "the string \(InputError.quoted(string))"
        case is NSNull:
            return "null"
        case let array as [Any]:
            return "an array of \(array.count) element\(array.count == 1 ? "" : "s")"
        case is [String: Any]:
            return "an object"
        case let number as NSNumber:
            if number is NSDecimalNumber { return "the number \(number)" }
            switch String(cString: number.objCType) {
            case "c", "B": return number.boolValue ? "true" : "false"
            case "d", "f": return "the number \(number.doubleValue)"
            default: return "the number \(number)"
            }
        default:
            return "a value of an unexpected kind"
        }
    }
}
