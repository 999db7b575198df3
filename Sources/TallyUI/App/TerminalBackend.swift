import TallyCore

/// What the dashboard needs of a terminal: its size, drawing a buffer, reading a key. The
/// ncurses terminal (`TallyTerminal.Terminal`) is one; `TallyApp.TestTerminal` is another, so
/// the dashboard's loop runs in tests without a terminal (see docs/ARCHITECTURE.md).
public protocol TerminalBackend: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// Readable (poll(2)) when a key may be waiting.
    var inputFileDescriptor: Int32 { get }
    /// Readable when the process was asked to quit (SIGTERM, SIGHUP); -1 for none.
    var quitFileDescriptor: Int32 { get }
    /// True once a quit signal arrived.
    var quitRequested: Bool { get }
    /// Readable when the terminal changed size (SIGWINCH), so the loop wakes for it at once;
    /// -1 for none. The loop empties it with `drainResizeNotices()` and reads `.resize` keys.
    var resizeFileDescriptor: Int32 { get }
    /// Empties what made `resizeFileDescriptor` readable.
    func drainResizeNotices()
    /// Draws the buffer (only the cells that changed since the last draw).
    func draw(_ buffer: Buffer)
    /// Forgets what is on screen so the next draw repaints everything (Ctrl-L).
    func invalidate()
    /// The next key if one is waiting; never blocks.
    func readKey() -> Key?
    /// Focus reports read since the last call (true: focus in), oldest first; a terminal that
    /// does not report focus returns none.
    func takeFocusChanges() -> [Bool]
    /// Writes a notification's escape sequence (or the bell) between frames (`[notify]`).
    func notify(_ notice: TerminalNotice)
    /// Gives the terminal back (safe to call twice).
    func close()
}

extension TerminalBackend {
    public var resizeFileDescriptor: Int32 { -1 }
    public func drainResizeNotices() {}
}
