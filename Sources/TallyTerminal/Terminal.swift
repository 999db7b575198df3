import CNcursesw
import Foundation
import TallyCore
import TallyUI

/// The only code that talks to ncurses: owns the terminal, draws buffers (only the cells that
/// changed), reads keys, and restores the terminal on every way out.
///
/// Used from one thread only (the dashboard loop).
public final class Terminal: TerminalBackend {
    public private(set) var width: Int = 0
    public private(set) var height: Int = 0
    public let colorMode: ColorMode
    private var previous: Buffer?
    private var pairs: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private let directColor: Bool
    private var isOpen = false
    /// Focus reports read since the last `takeFocusChanges()` (true: focus in).
    private var focusChanges: [Bool] = []

    /// Asks the terminal to report focus in (`ESC [ I`) and out (`ESC [ O`) (xterm's mode 1004;
    /// tmux passes them on with `set -g focus-events on`). Terminals without it ignore the request.
    /// With bracketed paste (mode 2004) a paste arrives between `ESC [ 200 ~` and `ESC [ 201 ~`,
    /// so its newlines are text in the task form instead of Enter.
    static let focusReportingOn = "\u{1b}[?1004h\u{1b}[?2004h"
    static let focusReportingOff = "\u{1b}[?1004l\u{1b}[?2004l"

    struct PairKey: Hashable {
        let fg: Int32
        let bg: Int32
    }

