import Foundation

/// ISO 8601 timestamps as the WorkOS cache stores them (`2026-01-21T19:24:00.000Z`).
///
/// Formatting and parsing go through `timegm`/`gmtime_r` rather than `ISO8601DateFormatter`:
/// the demo generator and the sync engine format hundreds of thousands of them.
public enum Timestamp {
    /// `2026-01-21T19:24:00.000Z`, the form JavaScript's `toISOString` writes.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = Int(floor(seconds))
        var millis = Int(((seconds - floor(seconds)) * 1000).rounded())
        if millis >= 1000 { whole += 1; millis -= 1000 }
        let day = LocalDay(ordinal: Int(floor(Double(whole) / 86400)))
        let secondOfDay = whole - day.ordinal * 86400
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at index: Int, digits: Int) {
            var v = value
            for i in stride(from: index + digits - 1, through: index, by: -1) {
                bytes[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(day.year, at: 0, digits: 4); bytes[4] = 45
        put(day.month, at: 5, digits: 2); bytes[7] = 45
        put(day.day, at: 8, digits: 2); bytes[10] = 84
        put(secondOfDay / 3600, at: 11, digits: 2); bytes[13] = 58
        put(secondOfDay % 3600 / 60, at: 14, digits: 2); bytes[16] = 58
        put(secondOfDay % 60, at: 17, digits: 2); bytes[19] = 46
        put(millis, at: 20, digits: 3); bytes[23] = 90
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `text` is in `format`'s form (`2026-01-21T19:24:00.000Z`, 24 characters): such
    /// texts order as the times they name, so a range of them needs no parsing.
    public static func isCanonical(_ text: String) -> Bool {
        var index = 0
        for byte in text.utf8 {
            switch index {
            case 4, 7: guard byte == 45 else { return false }
            case 10: guard byte == 84 else { return false }
            case 13, 16: guard byte == 58 else { return false }
            case 19: guard byte == 46 else { return false }
            case 23: guard byte == 90 else { return false }
            case 24: return false
            default: guard byte >= 48, byte <= 57 else { return false }
            }
            index += 1
        }
        return index == 24
    }

    /// Parses the forms other writers use: `2026-01-21T19:24:00Z`, `…00.123Z`, `…00+02:00`,
    /// `2026-01-21 19:24:00` (SQLite's `datetime()`, taken as UTC) and a bare `2026-01-21`.
    /// Returns nil for anything else; callers show such values as unknown rather than failing.
    public static func parse(_ text: String?) -> Date? {
        guard let text else { return nil }
        let bytes = Array(text.utf8)
        guard bytes.count >= 10 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
              let day = number(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = 0
        var index = 10
        if bytes.count > 10 {
            guard bytes[10] == 84 || bytes[10] == 32 || bytes[10] == 116,  // T, space, t
                  let h = number(11, 2), bytes.count > 13, bytes[13] == 58, let m = number(14, 2)
            else { return nil }
            hour = h; minute = m
            index = 16
            if index < bytes.count, bytes[index] == 58 {
                guard let s = number(17, 2) else { return nil }
                second = s
                index = 19
            }
            if index < bytes.count, bytes[index] == 46 || bytes[index] == 44 {
                index += 1
                var scale = 0.1
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    fraction += Double(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
            if index < bytes.count {
                switch bytes[index] {
                case 90, 122:  // Z
                    index += 1
                case 43, 45:  // + -
                    let sign = bytes[index] == 43 ? 1 : -1
                    guard let oh = number(index + 1, 2) else { return nil }
                    var om = 0
                    if let m = number(index + 4, 2), bytes.count > index + 3, bytes[index + 3] == 58 {
                        om = m; index += 6
                    } else if let m = number(index + 3, 2) {
                        om = m; index += 5
                    } else {
                        index += 3
                    }
                    offset = sign * (oh * 3600 + om * 60)
                default:
                    return nil
                }
            }
            guard index == bytes.count, hour < 24, minute < 60, second < 61 else { return nil }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: Double(epoch - offset) + fraction)
    }
}

/// A calendar date in the user's time zone, `YYYY-MM-DD` as the daily goals store it.
public struct LocalDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The local date of `date` in `timeZone` (arithmetic on the zone's offset at that instant).
    public init(_ date: Date, in timeZone: TimeZone = .current) {
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        self.init(ordinal: Int(floor(local / 86400)))
    }

    /// The local date of the UTC timestamp `text` (as `Timestamp.parse` reads it) by `finder`.
    public init?(timestamp text: String, _ finder: LocalDayFinder) {
        guard let date = Timestamp.parse(text) else { return nil }
        self = finder.day(of: date)
    }

    /// Parses `YYYY-MM-DD` (and ignores a time part after it); nil when malformed.
    public init?(_ text: String?) {
        guard let text else { return nil }
        // Read in one pass over the bytes, without a copy: a frame parses years of goal dates.
        var y = 0, m = 0, d = 0, index = 0
        for byte in text.utf8 {
            if index == 4 || index == 7 {
                guard byte == 45 else { return nil }
            } else {
                guard byte >= 48, byte <= 57 else { return nil }
                let digit = Int(byte - 48)
                switch index {
                case 0...3: y = y * 10 + digit
                case 5, 6: m = m * 10 + digit
                default: d = d * 10 + digit
                }
            }
            index += 1
            if index == 10 { break }
        }
        guard index == 10, (1...12).contains(m), (1...31).contains(d) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        var bytes = [UInt8](repeating: 45, count: 10)
        func put(_ value: Int, at index: Int, digits: Int) {
            var v = max(0, value)
            for i in stride(from: index + digits - 1, through: index, by: -1) {
                bytes[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(year, at: 0, digits: 4)
        put(month, at: 5, digits: 2)
        put(day, at: 8, digits: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func < (lhs: LocalDay, rhs: LocalDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (time-zone free arithmetic).
    public var ordinal: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(ordinal: Int) {
        let z = ordinal + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    public func adding(days: Int) -> LocalDay { LocalDay(ordinal: ordinal + days) }

    /// Monday = 0 … Sunday = 6.
    public var weekdayFromMonday: Int {
        // 1970-01-01 was a Thursday (3 from Monday).
        ((ordinal % 7) + 7 + 3) % 7
    }

    /// The Monday that starts this day's ISO week.
    public var startOfWeek: LocalDay { adding(days: -weekdayFromMonday) }

    /// The instant local midnight starts this day in `timeZone`.
    public func start(in timeZone: TimeZone) -> Date {
        let utcMidnight = Date(timeIntervalSince1970: Double(ordinal) * 86400)
        // The offset at midnight can differ from the offset a few hours earlier (DST); settle it.
        var guess = utcMidnight.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: utcMidnight)))
        guess = utcMidnight.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: guess)))
        return guess
    }
}

/// The local days of many instants in one zone, as `LocalDay(_:in:)` gives them: the zone's
/// offset is looked up once per stretch between its transitions over a window instead of once
/// per instant (a lookup walks the zone's rules; a habit grid asks for hundreds of days).
///
/// A stretch is kept only when the offset at its last second is the offset at its start, so a
/// change of offset the zone does not report as a transition falls back to the lookup per
/// instant; so does any instant outside the window.
public struct LocalDayFinder: Sendable {
    private struct Stretch: Sendable {
        var start: Double
        var end: Double
        var offset: Double
    }

    public let timeZone: TimeZone
    private var stretches: [Stretch] = []

    public init(timeZone: TimeZone, from start: Date, through end: Date) {
        self.timeZone = timeZone
        var from = start
        // A zone changes its offset a few times a year: a window of weeks has a stretch or three.
        while from < end, stretches.count < 16 {
            let next = timeZone.nextDaylightSavingTimeTransition(after: from) ?? .distantFuture
            let until = min(next, end)
            // A zone that names no later transition ends the stretches (the rest by look-up).
            guard until > from else { break }
            let offset = timeZone.secondsFromGMT(for: from)
            let last = Date(timeIntervalSince1970: until.timeIntervalSince1970.rounded(.up) - 1)
            if last >= from, timeZone.secondsFromGMT(for: last) == offset {
                stretches.append(Stretch(start: from.timeIntervalSince1970, end: until.timeIntervalSince1970, offset: Double(offset)))
            }
            from = until
        }
    }

    public func day(of date: Date) -> LocalDay {
        let t = date.timeIntervalSince1970
        for stretch in stretches where stretch.start <= t && t < stretch.end {
            return LocalDay(ordinal: Int(floor((t + stretch.offset) / 86400)))
        }
        return LocalDay(date, in: timeZone)
    }
}
