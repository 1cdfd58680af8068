/// The one canvas report figures are drawn on: a self-contained SVG document with a fixed header
/// (size, view box, the report font, `role="img"`, an accessible `<title>`, a white background),
/// and the primitives every figure writes with — text at a point, coordinates with two fixed
/// decimals — so that figures are byte-for-byte deterministic and look alike.
///
/// Used by every figure: ``NullFigure``, the sanity-check figures, the identifiability audit's
/// figures and the identifiability study's two.
enum SVGCanvas {
    /// The opening of a `width × height` document titled `title` (escaped), white background
    /// included; the figure appends its elements and ``close`` ends it.
    static func header(width: Double, height: Double, title: String) -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\">\n"
        svg += "<title>\(XMLEscaping.escape(title))</title>\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
        return svg
    }

    /// The end of a document.
    static let close = "</svg>\n"

    /// `content` (escaped) at (x, y) in `size`-point type with further `attributes`.
    static func text(_ x: Double, _ y: Double, _ content: String, size: Int, attributes: String) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" \(attributes)>\(XMLEscaping.escape(content))</text>\n"
    }

    /// A coordinate with two fixed decimals.
    static func f(_ value: Double) -> String { ReportNumberFormat.fixed(value, decimals: 2) }
}
