import Foundation
import XCTest

/// Drives a real terminal: the binary runs in a detached tmux session on a private socket;
/// tests type with `send` and read the screen with `capture`.
public final class TmuxDriver {
    public let session: String
    /// The tmux server's socket name: `$TALLY_TMUX_SOCKET` (scripts/test.sh gives each run its
    /// own, so two runs on one machine do not end each other's sessions), else `tally-tests`.
    public static let socket = ProcessInfo.processInfo.environment["TALLY_TMUX_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        ?? "tally-tests"

    public static var isAvailable: Bool { shell("command -v tmux").status == 0 }

    public static func require(file: StaticString = #filePath, line: UInt = #line) throws {
        guard isAvailable else {
            if Repository.isCI { XCTFail("tmux is required under CI=true", file: file, line: line) }
            throw XCTSkip("tmux not available")
        }
    }

    /// Starts `command` in a new session of `width`×`height`.
    public init(_ command: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        session = "t\(UInt32.random(in: 0...UInt32.max))"
        var exports = "export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=\(NSTemporaryDirectory())tally-test-state XDG_CONFIG_HOME=\(NSTemporaryDirectory())tally-test-xdg-none;"
        for (key, value) in environment { exports += " export \(key)='\(value)';" }
        let result = shell("tmux -L \(Self.socket) -f /dev/null new-session -d -s \(session) -x \(width) -y \(height) \"\(exports) \(command); echo __EXITED__ \\$?; exec sh\"")
        if result.status != 0 { throw XCTSkip("tmux failed to start: \(result.output)") }
        _ = shell("tmux -L \(Self.socket) set-option -t \(session) status off")
    }

    /// Sends tmux key names (`"j"`, `"Enter"`, `"C-c"`, `"Escape"`) or literal text with `literal`.
    public func send(_ keys: String..., literal: Bool = false) {
        for key in keys {
            let escaped = key.replacingOccurrences(of: "'", with: "'\\''")
            _ = shell("tmux -L \(Self.socket) send-keys -t \(session) \(literal ? "-l " : "")'\(escaped)'")
        }
    }

    /// The visible screen as text.
    /// Pastes `text` as a terminal does: bracketed (`paste-buffer -p`) when the program asked for it.
    public func paste(_ text: String) {
        let buffer = "tally-\(session)"
        let environment = ProcessInfo.processInfo.environment
        _ = spawn(["/usr/bin/env", "tmux", "-L", Self.socket, "set-buffer", "-b", buffer, "--", text], environment: environment, timeout: 10)
        _ = spawn(["/usr/bin/env", "tmux", "-L", Self.socket, "paste-buffer", "-p", "-d", "-b", buffer, "-t", session], environment: environment, timeout: 10)
    }

    public func capture() -> String {
        shell("tmux -L \(Self.socket) capture-pane -p -t \(session)").output
    }

    /// The screen with escape sequences for colours and attributes.
    public func captureWithAttributes() -> String {
        shell("tmux -L \(Self.socket) capture-pane -p -e -t \(session)").output
    }

    public func resize(width: Int, height: Int) {
        _ = shell("tmux -L \(Self.socket) resize-window -t \(session) -x \(width) -y \(height)")
    }

    /// The pid of the program in the pane (the shell's child).
    public func panePID() -> Int32? {
        Int32(shell("tmux -L \(Self.socket) display-message -p -t \(session) '#{pane_pid}'").output
            .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Waits until `predicate` holds for the screen, up to `timeout` seconds; returns the last screen.
    @discardableResult
    public func wait(timeout: TimeInterval = 10, until predicate: (String) -> Bool) -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = capture()
        while !predicate(screen) {
            if Date() > deadline { return (false, screen) }
            usleep(50_000)
            screen = capture()
        }
        return (true, screen)
    }

    @discardableResult
    public func wait(for text: String, timeout: TimeInterval = 10) -> (ok: Bool, screen: String) {
        wait(timeout: timeout) { $0.contains(text) }
    }

    /// Waits until the screen stops changing (the same in captures 100 ms apart), up to
    /// `timeout` seconds: the frame after a key or a resize, drawn whole. Returns that screen.
    @discardableResult
    public func settled(timeout: TimeInterval = 5) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = capture()
        while Date() < deadline {
            usleep(100_000)
            let next = capture()
            if next == last { return next }
            last = next
        }
        return last
    }

    deinit {
        _ = shell("tmux -L \(Self.socket) kill-session -t \(session)")
    }
}
