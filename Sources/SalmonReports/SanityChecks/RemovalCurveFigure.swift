import Foundation
import SalmonAudit

/// Deletion and insertion curves of the trained model (``FeatureRemovalCurve``) side by side, as a
/// self-contained 820 × 350 SVG: per method, the target-class probability as features are removed
/// (inserted) in the order of each trained network's own map (solid, averaged over the trained
/// networks) and of fully randomized models' maps (dotted, averaged over
/// ``SanityCheckResult/curveNullModels`` null models), with a uniformly random order (dashed grey)
/// for reference. Descriptive: the tests are the audit's deletion and insertion AUCs.
public enum RemovalCurveFigure {
    static let width = 820.0
    static let height = 350.0
    static let panelWidth = 250.0
    static let plotTop = 70.0
    static let plotBottom = 296.0

    public static func svg(_ result: SanityCheckResult) -> String {
        let methods = result.configuration.methods
        let title = "Faithfulness of the trained model's maps: deletion and insertion curves"
        let subtitle = "solid: the trained networks' own map orders; dotted: fully randomized models' map orders (mean of \(result.curveNullModels)); dashed grey: random order"
        var svg = SVGCanvas.header(width: width, height: height, title: title + "; " + subtitle)
        svg += StageCurveFigure.text(8, 18, title, size: 13, attributes: "font-weight=\"bold\" fill=\"#24292f\"")
        svg += StageCurveFigure.text(8, 35, subtitle, size: 9, attributes: "fill=\"#424a53\"")
        for (p, kind) in FeatureRemovalCurve.Kind.allCases.enumerated() {
            let left = 50 + Double(p) * (panelWidth + 50), right = left + panelWidth
            func x(_ fraction: Double) -> Double { left + fraction * (right - left) }
            func y(_ value: Double) -> Double { plotBottom - value * (plotBottom - plotTop) }
            svg += "<g stroke=\"#d0d7de\" stroke-width=\"0.5\">\n"
            for k in 0...5 {
                let v = Double(k) / 5
                svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(right))\" y2=\"\(f(y(v)))\"/>\n"
            }
            svg += "</g>\n"
            svg += "<g stroke=\"#424a53\" stroke-width=\"1\">\n"
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(plotBottom))\" x2=\"\(f(right))\" y2=\"\(f(plotBottom))\"/>\n"
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(plotTop))\" x2=\"\(f(left))\" y2=\"\(f(plotBottom))\"/>\n"
            svg += "</g>\n"
            for k in 0...5 {
                let v = Double(k) / 5
                svg += StageCurveFigure.text(left - 5, y(v) + 3, ReportNumberFormat.fixed(v, decimals: 1), size: 9,
                                             attributes: "text-anchor=\"end\" fill=\"#424a53\"")
                svg += StageCurveFigure.text(x(v), plotBottom + 13, ReportNumberFormat.fixed(v, decimals: 1), size: 9,
                                             attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
            }
            svg += StageCurveFigure.text((left + right) / 2, plotTop - 6, kind.rawValue, size: 11,
                                         attributes: "text-anchor=\"middle\" font-weight=\"bold\" fill=\"#24292f\"")
            svg += StageCurveFigure.text((left + right) / 2, plotBottom + 28,
                                         "fraction of pixels \(kind == .deletion ? "removed" : "inserted") (by attribution, largest first)",
                                         size: 9, attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
            if p == 0 {
                svg += StageCurveFigure.text(14, (plotTop + plotBottom) / 2, "probability of the digit's class", size: 10,
                                             attributes: "text-anchor=\"middle\" fill=\"#424a53\" transform=\"rotate(-90 14 \(f((plotTop + plotBottom) / 2)))\"")
            }
            func polyline(_ curve: [Double], _ style: String) -> String {
                guard curve.count >= 2 else { return "" }
                let steps = Double(curve.count - 1)
                let points = curve.enumerated().map { "\(f(x(Double($0.offset) / steps))),\(f(y($0.element)))" }
                return "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" \(style)/>\n"
            }
            let curves = result.curves.filter { $0.kind == kind }
            if let first = curves.first {
                svg += polyline(first.randomOrder, "stroke=\"#8c959f\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"")
            }
            for curve in curves {
                let color = StageCurveFigure.palette[(methods.firstIndex(of: curve.method) ?? 0) % StageCurveFigure.palette.count]
                svg += polyline(curve.randomized, "stroke=\"\(color)\" stroke-width=\"1.2\" stroke-dasharray=\"1.5 2\"")
                svg += polyline(curve.trained, "stroke=\"\(color)\" stroke-width=\"1.6\"")
            }
        }
        for (m, method) in methods.enumerated() {
            let top = plotTop + 8 + Double(m) * 18, left = 50 + 2 * (panelWidth + 50) - 10
            let color = StageCurveFigure.palette[m % StageCurveFigure.palette.count]
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left + 22))\" y2=\"\(f(top))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            svg += StageCurveFigure.text(left + 28, top + 4, StageCurveFigure.displayName(method), size: 11, attributes: "fill=\"#24292f\"")
        }
        svg += SVGCanvas.close
        return svg
    }

    static func f(_ value: Double) -> String { SVGCanvas.f(value) }
}
