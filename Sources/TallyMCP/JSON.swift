import Foundation

/// A JSON value whose objects keep their keys in the order they were written, so an answer reads
/// like WorkOS's (`JSON.stringify(value, null, 2)`): the same keys, in the same order, indented
/// by two spaces.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The text, indented by two spaces per level (`pretty`) or on one line.
    public func text(pretty: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(to: &out, indent: pretty ? 0 : nil)
        return out
    }

    private func write(to out: inout String, indent: Int?) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value):
            // JSON has no NaN or infinity; JavaScript writes them as null.
            guard value.isFinite else { out += "null"; return }
            if value == value.rounded(), abs(value) < 1e15 { out += String(Int64(value)) } else { out += String(value) }
        case .string(let value): JSON.quote(value, into: &out)
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                JSON.newline(&out, indent.map { $0 + 1 })
                item.write(to: &out, indent: indent.map { $0 + 1 })
            }
            JSON.newline(&out, indent)
            out += "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                JSON.newline(&out, indent.map { $0 + 1 })
                JSON.quote(key, into: &out)
                out += indent == nil ? ":" : ": "
                value.write(to: &out, indent: indent.map { $0 + 1 })
            }
            JSON.newline(&out, indent)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ indent: Int?) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    /// A JSON string literal, escaped as `JSON.stringify` escapes it.
    static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00"
                    let hex = String(scalar.value, radix: 16)
                    out += hex.count == 1 ? "0" + hex : hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSON {
    /// `value`, or null when it is nil.
    static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
    static func optional(_ value: Int?) -> JSON { value.map { .int(Int64($0)) } ?? .null }
    static func optional(_ value: Int64?) -> JSON { value.map(JSON.int) ?? .null }
    static func int(_ value: Int) -> JSON { .int(Int64(value)) }
}

import MCP

extension JSON {
    /// The value as the SDK carries it (`structuredContent`); objects lose their key order.
    var value: Value {
        switch self {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(Int(number))
        case .double(let number): return number.isFinite ? .double(number) : .null
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(\.value))
        case .object(let members):
            return .object(Dictionary(members.map { ($0.0, $0.1.value) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// The member `key` of an object.
    subscript(_ key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// A subtask list kept as JSON text (`[{"title":…,"done":…}]`) as the array it holds, the
    /// text itself when it is not one.
    static func parsed(_ text: String?) -> JSON {
        guard let text else { return .null }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            return .string(text)
        }
        return from(object)
    }

    static func from(_ object: Any) -> JSON {
        switch object {
        case is NSNull: return .null
        case let text as String: return .string(text)
        case let number as NSNumber:
            // JSONSerialization's true and false are the only NSNumbers of type "c" it makes.
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            let double = number.doubleValue
            return double == double.rounded() && abs(double) < 9e15 ? .int(Int64(double)) : .double(double)
        case let list as [Any]: return .array(list.map(from))
        case let dictionary as [String: Any]: return .object(dictionary.keys.sorted().map { ($0, from(dictionary[$0] as Any)) })
        default: return .null
        }
    }
}
