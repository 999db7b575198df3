import Foundation
import TallyCore

/// Small text formats the views share; all locale-independent so screens are the same everywhere.
enum Format {
    /// `6,000`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// `97%`, or `—` when there is no rate.
    static func percent(_ rate: Double?) -> String {
        guard let rate, rate.isFinite else { return "—" }
        return "\(Int((rate * 100).rounded(.down)))%"
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    struct Parts {
        var year, month, day, weekday, hour, minute, second: Int
    }

    /// Arithmetic on the zone's offset at that instant, as `LocalDay` counts days: a `Calendar`
    /// built for each clock in the header was a tenth of a `tally render`'s drawing.
    static func parts(_ date: Date, in timeZone: TimeZone) -> Parts {
        let local = Int(floor(date.timeIntervalSince1970)) + timeZone.secondsFromGMT(for: date)
        let ordinal = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let seconds = local - ordinal * 86400
        let day = LocalDay(ordinal: ordinal)
        return Parts(year: day.year, month: day.month, day: day.day, weekday: (day.weekdayFromMonday + 1) % 7 + 1,
                     hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60)
    }

    /// `24 Jan`: the one way a day is written on every screen (the header adds the weekday
    /// and year, a time adds the clock).
    static func dayMonth(_ day: LocalDay) -> String {
        "\(day.day) \(months[(day.month - 1) % 12])"
    }

    /// `Sat 24 Jan 2026`.
    static func longDate(_ date: Date, in timeZone: TimeZone) -> String {
        let p = parts(date, in: timeZone)
        return "\(weekdays[(p.weekday - 1) % 7]) \(p.day) \(months[(p.month - 1) % 12]) \(p.year)"
    }

    /// `14:05`.
    static func clock(_ date: Date, in timeZone: TimeZone) -> String {
        let p = parts(date, in: timeZone)
        return hourMinute(p)
    }

    static func hourMinute(_ p: Parts) -> String { "\(twoDigits(p.hour)):\(twoDigits(p.minute))" }

    // `String(format:)` is not used on the way to a frame: each kind of argument it is given
    // costs the Swift runtime a scan of every protocol conformance in the binary, two per type,
    // on its first use in a process (docs/ARCHITECTURE.md, "Start-up").

    /// `05`: `%02d`.
    static func twoDigits(_ value: Int) -> String {
        (0..<10).contains(value) ? "0\(value)" : "\(value)"
    }

    /// `2.4`: `%.1f`, as printf rounds (`DecimalText`).
    static func tenths(_ value: Double) -> String { DecimalText.fixed(value, places: 1) }

    /// `14:05` today, `23 Jan 14:05` on another day.
    static func shortTime(_ date: Date, now: Date, in timeZone: TimeZone) -> String {
        let p = parts(date, in: timeZone)
        let n = parts(now, in: timeZone)
        let time = hourMinute(p)
        if p.year == n.year, p.month == n.month, p.day == n.day { return time }
        return "\(p.day) \(months[(p.month - 1) % 12]) \(time)"
    }

    /// `14:05` today, `23 Jan` on another day: fits six columns.
    static func compactTime(_ date: Date, now: Date, in timeZone: TimeZone) -> String {
        let p = parts(date, in: timeZone)
        let n = parts(now, in: timeZone)
        if p.year == n.year, p.month == n.month, p.day == n.day { return hourMinute(p) }
        return "\(p.day) \(months[(p.month - 1) % 12])"
    }

    /// `24 Jan 2026 14:05:09` in the given zone.
    static func fullTime(_ date: Date, in timeZone: TimeZone) -> String {
        let p = parts(date, in: timeZone)
        return "\(p.day) \(months[(p.month - 1) % 12]) \(p.year) " + hourMinute(p) + ":" + twoDigits(p.second)
    }

    /// A stored timestamp as a person reads it: `24 Jan 2026 14:05:09 (3m ago)`; unparseable
    /// text is shown as written (sanitized), a missing one as `—`.
    static func timestamp(_ text: String?, now: Date, in timeZone: TimeZone) -> String {
        guard let text, !text.isEmpty else { return "—" }
        guard let date = Timestamp.parse(text) else { return TextSafety.sanitize(text) }
        return "\(fullTime(date, in: timeZone)) (\(RelativeTime.ago(date, now: now)))"
    }

    /// `2.4s`, `3m 12s`, `1h 05m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "—" }
        if seconds < 10 { return tenths(seconds) + "s" }
        let whole = Int(seconds)
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m \(twoDigits(whole % 60))s" }
        return "\(whole / 3600)h \(twoDigits((whole % 3600) / 60))m"
    }

    /// Data from the cache as safe one-line text.
    @inline(__always)
    static func clean(_ text: String?) -> String {
        guard let text else { return "" }
        return TextSafety.sanitize(text)
    }
}
