import Foundation

/// Keeps Tally's writes out of the way of another program writing the same cache file.
///
/// The WorkOS MCP server writes the cache with no busy timeout and rewrites a table as a DELETE
/// followed by plain INSERTs: a statement of its that meets Tally's write lock fails at once
/// ("database is locked"), and an INSERT of an id Tally wrote back after the DELETE fails as a
/// UNIQUE violation. Either leaves its table half-filled until its next run. So before each
/// write transaction Tally looks at when the file's write-ahead log last changed: when another
/// process wrote it less than `quiet` seconds ago (its rewrite is a stream of commits a few
/// milliseconds apart), Tally waits until that process has been quiet that long, at most
/// `maxWait`; a writer that never goes quiet (an appending soak at 100 writes a second) still
/// lets Tally's write through, with SQLite's busy timeout on Tally's side as before.
///
/// "Another process" is told from Tally's own commits by time: the log changed after the end
/// of Tally's last commit, in this process or another one (every Tally process touches the marker
/// file `<cache>.tally-writes` after it writes, so two of them never wait for each other; they
/// share SQLite's busy timeout instead).
///
/// File times are coarse (a clock tick of a few milliseconds), so a commit made just after one
/// of Tally's can carry a time that reads as Tally's own: exactly the WorkOS server's DELETE that
/// begins a rewrite right after one of a sync's commits, whose INSERTs the sync's next
/// transaction then met. `CacheStore.write` therefore says, when it knows, whether another
/// connection committed since this process's last write (`PRAGMA data_version` on the writer
/// connection moves only then): if none did, nothing is waited for; if one did, its commit is
/// taken to be no older than the end of Tally's.
public final class WriteCourtesy: @unchecked Sendable {
    public let path: String
    public var quiet: TimeInterval
    public var maxWait: TimeInterval
    private let lock = NSLock()
    // Guarded by `lock`: when this process's last write to the file ended, and until when not to
    // wait at all (after a writer outlasted `maxWait`).
    private var ownWriteEnded = Date.distantPast
    private var notWaitingUntil = Date.distantPast
    /// After a writer outlasted `maxWait`, how long Tally writes without waiting: a writer that
    /// never goes quiet would otherwise hold up every one of Tally's transactions.
    public var persistentWriterPause: TimeInterval = 30

    /// Touched after each of Tally's writes, by any Tally process.
    let marker: String

    public init(path: String, quiet: TimeInterval = 0.5, maxWait: TimeInterval = 3) {
        self.path = path
        self.marker = path + ".tally-writes"
        self.quiet = quiet
        self.maxWait = maxWait
    }

    /// When the file's log was last written, by anyone: the `-wal` of a WAL database (the main
    /// file changes at checkpoints too, and when the last connection closes), or the `-journal`
    /// of a writer in rollback mode. Without either, nobody is writing.
    /// An empty `-wal` is one a reader just made; only a writer puts frames in it.
    func lastWrite() -> Date? {
        Self.modified(path + "-wal", nonEmpty: true) ?? Self.modified(path + "-journal", nonEmpty: true)
    }

    static func modified(_ file: String, nonEmpty: Bool = false) -> Date? {
        var info = stat()
        guard stat(file, &info) == 0, !nonEmpty || info.st_size > 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    /// Marks a write of Tally's: the marker file's time becomes now (made, mode 0600, if missing).
    func markOwnWrite() {
        if utimensat(AT_FDCWD, marker, nil, AT_SYMLINK_NOFOLLOW) != 0 {
            let fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd >= 0 { close(fd) }
        }
    }

    /// When another process last wrote the file, if that is less than `quiet` seconds before `now`.
    ///
    /// - Parameter othersCommitted: whether another connection committed since this process's
    ///   last write, when the caller knows (nil: told by the files' times alone).
    public func otherWriter(now: Date = Date(), othersCommitted: Bool? = nil) -> Date? {
        guard othersCommitted != false, let written = lastWrite() else { return nil }
        let ownEnded = lock.withLock { ownWriteEnded }
        let marked = Self.modified(marker) ?? .distantPast
        var other = written
        if othersCommitted == true {
            // Another Tally process marked a write after this one's last: it is the committer
            // unless the log changed after its mark.
            if marked > ownEnded, written <= marked.addingTimeInterval(0.005) { return nil }
            // Whatever time the log carries, that commit came after this process's last write.
            other = max(written, ownEnded)
        } else if written <= max(ownEnded, marked).addingTimeInterval(0.005) {
            return nil
        }
        return now.timeIntervalSince(other) < quiet ? other : nil
    }

    /// True while another process is writing the file.
    public var isOtherWriterActive: Bool { otherWriter() != nil }

    /// Waits until no other process has written for `quiet` seconds, or `maxWait` has passed.
    /// Returns how long it waited.
    @discardableResult
    public func waitForQuiet(othersCommitted: Bool? = nil,
                             sleep: (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }) -> TimeInterval {
        let start = Date()
        if othersCommitted == false || lock.withLock({ start < notWaitingUntil }) { return 0 }
        while let written = otherWriter(othersCommitted: othersCommitted) {
            let now = Date()
            if now.timeIntervalSince(start) >= maxWait {
                let pause = persistentWriterPause
                lock.withLock { notWaitingUntil = now.addingTimeInterval(pause) }
                break
            }
            sleep(max(0.005, min(0.05, quiet - now.timeIntervalSince(written))))
        }
        return Date().timeIntervalSince(start)
    }

    /// Runs `write` after waiting for quiet, and notes its end as this process's own write.
    ///
    /// - Parameter othersCommitted: see `otherWriter(now:othersCommitted:)`.
    public func around<T>(othersCommitted: Bool? = nil, _ write: () throws -> T) rethrows -> T {
        waitForQuiet(othersCommitted: othersCommitted)
        defer {
            // The mark first: a mark later than this process's last write is another process's.
            markOwnWrite()
            lock.withLock { ownWriteEnded = Date() }
        }
        return try write()
    }
}
