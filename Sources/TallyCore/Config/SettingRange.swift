import Foundation

/// The values every duration and count Tally takes may have, wherever it comes from (the
/// config file, a `TALLY_*` variable, a flag), and the one line that says why a value is refused.
///
/// Durations end up as a Dispatch timer's nanoseconds and as whole seconds on screen ("next
/// sync in …"), so an unbounded one (`1e300`) would overflow those conversions and stop the
/// process; a year is far more than any setting needs and far below what they hold.
public enum SettingRange {
    /// The longest duration any setting takes: a year, in seconds.
    public static let maxSeconds: Double = 31_536_000

    /// A duration setting: its name as the person typed it, the least value it may take
    /// (besides 0 where `zeroAllowed`), and whether 0 means "off".
    public struct Duration: Sendable {
        public var name: String
        public var least: Double
        public var zeroAllowed: Bool

        public init(_ name: String, least: Double = 0, zeroAllowed: Bool = false) {
            self.name = name
            self.least = least
            self.zeroAllowed = zeroAllowed
        }

        /// The same range under another name (`TALLY_REFRESH`, `--refresh`).
        public func named(_ other: String) -> Duration {
            Duration(other, least: least, zeroAllowed: zeroAllowed)
        }

        /// `value`, or the reason it is refused (one clause, no full stop).
        public func check(_ value: Double, shown: String? = nil) -> Result<Double, Refusal> {
            let shown = shown ?? Self.format(value)
            guard value.isFinite else { return .failure(Refusal("\(name) must be a number of seconds, got \(shown)")) }
            if value == 0, zeroAllowed { return .success(0) }
            guard value > 0 else {
                return .failure(Refusal("\(name) must be more than 0 seconds\(zeroAllowed ? " (or 0)" : ""), got \(shown)"))
            }
            guard value >= least else {
                return .failure(Refusal("\(name) must be at least \(Self.format(least)) seconds, got \(shown)"))
            }
            guard value <= SettingRange.maxSeconds else {
                return .failure(Refusal("\(name) must be at most \(Int(SettingRange.maxSeconds)) seconds (a year), got \(shown)"))
            }
            return .success(value)
        }

        /// Parses and checks `text` as typed.
        public func parse(_ text: String) -> Result<Double, Refusal> {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed), !trimmed.isEmpty else {
                return .failure(Refusal("\(name) must be a number of seconds, got \(SettingRange.quoted(text))"))
            }
            return check(value, shown: SettingRange.quoted(text, plain: true))
        }

        static func format(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
    }

    /// Why a value was refused: one clause naming the setting, its bounds and what was given.
    public struct Refusal: Error, Sendable, Equatable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    /// A whole number typed as `text` for `name`, within `range`; `unit` names what it counts.
    public static func count(_ text: String, name: String, in range: ClosedRange<Int>, unit: String? = nil) -> Result<Int, Refusal> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Int(trimmed) else {
            let digits = trimmed.hasPrefix("-") || trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
            if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) {
                return .failure(Refusal("\(name) is out of range: it must be from \(range.lowerBound) to \(range.upperBound), got \(quoted(text, plain: true))"))
            }
            return .failure(Refusal("\(name) must be a whole number\(unit.map { " of \($0)" } ?? ""), got \(quoted(text))"))
        }
        guard range.contains(value) else {
            return .failure(Refusal("\(name) must be from \(range.lowerBound) to \(range.upperBound), got \(value)"))
        }
        return .success(value)
    }

    /// What the person typed, shortened and cleaned for a one-line message; quoted unless it
    /// is a plain number (`plain`) and short.
    static func quoted(_ text: String, plain: Bool = false) -> String {
        let clean = TextSafety.sanitize(text)
        let short = clean.count > 40 ? String(clean.prefix(40)) + "…" : clean
        if plain, Double(text.trimmingCharacters(in: .whitespaces)) != nil || short.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" }) {
            return short
        }
        return short.debugDescription
    }

    // The settings, with their least values: a timer's interval has a floor so that a tiny one
    // cannot keep a core busy.
    public static let refresh = Duration("refresh", least: 0.1)
    public static let staleAfter = Duration("stale_after")
    public static let poll = Duration("poll", least: 0.01)
    public static let awayAfter = Duration("away_after")
    public static let awayRefresh = Duration("away_refresh", least: 0.1, zeroAllowed: true)
}
