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
