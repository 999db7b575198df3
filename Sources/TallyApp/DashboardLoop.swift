import Foundation
import TallyUI

/// The dashboard's main loop: sleeps in `poll` on the keyboard, the quit-signal pipe, the
/// session's wake pipe and its inotify descriptor (the cache's files written), waking at most
/// every second (every `pollInterval` without inotify) to look at `PRAGMA data_version` and the
/// clock. An idle wake is one `poll` and one step of a prepared `PRAGMA data_version`.
public final class DashboardLoop<Terminal: TerminalBackend> {
    let session: DashboardSession
    let terminal: Terminal
    let pollInterval: Double

    /// With `TALLY_TRACE_FRAMES=path`, each key's time from read to drawn frame is appended
    /// to that file (microseconds), for `bench/`.
    let trace: FileHandle?

    public init(session: DashboardSession, terminal: Terminal, pollInterval: Double,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.session = session
        self.terminal = terminal
        self.pollInterval = max(0.05, pollInterval)
        if let path = environment["TALLY_TRACE_FRAMES"], !path.isEmpty {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            trace = FileHandle(forWritingAtPath: path)
            _ = try? trace?.seekToEnd()
        } else {
            trace = nil
        }
    }

    public func run() {
        session.resize(width: terminal.width, height: terminal.height)
        terminal.draw(session.frame())
        var fds = [
            pollfd(fd: terminal.inputFileDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: terminal.quitFileDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: session.wakeFileDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: terminal.resizeFileDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: -1, events: Int16(POLLIN), revents: 0),
        ]
        var lastKeyCheck = DispatchTime.now().uptimeNanoseconds
        while !session.wantsQuit {
            // While a change to the cache settles (another writer mid-rewrite), look every 50 ms
            // so the finished change shows promptly, and do not wake at each of its commits;
            // otherwise sleep until a file of the cache is written (or the interval ends).
            let interval = session.sleepInterval(pollInterval: pollInterval)
            fds[4].fd = session.isSettling ? -1 : session.fileChangeDescriptor
            let ready = poll(&fds, nfds_t(fds.count), Int32(interval * 1000))
            if ready < 0 && errno != EINTR { break }
            if fds[1].revents != 0 || terminal.quitRequested { break }
            if fds[0].revents & Int16(POLLHUP | POLLERR) != 0 { break }  // the terminal went away
            // ncurses is asked for keys when the terminal has input, when it changed size (the
            // resize pipe; SIGWINCH itself may land on another thread and cut no sleep short here),
            // when a signal cut the sleep short, and once a second in case it holds one back; an
            // idle wake costs one poll and one look at the cache, not ncurses' own poll and read.
            let now = DispatchTime.now().uptimeNanoseconds
            let resized = fds[3].revents & Int16(POLLIN) != 0
            if resized { terminal.drainResizeNotices() }
            let lookForKeys = fds[0].revents & Int16(POLLIN) != 0 || resized || ready < 0
                || now - lastKeyCheck >= 1_000_000_000
            var keyReadAt: UInt64 = 0
            var lastKey: Key?
            while lookForKeys, let key = terminal.readKey() {
                if keyReadAt == 0 { keyReadAt = DispatchTime.now().uptimeNanoseconds }
                lastKey = key
                switch key {
                case .resize:
                    session.resize(width: terminal.width, height: terminal.height)
                case .ctrl("l"):
                    terminal.invalidate()
                    session.handle(key)
                default:
                    session.handle(key)
                }
                if session.wantsQuit { break }
            }
            for focused in terminal.takeFocusChanges() { session.focusChanged(focused) }
            if lookForKeys { lastKeyCheck = now }
            // A key's frame is drawn before the tick, whose work (a snapshot rebuilt after a
            // change to the cache: 20 ms on 100,000 tasks) must not hold up what the key showed.
            if keyReadAt != 0, session.needsRedraw, !session.wantsQuit {
                terminal.draw(session.frame())
                if let trace {
                    let micros = (DispatchTime.now().uptimeNanoseconds - keyReadAt) / 1000
                    // The last key read names the frame (a paste's keys make one frame).
                    trace.write(Data("key_to_frame_us \(micros) \(lastKey.map { String(describing: $0) } ?? "")\n".utf8))
                }
            }
            session.tick(inboxReady: fds[2].revents != 0)
            for notice in session.takeTerminalNotices() { terminal.notify(notice) }
            if session.needsRedraw && !session.wantsQuit { terminal.draw(session.frame()) }
        }
        session.shutdown()
        terminal.close()
    }
}
