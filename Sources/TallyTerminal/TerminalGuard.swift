import CNcursesw
import Foundation

/// Puts the terminal back however the process ends: signals that end it (SIGTERM, SIGHUP,
/// SIGINT) are turned into a clean quit through a pipe the loop watches; crashes (SIGSEGV,
/// SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE) restore the saved terminal state with plain
/// `write`/`tcsetattr` (async-signal-safe) before the default action runs.
public enum TerminalGuard {
    nonisolated(unsafe) static var savedTermios = termios()
    nonisolated(unsafe) static var haveTermios = false
    nonisolated(unsafe) static var quitPipe: (read: Int32, write: Int32) = (-1, -1)
    /// The signal that asked us to quit (0 when none).
    nonisolated(unsafe) public static var quitSignal: Int32 = 0

    static let quitSignals: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]
    static let crashSignals: [Int32] = [SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE]

    static func saveTermios() {
        if tcgetattr(STDIN_FILENO, &savedTermios) == 0 { haveTermios = true }
    }

    /// The read end of the quit pipe: readable once a quit signal has arrived.
    public static var quitFileDescriptor: Int32 { quitPipe.read }

    nonisolated(unsafe) static var resizePipe: (read: Int32, write: Int32) = (-1, -1)
    /// ncurses' own SIGWINCH handler, which the one below calls first.
    nonisolated(unsafe) static var cursesResizeAction = sigaction()

    /// The read end of the resize pipe: readable once the terminal changed size.
    public static var resizeFileDescriptor: Int32 { resizePipe.read }

    /// Makes SIGWINCH write to a pipe the loop polls, after ncurses' handler has noted it (so
    /// the next read returns KEY_RESIZE). The signal may be delivered to any of the process's
    /// threads, and then interrupts nothing on the loop's: without the pipe a resize waited for
    /// the loop's next timed look at the keyboard, up to a second.
    static func watchResize() {
        if resizePipe.read < 0 {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { return }
            resizePipe = (fds[0], fds[1])
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            let previous = TerminalGuard.cursesResizeAction
            if previous.sa_flags & Int32(SA_SIGINFO) != 0 {
                previous.__sigaction_handler.sa_sigaction?(number, nil, nil)
            } else if let handler = previous.__sigaction_handler.sa_handler,
                      unsafeBitCast(handler, to: Int.self) > 1 {  // neither SIG_DFL (0) nor SIG_IGN (1)
                handler(number)
            }
            var byte: UInt8 = 1
            _ = write(TerminalGuard.resizePipe.write, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(SA_RESTART)
        sigaction(SIGWINCH, &action, &cursesResizeAction)
    }

    /// Empties the resize pipe.
    public static func drainResize() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while resizePipe.read >= 0, read(resizePipe.read, &buffer, buffer.count) > 0 {}
    }

    static func install() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            quitPipe = (fds[0], fds[1])
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        }
        for signal in quitSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                TerminalGuard.quitSignal = number
                var byte: UInt8 = 1
                _ = write(TerminalGuard.quitPipe.write, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
        for signal in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                TerminalGuard.restoreRaw()
                var reset = sigaction()
                reset.__sigaction_handler.sa_handler = SIG_DFL
                sigaction(number, &reset, nil)
                raise(number)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigaction(signal, &action, nil)
        }
    }

    static func uninstall() {
        for signal in quitSignals + crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SIG_DFL
            sigaction(signal, &action, nil)
        }
        if resizePipe.read >= 0 { sigaction(SIGWINCH, &cursesResizeAction, nil) }
    }

    /// Leaves the alternate screen, shows the cursor, resets attributes and mouse reporting, and
    /// restores the saved tty modes, using only async-signal-safe calls.
    static func restoreRaw() {
        let reset = "\u{1b}[?1000l\u{1b}[?1002l\u{1b}[?1006l\u{1b}[?1004l\u{1b}[?2004l\u{1b}[0m\u{1b}[?25h\u{1b}[?1049l\r\n"
        reset.utf8CString.withUnsafeBufferPointer { pointer in
            _ = write(STDOUT_FILENO, pointer.baseAddress, pointer.count - 1)
        }
        if haveTermios { tcsetattr(STDIN_FILENO, TCSANOW, &savedTermios) }
    }
}
