import Foundation
import Synchronization
import TallyCore
import TallyUI

/// A terminal without a screen: keys are queued by `send`, frames are kept as buffers. It lets
/// the dashboard's real loop (`DashboardLoop`) run in tests, on another thread, without tmux.
public final class TestTerminal: TerminalBackend, Sendable {
    private struct State {
        var size: (width: Int, height: Int)
        var resized = false
        var keys: [Key] = []
        var frames: [Buffer] = []
        var closed = false
        var quitAsked = false
        var focusChanges: [Bool] = []
        var notices: [TerminalNotice] = []
    }

    private let state: Mutex<State>
    private let pipe: (read: Int32, write: Int32)
    private let quitPipe: (read: Int32, write: Int32)
    private let resizePipe: (read: Int32, write: Int32)

    public init(width: Int, height: Int) {
        state = Mutex(State(size: (width, height)))
        var fds: [Int32] = [0, 0]
        _ = Darwin_or_Glibc_pipe(&fds)
        pipe = (fds[0], fds[1])
        _ = Darwin_or_Glibc_pipe(&fds)
        quitPipe = (fds[0], fds[1])
        _ = Darwin_or_Glibc_pipe(&fds)
        resizePipe = (fds[0], fds[1])
        _ = fcntl(resizePipe.read, F_SETFL, O_NONBLOCK)
    }

    deinit {
        for fd in [pipe.read, pipe.write, quitPipe.read, quitPipe.write, resizePipe.read, resizePipe.write] {
            Foundation.close(fd)
        }
    }

    public var width: Int { state.withLock { $0.size.width } }
    public var height: Int { state.withLock { $0.size.height } }

    /// Changes the size as a terminal window would: the resize pipe wakes the loop (as SIGWINCH
    /// does through `TerminalGuard`) and the next key read is `.resize`.
    public func resize(width: Int, height: Int) {
        state.withLock { state in
            state.size = (width, height)
            state.resized = true
        }
        var byte: UInt8 = 1
        _ = write(resizePipe.write, &byte, 1)
    }

    /// Queues keys as if typed.
    public func send(_ keys: Key...) {
        state.withLock { $0.keys += keys }
        var byte: UInt8 = 1
        _ = write(pipe.write, &byte, 1)
    }

    /// Types `text`, a character a key.
    public func send(contentsOf text: String) {
        state.withLock { $0.keys += text.map { Key.char($0) } }
        var byte: UInt8 = 1
        _ = write(pipe.write, &byte, 1)
    }

    /// Asks the loop to stop, as SIGTERM would.
    public func requestQuit() {
        state.withLock { $0.quitAsked = true }
        var byte: UInt8 = 1
        _ = write(quitPipe.write, &byte, 1)
    }

    /// The last frame drawn (nil before the first).
    public var lastFrame: Buffer? { state.withLock { $0.frames.last } }
    public var frameCount: Int { state.withLock { $0.frames.count } }
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Waits until the last frame's text satisfies `predicate` (or `timeout` passes); returns it.
    @discardableResult
    public func waitForFrame(timeout: TimeInterval = 5, _ predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = lastFrame?.plainText(), predicate(text) { return text }
            usleep(10_000)
        }
        return nil
    }

    // MARK: TerminalBackend

    public var inputFileDescriptor: Int32 { pipe.read }
    public var quitFileDescriptor: Int32 { quitPipe.read }
    public var quitRequested: Bool { state.withLock { $0.quitAsked } }
    public var resizeFileDescriptor: Int32 { resizePipe.read }

    public func drainResizeNotices() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(resizePipe.read, &scratch, scratch.count) > 0 {}
    }

    public func draw(_ buffer: Buffer) {
        state.withLock { $0.frames.append(buffer) }
    }

    public func invalidate() {}

    public func notify(_ notice: TerminalNotice) {
        state.withLock { $0.notices.append(notice) }
    }

    /// The notifications written to this terminal (`[notify]` with a terminal escape), oldest first.
    public var notices: [TerminalNotice] { state.withLock { $0.notices } }

    public func readKey() -> Key? {
        let fd = pipe.read
        return state.withLock { state in
            if state.resized {
                state.resized = false
                return .resize
            }
            guard !state.keys.isEmpty else {
                // Empty the wake-up bytes so poll sleeps until the next send.
                var scratch = [UInt8](repeating: 0, count: 64)
                let flags = fcntl(fd, F_GETFL)
                _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
                _ = read(fd, &scratch, scratch.count)
                return nil
            }
            return state.keys.removeFirst()
        }
    }

    public func close() {
        state.withLock { $0.closed = true }
    }

    /// Focus reports as `focus(_:)` queued them.
    public func takeFocusChanges() -> [Bool] {
        state.withLock { state in
            defer { state.focusChanges.removeAll() }
            return state.focusChanges
        }
    }

    /// Reports focus in (true) or out, as a terminal with focus reporting would.
    public func focus(_ focused: Bool) {
        state.withLock { $0.focusChanges.append(focused) }
        var byte: UInt8 = 1
        _ = write(pipe.write, &byte, 1)
    }
}

/// `pipe(2)` as each C library spells it.
private func Darwin_or_Glibc_pipe(_ fds: inout [Int32]) -> Int32 {
    fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
}
