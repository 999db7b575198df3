import Crypto
import GRDB
import GRDBSQLite

/// How a synced column's value is written in the text that the cache and the primary both hash
/// (docs/ARCHITECTURE.md, "Verification").
///
/// The canonical text is the cache's representation with the differences that mean nothing taken
/// out: a timestamp to the millisecond in UTC (`…00Z` and `…00.000Z` agree), JSON as PostgreSQL's
/// `jsonb` prints it (key order and spaces agree), a whole real as an integer.
public enum CanonicalKind: Sendable, Equatable {
    case integer, text, timestamp, date, json
}

/// A row's hash: the first eight bytes of the MD5 of its canonical text, read as a signed 64-bit
/// integer (PostgreSQL: `('x' || substr(md5(…), 1, 16))::bit(64)::bigint`).
public struct RowHash: Hashable, Sendable {
    public var value: Int64

    public init(_ value: Int64) {
        self.value = value
    }
}

/// The count of rows and the exact sum of their hashes over one range of ids: equal on both
/// sides means the range holds the same rows. A sum needs no order, so each side adds up as it
/// reads, and PostgreSQL in parallel; it is one aggregate over one expression, so the hash is
/// made once a row (`numeric` there, 128 bits here: no overflow).
public struct RangeDigest: Hashable, Sendable {
    public var count: Int64
    public var sum: Int128

    public init(count: Int64 = 0, sum: Int128 = 0) {
        self.count = count
        self.sum = sum
    }

    public mutating func add(_ hash: RowHash) {
        count += 1
        sum += Int128(hash.value)
    }
}

/// Builds a row's canonical text and hashes it.
///
/// The columns' texts in the table's column order, separated by U+001F (unit separator); a NULL
/// is U+001E (record separator) alone. PostgreSQL builds the same text in SQL with `concat_ws`
/// (`PostgresPrimary+Digests.swift`). A NULL where the cache keeps its default (a NOT NULL
/// column) is hashed as that default, since that is what a sync stores. (Text holding those two
/// control characters could in principle make two different rows read alike; a length before
/// each column would rule that out, at twice PostgreSQL's cost per row.)
struct RowHasher: ~Copyable {
    let kinds: [CanonicalKind]
    /// Per column: the canonical text stored instead of a NULL, when the cache fills one in.
    let nullDefaults: [[UInt8]?]
    /// The row's text, in memory of its own: an array's appends cost a third of the cache's
    /// side of a digest (uniqueness checks, generic copies).
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity = 1024
    private var count = 0
    private var column = 0

    static let separator: UInt8 = 0x1F
    static let null: UInt8 = 0x1E

    init(kinds: [CanonicalKind], nullDefaults: [String?]) {
        self.kinds = kinds
        self.nullDefaults = (0..<kinds.count).map { index in
            index < nullDefaults.count ? nullDefaults[index].map { Array($0.utf8) } : nil
        }
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    mutating func hash(_ values: [DatabaseValue]) -> RowHash {
        begin()
        for value in values { append(value) }
        return finish()
    }

    /// The hash of the row SQLite passes to the registered function.
    mutating func hash(count arguments: Int32, values: UnsafeMutablePointer<OpaquePointer?>) -> Int64 {
        begin()
        for index in 0..<Int(arguments) {
            let value = values[index]
            switch sqlite3_value_type(value) {
            case SQLITE_NULL:
                appendNull()
            case SQLITE_INTEGER:
                appendInteger(sqlite3_value_int64(value))
            case SQLITE_FLOAT:
                appendDouble(sqlite3_value_double(value))
            case SQLITE_BLOB:
                let length = Int(sqlite3_value_bytes(value))
                let bytes = sqlite3_value_blob(value)?.assumingMemoryBound(to: UInt8.self)
                appendText(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : length))
            default:
                let bytes = sqlite3_value_text(value)
                let length = Int(sqlite3_value_bytes(value))
                appendText(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : length))
            }
        }
        return finish().value
    }

    mutating func begin() {
        count = 0
        column = 0
    }

    mutating func append(_ value: DatabaseValue) {
        switch value.storage {
        case .null: appendNull()
        case .int64(let number): appendInteger(number)
        case .double(let number): appendDouble(number)
        case .string(let string):
            var string = string
            string.withUTF8 { appendText($0) }
        case .blob(let data): data.withUnsafeBytes { appendText($0.bindMemory(to: UInt8.self)) }
        }
    }

    // MARK: The text

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let larger = max(capacity * 2, count + extra)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = larger
    }

    private mutating func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    private mutating func put(_ bytes: [UInt8]) {
        for byte in bytes { put(byte) }
    }

    /// The separator before every column but the first; returns the column's index.
    private mutating func next() -> Int {
        if column > 0 { put(Self.separator) }
        column += 1
        return column - 1
    }

    mutating func appendNull() {
        let index = next()
        if index < nullDefaults.count, let fallback = nullDefaults[index] {
            put(fallback)
        } else {
            put(Self.null)
        }
    }

    mutating func appendInteger(_ number: Int64) {
        _ = next()
        writeDigits(number)
    }

    private mutating func writeDigits(_ number: Int64) {
        reserve(20)
        if number < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = number.magnitude
        let start = count
        repeat {
            base[count] = UInt8(truncatingIfNeeded: 48 &+ magnitude % 10)
            magnitude /= 10
            count += 1
        } while magnitude > 0
        var low = start, high = count - 1
        while low < high {
            let byte = base[low]
            base[low] = base[high]
            base[high] = byte
            low += 1
            high -= 1
        }
    }

    mutating func appendDouble(_ number: Double) {
        if number.rounded() == number, abs(number) < 9.2e18 {
            appendInteger(Int64(number))
        } else {
            _ = next()
            put(Array(String(number).utf8))
        }
    }

    mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>) {
        let index = next()
        let kind = index < kinds.count ? kinds[index] : .text
        switch kind {
        case .timestamp:
            if let milliseconds = CanonicalTime.milliseconds(bytes) { return writeDigits(milliseconds) }
        case .json:
            if let canonical = CanonicalJSON.canonical(bytes) { return put(canonical) }
        case .integer, .text, .date:
            break
        }
        put(bytes)
    }

    mutating func finish() -> RowHash {
        // `update(bufferPointer:)`, not the generic `hash(data:)`: that looked up conformances
        // at run time for every row.
        var md5 = Insecure.MD5()
        md5.update(bufferPointer: UnsafeRawBufferPointer(start: base, count: count))
        let digest = md5.finalize()
        var bits: UInt64 = 0
        digest.withUnsafeBytes { bytes in
            for index in 0..<8 { bits = bits << 8 | UInt64(bytes[index]) }
        }
        return RowHash(Int64(bitPattern: bits))
    }

    /// The canonical text of one value (for a NOT NULL column's default), nil for NULL.
    static func canonicalText(_ value: DatabaseValue, kind: CanonicalKind) -> String? {
        guard !value.isNull else { return nil }
        var hasher = RowHasher(kinds: [kind], nullDefaults: [])
        hasher.begin()
        hasher.append(value)
        return String(decoding: UnsafeBufferPointer(start: hasher.base, count: hasher.count), as: UTF8.self)
    }
}

