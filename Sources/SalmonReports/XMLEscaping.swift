/// Escaping text for XML 1.0 documents (the SVG figures and the JUnit report).
enum XMLEscaping {
    /// `text` safe inside element content and inside double- or single-quoted attributes: the five
    /// predefined entities (`& < > " '`) are escaped, and characters XML 1.0 forbids even as
    /// references (C0 controls other than tab, line feed and carriage return; U+FFFE, U+FFFF)
    /// become U+FFFD.
    /// - Parameter attribute: also writes tab, line feed and carriage return as character
    ///   references, which attribute-value normalization would otherwise turn into spaces.
    static func escape(_ text: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r":
                if attribute { out += "&#\(scalar.value);" } else { out.unicodeScalars.append(scalar) }
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
