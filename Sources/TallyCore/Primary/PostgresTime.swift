/// PostgreSQL's binary timestamps and dates written out as the cache stores them, the text
/// `to_char(value, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` (or `'YYYY-MM-DD'` for a date) gives.
///
/// A sync reads its rows' times in PostgreSQL's binary form and writes them out here:
/// `to_char` on a task's five timestamps was most of the server's time for a full sync's reads
/// (docs/ARCHITECTURE.md, "Sync jobs"). The rules are `to_char`'s own, so the cache holds the
/// same text as before:
///
/// - a `timestamp` is microseconds from 2000-01-01 00:00 as written (Tally reads a `timestamp`
///   column as UTC wall-clock time), a `timestamptz` microseconds from 2000-01-01 00:00 UTC,
///   which is what `AT TIME ZONE 'UTC'` gives; a `date` is days from 2000-01-01;
/// - the milliseconds are the microseconds cut, not rounded (`MS`);
/// - a year before 1 is written as its year BC (`YYYY` of 45 BC is `0045`), one after 9999
///   with all its digits;
/// - `infinity` and `-infinity` have no text: NULL.
enum PostgresTime {
    /// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
    static let epochDays: Int64 = 10_957

    /// `2026-01-21T19:24:00.000Z` for a binary `timestamp`/`timestamptz` value; nil for infinity.
    static func timestamp(microseconds: Int64) -> String? {
        guard microseconds != .max, microseconds != .min else { return nil }
        let (seconds, fraction) = floorDivision(microseconds, 1_000_000)
        let (days, second) = floorDivision(seconds, 86_400)
        let civil = CivilDay(days + epochDays)
        return String(unsafeUninitializedCapacity: civil.yearDigits + 20) { text in
            var at = civil.write(into: text)
            text[at] = 84  // T
            put(second / 3600, digits: 2, into: text, at: at + 1)
            text[at + 3] = 58
            put(second % 3600 / 60, digits: 2, into: text, at: at + 4)
            text[at + 6] = 58
            put(second % 60, digits: 2, into: text, at: at + 7)
            text[at + 9] = 46
            put(fraction / 1000, digits: 3, into: text, at: at + 10)
            text[at + 13] = 90  // Z
            at += 14
            return at
        }
    }

    /// `2026-01-21` for a binary `date` value; nil for infinity.
    static func date(days: Int32) -> String? {
        guard days != .max, days != .min else { return nil }
        let civil = CivilDay(Int64(days) + epochDays)
        return String(unsafeUninitializedCapacity: civil.yearDigits + 6) { civil.write(into: $0) }
    }

    /// The civil date of a day counted from 1970-01-01 in the proleptic Gregorian calendar
    /// (`LocalDay`), year 0 being 1 BC.
    private struct CivilDay {
        let year: Int64, month: Int64, day: Int64

        init(_ ordinal: Int64) {
            let civil = LocalDay(ordinal: Int(ordinal))
            (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        }

        /// The year as `to_char` writes it: a year BC as a positive number (1 BC is `0001`).
        var shownYear: Int64 { year <= 0 ? 1 - year : year }

        var yearDigits: Int {
            var digits = 4, rest = shownYear / 10_000
            while rest > 0 { digits += 1; rest /= 10 }
            return digits
        }

        /// Writes `YYYY-MM-DD` at the start of `text`; returns how many bytes it wrote.
        func write(into text: UnsafeMutableBufferPointer<UInt8>) -> Int {
            let digits = yearDigits
            put(shownYear, digits: digits, into: text, at: 0)
            text[digits] = 45
            put(month, digits: 2, into: text, at: digits + 1)
            text[digits + 3] = 45
            put(day, digits: 2, into: text, at: digits + 4)
            return digits + 6
        }
    }

    /// Writes `value` (not negative, at most `digits` long) zero-padded to `digits` at `at`.
    private static func put(_ value: Int64, digits: Int, into text: UnsafeMutableBufferPointer<UInt8>, at: Int) {
        var rest = value
        for index in stride(from: at + digits - 1, through: at, by: -1) {
            text[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
        }
    }

    /// Quotient and remainder rounded toward negative infinity (the remainder is never negative).
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor, remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