    /// Takes over the terminal: alternate screen, no echo, keys unbuffered, mouse on.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        setlocale(LC_ALL, "")
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError.notATerminal
        }
        TerminalGuard.saveTermios()
        setenv("ESCDELAY", "25", 0)
        guard initscr() != nil else { throw TerminalError.cannotStart }
        isOpen = true
        TerminalGuard.install()
        TerminalGuard.watchResize()
        raw()
        noecho()
        nonl()
        keypad(tally_stdscr(), true)
        nodelay(tally_stdscr(), true)
        curs_set(0)
        _ = mousemask(tally_mouse_mask(), nil)
        mouseinterval(0)
        var colors = 0
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(tally_colors())
        }
        directColor = tally_has_rgb() == 1 && colors >= 0x1000000
        var mode = ColorMode.detect(environment: environment, terminalColors: colors)
        // ncurses can only send 24-bit colour when terminfo says the terminal takes it.
        if mode == .truecolor && !directColor { mode = colors >= 256 ? .palette256 : .ansi16 }
        colorMode = mode
        updateSize()
        Self.writeToTerminal(Self.focusReportingOn)
    }

    static func writeToTerminal(_ text: String) {
        fflush(nil)
        _ = text.utf8CString.withUnsafeBufferPointer { write(STDOUT_FILENO, $0.baseAddress, $0.count - 1) }
    }

    deinit { close() }

    /// Restores the terminal (cursor, echo, main screen). Safe to call twice.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        Self.writeToTerminal(Self.focusReportingOff)
        endwin()
        TerminalGuard.uninstall()
    }

    public func updateSize() {
        width = Int(tally_getmaxx(tally_stdscr()))
        height = Int(tally_getmaxy(tally_stdscr()))
    }

    /// Forgets what is on screen so the next `draw` repaints everything (Ctrl-L).
    public func invalidate() {
        previous = nil
        clearok(tally_stdscr(), true)
    }

    /// Draws `buffer`, writing only cells that differ from the last frame.
    public func draw(_ buffer: Buffer) {
        if previous?.area != buffer.area { werase(tally_stdscr()) }
        let changed = buffer.changes(since: previous)
        if !changed.isEmpty {
            var text = [wchar_t](repeating: 0, count: 6)
            for index in changed {
                let cell = buffer.cells[index]
                if cell.isContinuation { continue }
                let x = index % buffer.width, y = index / buffer.width
                var count = 0
                for scalar in cell.symbol.unicodeScalars where count < 5 {
                    text[count] = wchar_t(bitPattern: scalar.value)
                    count += 1
                }
                if count == 0 { text[0] = 32; count = 1 }
                text[count] = 0
                let style = cell.style.resolved(for: colorMode)
                let pair = self.pair(for: style)
                // The bottom-right cell scrolls some terminals; ncurses reports ERR there, harmlessly.
                _ = text.withUnsafeBufferPointer { pointer in
                    tally_put_cell(tally_stdscr(), Int32(y), Int32(x), pointer.baseAddress, attributes(style), pair)
                }
            }
        }
        wnoutrefresh(tally_stdscr())
        doupdate()
        previous = buffer
    }

    func attributes(_ style: Style) -> attr_t {
        var attrs = tally_a_normal()
        if style.attributes.contains(.bold) { attrs |= tally_a_bold() }
        if style.attributes.contains(.dim) { attrs |= tally_a_dim() }
        if style.attributes.contains(.italic) { attrs |= tally_a_italic() }
        if style.attributes.contains(.underline) { attrs |= tally_a_underline() }
        if style.attributes.contains(.reverse) { attrs |= tally_a_reverse() }
        return attrs
    }

    func colorNumber(_ color: Color) -> Int32 {
        switch colorMode {
        case .monochrome: return -1
        case .truecolor:
            if case .rgb(let r, let g, let b) = color { return Int32(r) << 16 | Int32(g) << 8 | Int32(b) }
            return -1
        case .palette256: return color.index256().map(Int32.init) ?? -1
        case .ansi16: return color.index16().map(Int32.init) ?? -1
        }
    }

    func pair(for style: Style) -> Int32 {
        let key = PairKey(fg: colorNumber(style.fg), bg: colorNumber(style.bg))
        if key.fg == -1 && key.bg == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        guard nextPair < tally_color_pairs() else { return 0 }
        let pair = nextPair
        nextPair += 1
        init_extended_pair(pair, key.fg, key.bg)
        pairs[key] = pair
        return pair
    }

    /// Writes a notification's escape (or the bell) straight to the terminal: it moves no
    /// cursor and draws no cell, so what ncurses believes is on screen stays true.
    public func notify(_ notice: TerminalNotice) {
        guard isOpen else { return }
        Self.writeToTerminal(notice.sequence)
    }

    public var inputFileDescriptor: Int32 { STDIN_FILENO }
    public var quitFileDescriptor: Int32 { TerminalGuard.quitFileDescriptor }
    public var quitRequested: Bool { TerminalGuard.quitSignal != 0 }
    public var resizeFileDescriptor: Int32 { TerminalGuard.resizeFileDescriptor }
    public func drainResizeNotices() { TerminalGuard.drainResize() }

    /// The next key if one is waiting (never blocks). Focus reports are not keys: they are kept
    /// for `takeFocusChanges()`.
    public func readKey() -> Key? {
        while true {
            var ch: wint_t = 0
            let result = wget_wch(tally_stdscr(), &ch)
            if result == ERR { return nil }
            if result == tally_key_code_yes() { return functionKey(Int32(ch)) }
            if ch == 27, let focused = readFocusReport() {
                focusChanges.append(focused)
                continue
            }
            if ch == 27, let pasted = readPaste() { return .paste(pasted) }
            return characterKey(UInt32(ch))
        }
    }

    /// The focus reports read since the last call, oldest first.
    public func takeFocusChanges() -> [Bool] {
        defer { focusChanges.removeAll() }
        return focusChanges
    }

    /// After an ESC: `[I` (focus in) or `[O` (focus out). ncurses knows no key for these, so it
    /// hands them over as three characters; anything else is put back as it came.
    func readFocusReport() -> Bool? {
        var read: [(result: Int32, ch: wint_t)] = []
        defer {
            // Put back in reverse: ncurses returns the last one pushed first.
            for item in read.reversed() {
                if item.result == tally_key_code_yes() { ungetch(Int32(item.ch)) } else { unget_wch(wchar_t(bitPattern: item.ch)) }
            }
        }
        for expected in ["[", "IO"] {
            var ch: wint_t = 0
            let result = wget_wch(tally_stdscr(), &ch)
            if result == ERR { return nil }
            read.append((result, ch))
            guard result != tally_key_code_yes(), let scalar = Unicode.Scalar(UInt32(ch)),
                  expected.unicodeScalars.contains(scalar) else { return nil }
            if expected == "IO" {
                read.removeAll()
                return scalar == "I"
            }
        }
        return nil
    }

    /// After an ESC: `[200~`, the pasted text, `ESC [201~`. Anything else is put back as it came.
    func readPaste() -> String? {
        var read: [wint_t] = []
        for expected in "[200~".unicodeScalars {
            var ch: wint_t = 0
            let result = wget_wch(tally_stdscr(), &ch)
            if result == ERR || result == tally_key_code_yes() {
                if result != ERR { ungetch(Int32(ch)) }
                for item in read.reversed() { unget_wch(wchar_t(bitPattern: item)) }
                return nil
            }
            read.append(ch)
            guard ch == expected.value else {
                for item in read.reversed() { unget_wch(wchar_t(bitPattern: item)) }
                return nil
            }
        }
        // The text up to the closing `ESC [201~` (at most 64 KiB; the terminal sends it at once).
        var text = String.UnicodeScalarView()
        let end = Array("\u{1b}[201~".unicodeScalars)
        var tail: [Unicode.Scalar] = []
        var idle = 0
        while text.count < 65_536, idle < 200 {
            var ch: wint_t = 0
            let result = wget_wch(tally_stdscr(), &ch)
            if result == ERR { idle += 1; usleep(1000); continue }
            idle = 0
            guard result != tally_key_code_yes(), let scalar = Unicode.Scalar(UInt32(ch)) else { continue }
            tail.append(scalar)
            if tail.count > end.count { text.append(tail.removeFirst()) }
            if tail == end { return String(text) }
        }
        text.append(contentsOf: tail)
        return String(text)
    }

    func functionKey(_ code: Int32) -> Key? {
        switch code {
        case tally_key_up(): return .up
        case tally_key_down(): return .down
        case tally_key_left(): return .left
        case tally_key_right(): return .right
        case tally_key_npage(): return .pageDown
        case tally_key_ppage(): return .pageUp
        case tally_key_home(): return .home
        case tally_key_end(): return .end
        case tally_key_btab(): return .backTab
        case tally_key_backspace(): return .backspace
        case tally_key_dc(): return .delete
        case tally_key_enter(): return .enter
        case tally_key_resize():
            updateSize()
            previous = nil
            return .resize
        case tally_key_mouse():
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            let state = event.bstate
            if tally_is_wheel_up(state) != 0 { return .mouse(MouseEvent(x: Int(event.x), y: Int(event.y), kind: .wheelUp)) }
            if tally_is_wheel_down(state) != 0 { return .mouse(MouseEvent(x: Int(event.x), y: Int(event.y), kind: .wheelDown)) }
            if tally_is_click(state) != 0 { return .mouse(MouseEvent(x: Int(event.x), y: Int(event.y), kind: .click)) }
            return nil
        default: return nil
        }
    }

    func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26:
            return .ctrl(Character(Unicode.Scalar(value + 96) ?? "?"))
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .char(Character(scalar))
        }
    }
}

public enum TerminalError: LocalizedError {
    case notATerminal
    case cannotStart

    public var errorDescription: String? {
        switch self {
        case .notATerminal: return "The dashboard needs a terminal; use `tally render` or `tally status` for output to a file or pipe."
        case .cannotStart: return "Could not start the terminal (check TERM)."
        }
    }
}
