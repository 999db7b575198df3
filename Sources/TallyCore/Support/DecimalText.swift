import Foundation

/// Numbers written with a fixed number of decimals, as printf's `%.Nf` writes them: to the
/// nearest of the exact value, a tie to the even last digit.
///
/// Not `String(format:)` on the way to a frame or a sync's report: every kind of argument it is
/// given costs the Swift runtime a scan of all the binary's protocol conformances, twice, on
/// its first use in a process (docs/ARCHITECTURE.md, "Start-up").
public enum DecimalText {
    /// `2.40` for `fixed(2.4, places: 2)`; `places` from 0 to 9.
    public static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
        let places = max(0, min(9, places))
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let magnitude = value.magnitude
        // Beyond 2^52 units the arithmetic below is no longer exact: printf itself, rarely.
        guard magnitude * Double(scale) < 4_503_599_627_370_496 else { return String(format: "%.\(places)f", value) }
        let below = (magnitude * Double(scale)).rounded(.down)
        // The exact product's distance from the half-way point, rounded once: its sign is exact.
        let past = (-(below + 0.5)).addingProduct(magnitude, Double(scale))
        let units = Int(past > 0 || (past == 0 && below.truncatingRemainder(dividingBy: 2) != 0) ? below + 1 : below)
        let sign = value.sign == .minus ? "-" : ""
        guard places > 0 else { return sign + String(units) }
        let fraction = String(units % scale)
        return sign + String(units / scale) + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}
