import Foundation

/// A notification written to the terminal itself: an escape sequence the terminal shows as a
/// desktop notification, or the bell. The dashboard's terminal backend writes `sequence` as it
/// is, between frames.
public struct TerminalNotice: Sendable, Equatable {
    public let sequence: String

    public enum Kind: Sendable, Equatable {
        /// `OSC 777 ; notify ; title ; body`: foot, urxvt (its notify extension), WezTerm, Ghostty.
        case osc777
        /// `OSC 9 ; text`: iTerm2, WezTerm, Ghostty.
        case osc9
        case bell
    }

    /// - Parameter tmux: wrap the escape in tmux's passthrough (`ESC P tmux; … ESC \`), which
    ///   tmux hands to the terminal outside it when `allow-passthrough` is on.
    public init(_ kind: Kind, title: String, body: String, tmux: Bool = false) {
        // Nothing in the text may end the sequence or start another; `;` separates OSC 777's fields.
        func field(_ text: String) -> String {
            String(TextSafety.sanitize(text).replacingOccurrences(of: ";", with: ",").prefix(240))
        }
        var sequence: String
        switch kind {
        case .bell: sequence = "\u{07}"
        case .osc777: sequence = "\u{1b}]777;notify;\(field(title));\(field(body))\u{1b}\\"
        case .osc9: sequence = "\u{1b}]9;\(field(title)): \(field(body))\u{1b}\\"
        }
        if tmux, kind != .bell {
            sequence = "\u{1b}Ptmux;" + sequence.replacingOccurrences(of: "\u{1b}", with: "\u{1b}\u{1b}") + "\u{1b}\\"
        }
        self.sequence = sequence
    }
}

/// How a notification is delivered once `NotifySettings.Delivery` is settled for this process.
public enum NotifyDelivery: Sendable, Equatable {
    /// A program and its argument template (`{title}`, `{body}`).
    case program([String])
    case terminal(TerminalNotice.Kind, tmux: Bool)

    /// What `notify-send` is given by default.
    public static let notifySend = ["notify-send", "--app-name=Tally", "{title}", "{body}"]

    /// Settles `delivery` for a process with `environment`. Automatic: `notify-send` where it is
    /// on the PATH and a desktop session is there to show it (a display or a session bus: over
    /// plain SSH it would fail); else the terminal's escape where `TERM_PROGRAM` or `TERM` names
    /// a terminal known to show one; else the bell. Inside tmux the outer terminal is unknown
    /// (tmux sets `TERM_PROGRAM` to itself), so automatic rings the bell, which tmux passes on.
    public static func resolve(_ delivery: NotifySettings.Delivery, environment: [String: String],
                               isExecutable: (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) }) -> NotifyDelivery {
        let tmux = !(environment["TMUX"] ?? "").isEmpty
        switch delivery {
        case .program(let arguments): return .program(arguments)
        case .osc777: return .terminal(.osc777, tmux: tmux)
        case .osc9: return .terminal(.osc9, tmux: tmux)
        case .bell: return .terminal(.bell, tmux: tmux)
        case .automatic:
            let desktop = ["DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"].contains { !(environment[$0] ?? "").isEmpty }
            if desktop, onPath("notify-send", environment: environment, isExecutable: isExecutable) {
                return .program(notifySend)
            }
            return .terminal(terminalKind(environment: environment), tmux: tmux)
        }
    }

    /// The escape the terminal named by the environment shows, or the bell.
    static func terminalKind(environment: [String: String]) -> TerminalNotice.Kind {
        switch environment["TERM_PROGRAM"] ?? "" {
        case "iTerm.app", "WezTerm", "ghostty": return .osc9
        default: break
        }
        let term = environment["TERM"] ?? ""
        if term.hasPrefix("foot") || term.hasPrefix("rxvt-unicode") { return .osc777 }
        return .bell
    }

    static func onPath(_ program: String, environment: [String: String], isExecutable: (String) -> Bool) -> Bool {
        (environment["PATH"] ?? "").split(separator: ":").contains { isExecutable("\($0)/\(program)") }
    }
}
