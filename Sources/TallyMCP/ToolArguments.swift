import Foundation
import MCP
import TallyCore

/// A tool call that cannot be answered as asked: a missing or malformed argument, an unknown
/// id, a write the cache or the primary refuses. The assistant gets `message` as an `isError`
/// result, one line.
public struct ToolFailure: Error, Equatable, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// A tool call's arguments, read with the checks every tool shares. Each accessor names the
/// argument and what it should be in its error, so the assistant can correct the call.
public struct ToolArguments: Sendable {
    let values: [String: Value]

    public init(_ values: [String: Value]?) {
        self.values = values ?? [:]
    }

    /// The argument, or nil when it is absent or JSON null.
    func value(_ name: String) -> Value? {
        guard let value = values[name], !value.isNull else { return nil }
        return value
    }

    /// A whole number, also when a client sent it as `5.0`.
    static func integer(_ value: Value) -> Int64? {
        switch value {
        case .int(let v): return Int64(v)
        case .double(let v) where v.isFinite && v == v.rounded() && abs(v) < 9e15: return Int64(v)
        default: return nil
        }
    }

    /// How a value looked, for an error message.
    static func shown(_ value: Value) -> String {
        switch value {
        case .string(let s): return s.count > 40 ? "\"\(s.prefix(40))…\"" : "\"\(s)\""
        case .array: return "an array"
        case .object: return "an object"
        case .bool(let b): return b ? "true" : "false"
        case .data: return "binary data"
        default: return value.description
        }
    }

    /// A database id: a whole number from 1 to 2147483647 (WorkOS's ids are PostgreSQL `serial`).
    public func id(_ name: String) throws -> Int64 {
        guard let value = value(name) else {
            throw ToolFailure("\(name) is required: the id, a positive whole number.")
        }
        return try Self.checkedID(name, value)
    }

    public func optionalID(_ name: String) throws -> Int64? {
        try value(name).map { try Self.checkedID(name, $0) }
    }

    static func checkedID(_ name: String, _ value: Value) throws -> Int64 {
        guard let number = integer(value), (1...Int64(Int32.max)).contains(number) else {
            throw ToolFailure("\(name) must be a positive whole number, got \(shown(value)).")
        }
        return number
    }

    /// A whole number in `range`, or nil when absent.
    public func optionalInt(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(name) else { return nil }
        guard let number = Self.integer(value) else {
            throw ToolFailure("\(name) must be a whole number, got \(Self.shown(value)).")
        }
        guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            if range.lowerBound == 0, number < 0 {
                throw ToolFailure("\(name) must be 0 or more, got \(number).")
            }
            throw ToolFailure("\(name) must be from \(range.lowerBound) to \(range.upperBound), got \(number).")
        }
        return Int(number)
    }

    /// A string, or nil when absent; with `allowed`, one of those (compared case-insensitively,
    /// returned as listed).
    /// With `trimmed`, surrounding white space is dropped first, as WorkOS's validation does.
    public func optionalString(_ name: String, allowed: [String]? = nil, maxLength: Int = 10_000,
                               trimmed: Bool = false) throws -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let raw) = value else {
            throw ToolFailure("\(name) must be a string, got \(Self.shown(value)).")
        }
        let text = trimmed || allowed != nil ? raw.trimmingCharacters(in: .whitespacesAndNewlines) : raw
        if let allowed {
            guard let match = allowed.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
                throw ToolFailure("\(name) must be one of \(allowed.joined(separator: ", ")); got \(Self.shown(value)).")
            }
            return match
        }
        guard text.count <= maxLength else {
            throw ToolFailure("\(name) must be at most \(maxLength) characters, got \(text.count).")
        }
        return text
    }

    public func optionalBool(_ name: String) throws -> Bool? {
        guard let value = value(name) else { return nil }
        guard case .bool(let flag) = value else {
            throw ToolFailure("\(name) must be true or false, got \(Self.shown(value)).")
        }
        return flag
    }

    /// A `YYYY-MM-DD` date.
    public func date(_ name: String) throws -> LocalDay {
        guard let value = value(name) else {
            throw ToolFailure("\(name) is required: a date as YYYY-MM-DD.")
        }
        guard case .string(let raw) = value, case let text = raw.trimmingCharacters(in: .whitespaces),
              text.utf8.count == 10, let day = LocalDay(text),
              LocalDay(ordinal: day.ordinal).description == text else {
            throw ToolFailure("\(name) must be a date as YYYY-MM-DD, got \(Self.shown(value)).")
        }
        return day
    }

    /// True when the argument is present as JSON null (`"clientId": null` unassigns).
    public func isNull(_ name: String) -> Bool {
        values[name]?.isNull == true
    }

    /// A subtask list, `[{title, done}]`, as the JSON text the task keeps; nil when absent.
    public func subtasks(_ name: String) throws -> String? {
        guard let value = value(name) else { return nil }
        guard case .array(let items) = value, items.count <= 50 else {
            throw ToolFailure("\(name) must be a list of at most 50 {title, done} objects, got \(Self.shown(value)).")
        }
        var list: [JSON] = []
        for (index, item) in items.enumerated() {
            guard case .object(let fields) = item, case .string(let title)? = fields["title"],
                  !title.isEmpty, title.count <= 500 else {
                throw ToolFailure("\(name)[\(index)] must be {title, done} with a title of 1 to 500 characters.")
            }
            var done = false
            if let flag = fields["done"], !flag.isNull {
                guard case .bool(let value) = flag else {
                    throw ToolFailure("\(name)[\(index)].done must be true or false, got \(Self.shown(flag)).")
                }
                done = value
            }
            list.append(.object([("title", .string(title)), ("done", .bool(done))]))
        }
        return JSON.array(list).text(pretty: false)
    }
}