/// A timestamp's canonical text: milliseconds since 1970 in UTC, sub-milliseconds cut off, as
/// PostgreSQL gives them from `date_part('epoch', …)` (a third of `to_char`'s cost).
enum CanonicalTime {
    /// The milliseconds of `bytes`, or nil when they are not a timestamp this reads (then the
    /// text is hashed as it is). Reads `…T19:24:00.000Z` (what Tally and JavaScript's
    /// `toISOString` write), `…T19:24:00Z`, `….123456Z`, `…+02:00`, `… 19:24:00` (no zone: UTC)
    /// and a bare date.
    static func milliseconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        if let fast = canonicalForm(bytes) { return fast }
        let count = bytes.count
        func digits(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= count else { return nil }
            var value = 0
            for index in from..<(from + length) {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard count >= 10, let year = digits(0, 4), bytes[4] == 45, let month = digits(5, 2), bytes[7] == 45,
              let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0, offset = 0
        if count > 10 {
            guard bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32, let h = digits(11, 2), count > 13,
                  bytes[13] == 58, let m = digits(14, 2) else { return nil }
            hour = h
            minute = m
            var index = 16
            if index < count, bytes[index] == 58 {
                guard let s = digits(17, 2) else { return nil }
                second = s
                index = 19
            }
            if index < count, bytes[index] == 46 || bytes[index] == 44 {
                index += 1
                var place = 100
                let start = index
                while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                    millis += Int(bytes[index] - 48) * place
                    place /= 10
                    index += 1
                }
                guard index > start else { return nil }
            }
            if index < count {
                switch bytes[index] {
                case 90, 122:  // Z
                    index += 1
                case 43, 45:  // + -
                    let sign = bytes[index] == 43 ? 1 : -1
                    guard let oh = digits(index + 1, 2) else { return nil }
                    var om = 0
                    if index + 3 < count, bytes[index + 3] == 58, let m = digits(index + 4, 2) {
                        om = m
                        index += 6
                    } else if let m = digits(index + 3, 2) {
                        om = m
                        index += 5
                    } else {
                        index += 3
                    }
                    offset = sign * (oh * 3600 + om * 60)
                default:
                    return nil
                }
            }
            guard index == count, hour < 24, minute < 60, second < 60 else { return nil }
        }
        let days = LocalDay(year: year, month: month, day: day).ordinal
        return Int64((days * 86400 + hour * 3600 + minute * 60 + second - offset) * 1000 + millis)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, nearly every value, read without the general parser.
    @inline(__always)
    static func canonicalForm(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count == 24, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 58, bytes[16] == 58,
              bytes[19] == 46, bytes[23] == 90 else { return nil }
        var bad = false
        @inline(__always) func digit(_ index: Int) -> Int {
            let value = Int(bytes[index]) - 48
            if value < 0 || value > 9 { bad = true }
            return value
        }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let month = digit(5) * 10 + digit(6)
        let day = digit(8) * 10 + digit(9)
        let hour = digit(11) * 10 + digit(12)
        let minute = digit(14) * 10 + digit(15)
        let second = digit(17) * 10 + digit(18)
        let millis = digit(20) * 100 + digit(21) * 10 + digit(22)
        guard !bad, year >= 1, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        // Howard Hinnant's days_from_civil, as `LocalDay.ordinal`.
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yoe = y - era * 400
        let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468
        return Int64((days * 86400 + hour * 3600 + minute * 60 + second) * 1000 + millis)
    }
}
