/// JSON text as PostgreSQL's `jsonb` prints it, so that the cache's copy of a `subtasks` column
/// hashes the same whoever wrote it: Tally stores the primary's `jsonb::text`
/// (`[{"done": false, "title": "Outline"}]`), the WorkOS MCP server `JSON.stringify`'s
/// (`[{"title":"Outline","done":false}]`).
///
/// What `jsonb` does, and this repeats: object keys sorted by byte length, then bytes; a duplicate
/// key keeps its last value; `", "` between items and `": "` after a key; strings with only `"`,
/// `\`, `\b`, `\f`, `\n`, `\r`, `\t` and other control characters (`\u001f`) escaped, everything
/// else as UTF-8; numbers as `numeric` prints them (`1.50e1` is `15.0`, `-0` is `0`).
enum CanonicalJSON {
    /// The canonical text, or nil when `bytes` are not JSON that `jsonb` would accept (then the text
    /// is hashed as it is).
    static func canonical(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // The common cases: an empty list of subtasks, or text jsonb printed (what a sync
        // stores), checked in one pass without building anything.
        if bytes.count == 2, bytes[0] == 91, bytes[1] == 93 { return nil }
        var check = Check(bytes: bytes)
        if check.document() { return nil }
        var parser = Parser(bytes: bytes)
        guard let value = parser.document() else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        value.write(to: &out)
        return out.elementsEqual(bytes) ? nil : out
    }

    indirect enum Value {
        case object([(key: [UInt8], value: Value)])
        case array([Value])
        case string([UInt8])
        case number([UInt8])
        case literal([UInt8])

        func write(to out: inout [UInt8]) {
            switch self {
            case .object(let members):
                out.append(123)
                for (index, member) in members.enumerated() {
                    if index > 0 { out.append(contentsOf: [44, 32]) }
                    Self.writeString(member.key, to: &out)
                    out.append(contentsOf: [58, 32])
                    member.value.write(to: &out)
                }
                out.append(125)
            case .array(let items):
                out.append(91)
                for (index, item) in items.enumerated() {
                    if index > 0 { out.append(contentsOf: [44, 32]) }
                    item.write(to: &out)
                }
                out.append(93)
            case .string(let text):
                Self.writeString(text, to: &out)
            case .number(let text), .literal(let text):
                out.append(contentsOf: text)
            }
        }

        static func writeString(_ text: [UInt8], to out: inout [UInt8]) {
            let hex = Array("0123456789abcdef".utf8)
            out.append(34)
            for byte in text {
                switch byte {
                case 8: out.append(contentsOf: [92, 98])
                case 12: out.append(contentsOf: [92, 102])
                case 10: out.append(contentsOf: [92, 110])
                case 13: out.append(contentsOf: [92, 114])
                case 9: out.append(contentsOf: [92, 116])
                case 34: out.append(contentsOf: [92, 34])
                case 92: out.append(contentsOf: [92, 92])
                case 0..<32: out.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
                default: out.append(byte)
                }
            }
            out.append(34)
        }
    }

    /// Whether text is exactly as `jsonb` prints it, in one pass.
    struct Check {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document() -> Bool { value() && index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func value() -> Bool {
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case 123: return object()
            case 91: return array()
            case 34: return string()
            case 116: return word("true")
            case 102: return word("false")
            case 110: return word("null")
            default: return number()
            }
        }

        mutating func word(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
            index += count
            return true
        }

        mutating func object() -> Bool {
            depth += 1
            guard depth < 1000 else { return false }
            defer { depth -= 1 }
            index += 1
            if take(125) { return true }
            var previous: Range<Int>?
            while true {
                let start = index + 1
                guard string() else { return false }
                let key = start..<(index - 1)
                // Keys strictly in jsonb's order: by length, then bytes.
                if let previous {
                    guard previous.count < key.count
                            || (previous.count == key.count
                                && bytes[previous].lexicographicallyPrecedes(bytes[key])) else { return false }
                }
                previous = key
                guard take(58), take(32), value() else { return false }
                if take(125) { return true }
                guard take(44), take(32) else { return false }
            }
        }

        mutating func array() -> Bool {
            depth += 1
            guard depth < 1000 else { return false }
            defer { depth -= 1 }
            index += 1
            if take(93) { return true }
            while true {
                guard value() else { return false }
                if take(93) { return true }
                guard take(44), take(32) else { return false }
            }
        }

