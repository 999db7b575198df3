import Foundation
import TOMLKit

/// Something the running dashboard tells a person about, at most once a local day.
public enum NotifyEvent: String, Sendable, CaseIterable, Codable {
    /// Today's points reached the minimum (12).
    case minimum
    /// Today's points reached the target.
    case target
    /// Behind pace at the configured hour (`behind_at`) of the working day.
    case behind
    /// In the evening (`evening`), a habit whose streak ends unless it is checked in today.
    case streak
    /// The last `sync_failures` syncs failed.
    case syncFailing = "sync_failing"
    /// The primary answers again after syncs failed to reach it.
    case primaryBack = "primary_back"
}

/// The `[notify]` table of the config: how a notification is delivered and which events are
/// told. Without the table the dashboard tells nothing.
public struct NotifySettings: Sendable, Equatable {
    /// How a notification reaches the person.
    public enum Delivery: Sendable, Equatable {
        /// `notify-send` where it is on the PATH and a desktop session is there, else the
        /// terminal's own notification escape where the terminal is known to show one, else the
        /// bell (`NotifyDelivery.automatic`).
        case automatic
        /// A program and its arguments; `{title}` and `{body}` in any argument are replaced.
        /// Run without a shell, so nothing in a title is ever interpreted.
        case program([String])
        /// The terminal's escape: OSC 777 (`notify;title;body`: foot, urxvt) or OSC 9 (iTerm2,
        /// WezTerm, Ghostty), or the bell.
        case osc777, osc9, bell
    }

    public var delivery: Delivery = .automatic
    public var events: Set<NotifyEvent> = Set(NotifyEvent.allCases)
    /// The local hour from which being behind pace is told (until the working day ends).
    public var behindAt: Double = 14
    /// The local hour from which a habit streak at risk is told.
    public var evening: Double = 20
    /// How many failed syncs in a row are told (at most the 8 jobs a snapshot reads).
    public var syncFailures = 3
    /// Seconds a notification program may run before it is killed.
    public var timeout: Double = 10

    public init() {}

    /// The program's arguments with `{title}` and `{body}` replaced, in one pass (a title that
    /// holds the text `{body}` stays as it is).
    public static func arguments(_ template: [String], title: String, body: String) -> [String] {
        template.map { argument in
            var out = ""
            var rest = Substring(argument)
            while let brace = rest.firstIndex(of: "{") {
                out += rest[..<brace]
                rest = rest[brace...]
                if rest.hasPrefix("{title}") {
                    out += title
                    rest = rest.dropFirst(7)
                } else if rest.hasPrefix("{body}") {
                    out += body
                    rest = rest.dropFirst(6)
                } else {
                    out += "{"
                    rest = rest.dropFirst()
                }
            }
            return out + rest
        }
    }

    /// Reads a `[notify]` table; `fail(key, reason)` makes the error that names the file and line.
    static func parse(_ table: TOMLTable, fail: (String, String) -> TallyError) throws -> NotifySettings {
        var settings = NotifySettings()
        func hour(_ name: String, _ entry: any TOMLValueConvertible) throws -> Double {
            guard let hour = entry.double ?? entry.int.map(Double.init), (0...24).contains(hour) else {
                throw fail(name, "\(name) in [notify] must be an hour from 0 to 24")
            }
            return hour
        }
        for name in table.keys {
            guard let entry = table[name] else { continue }
            switch name {
            case "command":
                if let word = entry.string {
                    switch word {
                    case "auto": settings.delivery = .automatic
                    case "osc777": settings.delivery = .osc777
                    case "osc9": settings.delivery = .osc9
                    case "bell": settings.delivery = .bell
                    default:
                        throw fail(name, "command in [notify] must be a list such as [\"notify-send\", \"{title}\", \"{body}\"], "
                            + "or \"auto\", \"osc777\", \"osc9\" or \"bell\"")
                    }
                } else if let list = entry.array {
                    let words = list.compactMap(\.string)
                    guard words.count == list.count, let program = words.first, !program.isEmpty else {
                        throw fail(name, "command in [notify] must be a list of strings, the program first")
                    }
                    settings.delivery = .program(words)
                } else {
                    throw fail(name, "command in [notify] must be a list such as [\"notify-send\", \"{title}\", \"{body}\"]")
                }
            case "events":
                let valid = NotifyEvent.allCases.map(\.rawValue).joined(separator: ", ")
                guard let list = entry.array else { throw fail(name, "events in [notify] must be a list of \(valid)") }
                var events: Set<NotifyEvent> = []
                for item in list {
                    guard let word = item.string, let event = NotifyEvent(rawValue: word) else {
                        let shown = item.string.map { "\"\(TextSafety.sanitize($0))\"" } ?? "a non-string"
                        throw fail(name, "unknown event \(shown) in [notify] events (\(valid))")
                    }
                    events.insert(event)
                }
                settings.events = events
            case "behind_at": settings.behindAt = try hour(name, entry)
            case "evening": settings.evening = try hour(name, entry)
            case "sync_failures":
                guard let count = entry.int, (1...8).contains(count) else {
                    throw fail(name, "sync_failures in [notify] must be a whole number from 1 to 8")
                }
                settings.syncFailures = count
            case "timeout":
                guard let seconds = entry.double ?? entry.int.map(Double.init), seconds > 0, seconds <= 600 else {
                    throw fail(name, "timeout in [notify] must be a number of seconds from more than 0 to 600")
                }
                settings.timeout = seconds
            default:
                throw fail(name, "unknown setting \"\(TextSafety.sanitize(name))\" in [notify] "
                    + "(command, events, behind_at, evening, sync_failures, timeout)")
            }
        }
        return settings
    }
}
