import ArgumentParser
import TallyCore
import TallyUI

// Options with a fixed set of values: the parser lists them in `--help` and refuses anything
// else with the valid values named, before a command runs.

/// `tally render --view`.
enum RenderedView: String, CaseIterable, ExpressibleByArgument {
    case dashboard, failures, history, help

    var state: ViewState {
        var state = ViewState(view: ViewState.View(rawValue: rawValue) ?? .dashboard)
        if self == .help { state.overlay = .help }
        return state
    }
}

/// `tally render --colors`.
enum ColorDepth: String, CaseIterable, ExpressibleByArgument {
    case truecolor, palette256 = "256", ansi16 = "16", mono

    var mode: ColorMode {
        switch self {
        case .truecolor: return .truecolor
        case .palette256: return .palette256
        case .ansi16: return .ansi16
        case .mono: return .monochrome
        }
    }
}

/// `tally tasks --status`: the dashboard's status filters, spelled for a shell.
enum StatusOption: String, CaseIterable, ExpressibleByArgument {
    case active, queued, backlog, doneToday = "done-today", all

    /// Also "Done-Today" and "done today", as people type them.
    init?(argument: String) {
        self.init(rawValue: argument.lowercased().replacingOccurrences(of: " ", with: "-"))
    }

    var filter: StatusFilter {
        switch self {
        case .active: return .active
        case .queued: return .queued
        case .backlog: return .backlog
        case .doneToday: return .doneToday
        case .all: return .all
        }
    }
}

/// An id typed on the command line: a positive whole number. Arguments that take one are parsed
/// with `.allUnrecognized`, so "-5" arrives here as a value and the message can say what is wrong
/// with it instead of "Missing expected argument".
enum IDArgument {
    /// The one id in `words`; `what` names it ("task id"), `usage` shows the command.
    static func parse(_ words: [String], what: String, usage: String? = nil) throws -> Int64 {
        if let option = words.first(where: { $0.hasPrefix("-") && Double($0) == nil }) {
            throw ValidationError("Unknown option '\(option)'.")
        }
        guard let text = words.first else { throw ValidationError("Missing the \(what)\(usage.map { ": \($0)" } ?? "").") }
        guard words.count == 1 else { throw ValidationError("One \(what) at a time, got \(words.joined(separator: " ")).") }
        return try value(text, what: what)
    }

    static func value(_ text: String, what: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let value = Int64(trimmed) {
            guard value > 0 else { throw ValidationError("The \(what) must be a positive number, got \(value).") }
            return value
        }
        let digits = trimmed.hasPrefix("-") || trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if trimmed.hasPrefix("-") { throw ValidationError("The \(what) must be a positive number, got \(trimmed.prefix(40)).") }
            throw ValidationError("The \(what) is out of range (at most \(Int64.max)), got \(trimmed.prefix(40)).")
        }
        throw ValidationError("The \(what) must be a number, not \(String(text.prefix(40)).debugDescription).")
    }
}