        /// Only the escapes jsonb writes: `\"`, `\\`, `\b \f \n \r \t`, `\u00xx` for the other
        /// control characters (lowercase hex).
        mutating func string() -> Bool {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 34:
                    return true
                case 0..<32:
                    return false
                case 92:
                    guard index < bytes.count else { return false }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case 34, 92, 98, 102, 110, 114, 116:
                        continue
                    case 117:
                        guard index + 4 <= bytes.count, bytes[index] == 48, bytes[index + 1] == 48,
                              bytes[index + 2] == 48 || bytes[index + 2] == 49 else { return false }
                        let low = bytes[index + 3]
                        guard (48...57).contains(low) || (97...102).contains(low) else { return false }
                        let code = Int(bytes[index + 2] - 48) * 16 + Int(low <= 57 ? low - 48 : low - 87)
                        guard ![8, 9, 10, 12, 13].contains(code) else { return false }
                        index += 4
                    default:
                        return false
                    }
                default:
                    continue
                }
            }
            return false
        }

        /// As `numeric` prints: no exponent, no `+`, no leading zeros, no sign on zero.
        mutating func number() -> Bool {
            let start = index
            let negative = take(45)
            let integer = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            guard index > integer, index - integer == 1 || bytes[integer] != 48 else { return false }
            if take(46) {
                let fraction = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                guard index > fraction else { return false }
            }
            if negative, !bytes[(start + 1)..<index].contains(where: { $0 >= 49 && $0 <= 57 }) { return false }
            return index == bytes.count || ![46, 101, 69].contains(bytes[index]) && !(bytes[index] >= 48 && bytes[index] <= 57)
        }
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document() -> Value? {
            guard let value = value() else { return nil }
            skipSpace()
            return index == bytes.count ? value : nil
        }

        mutating func skipSpace() {
            while index < bytes.count, [32, 9, 10, 13].contains(bytes[index]) { index += 1 }
        }

        mutating func value() -> Value? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case 123: return object()
            case 91: return array()
            case 34: return string().map(Value.string)
            case 116: return literal("true")
            case 102: return literal("false")
            case 110: return literal("null")
            default: return number()
            }
        }

        mutating func literal(_ word: String) -> Value? {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count,
                  bytes[index..<(index + expected.count)].elementsEqual(expected) else { return nil }
            index += expected.count
            return .literal(expected)
        }

        mutating func object() -> Value? {
            depth += 1
            guard depth < 1000 else { return nil }
            defer { depth -= 1 }
            index += 1
            var members: [(key: [UInt8], value: Value)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == 125 {
                index += 1
                return .object([])
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == 34, let key = string() else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == 58 else { return nil }
                index += 1
                guard let value = value() else { return nil }
                members.append((key, value))
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == 44 { index += 1; continue }
                guard bytes[index] == 125 else { return nil }
                index += 1
                break
            }
            // Sorted as jsonb keeps them; of equal keys the last one written stays.
            let ordered = members.enumerated().sorted { a, b in
                if a.element.key.count != b.element.key.count { return a.element.key.count < b.element.key.count }
                if a.element.key != b.element.key { return a.element.key.lexicographicallyPrecedes(b.element.key) }
                return a.offset < b.offset
            }.map(\.element)
            var unique: [(key: [UInt8], value: Value)] = []
            for member in ordered {
                if let last = unique.last, last.key == member.key { unique[unique.count - 1] = member } else { unique.append(member) }
            }
            return .object(unique)
        }

        mutating func array() -> Value? {
            depth += 1
            guard depth < 1000 else { return nil }
            defer { depth -= 1 }
            index += 1
            var items: [Value] = []
            skipSpace()
            if index < bytes.count, bytes[index] == 93 {
                index += 1
                return .array([])
            }
            while true {
                guard let item = value() else { return nil }
                items.append(item)
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == 44 { index += 1; continue }
                guard bytes[index] == 93 else { return nil }
                index += 1
                return .array(items)
            }
        }

        /// A string's bytes with its escapes decoded.
        mutating func string() -> [UInt8]? {
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 34:
                    return out
                case 0..<32:
                    return nil  // must be escaped
                case 92:
                    guard index < bytes.count else { return nil }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case 34, 92, 47: out.append(escaped)
                    case 98: out.append(8)
                    case 102: out.append(12)
                    case 110: out.append(10)
                    case 114: out.append(13)
                    case 116: out.append(9)
                    case 117:
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == 92, bytes[index + 1] == 117 else { return nil }
                            index += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(scalar) || scalar == 0 {
                            return nil  // jsonb refuses a lone low surrogate and \u0000
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        out.append(contentsOf: Array(String(Character(unicode)).utf8))
                    default:
                        return nil
                    }
                default:
                    out.append(byte)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 48...57: value = value << 4 | UInt32(byte - 48)
                case 65...70: value = value << 4 | UInt32(byte - 55)
                case 97...102: value = value << 4 | UInt32(byte - 87)
                default: return nil
                }
            }
            return value
        }

        /// A number as PostgreSQL's `numeric` prints it: the exponent applied, the scale kept
        /// (`1.50` stays `1.50`, `1.5e1` is `15`, `1e-2` is `0.01`), no sign on zero.
        mutating func number() -> Value? {
            var negative = false
            if index < bytes.count, bytes[index] == 45 { negative = true; index += 1 }
            var integer: [UInt8] = []
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { integer.append(bytes[index]); index += 1 }
            guard !integer.isEmpty, integer.count == 1 || integer[0] != 48 else { return nil }
            var fraction: [UInt8] = []
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { fraction.append(bytes[index]); index += 1 }
                guard !fraction.isEmpty else { return nil }
            }
            var exponent = 0
            if index < bytes.count, bytes[index] == 101 || bytes[index] == 69 {
                index += 1
                var sign = 1
                if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 { sign = bytes[index] == 45 ? -1 : 1; index += 1 }
                var digits = 0
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    exponent = min(100_000, exponent * 10 + Int(bytes[index] - 48))
                    index += 1
                    digits += 1
                }
                guard digits > 0 else { return nil }
                exponent *= sign
            }
            guard abs(exponent) <= 1000 else { return nil }
            let digits = integer + fraction
            let point = integer.count + exponent
            let scale = max(0, fraction.count - exponent)
            var whole: [UInt8]
            var part: [UInt8]
            if point <= 0 {
                whole = [48]
                part = Array(repeating: 48, count: -point) + digits
            } else if point >= digits.count {
                whole = digits + Array(repeating: 48, count: point - digits.count)
                part = []
            } else {
                whole = Array(digits[..<point])
                part = Array(digits[point...])
            }
            if part.count > scale { part.removeLast(part.count - scale) }
            while part.count < scale { part.append(48) }
            while whole.count > 1, whole[0] == 48 { whole.removeFirst() }
            let zero = whole == [48] && part.allSatisfy { $0 == 48 }
            var out: [UInt8] = negative && !zero ? [45] : []
            out += whole
            if !part.isEmpty { out.append(46); out += part }
            return .number(out)
        }
    }
}
