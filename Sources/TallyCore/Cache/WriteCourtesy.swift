import Foundation
import Synchronization

/// Keeps Tally's writes out of the way of another program writing the same cache file.
///
/// The WorkOS MCP server writes the cache with no busy timeout and rewrites a table as a DELETE
/// followed by plain INSERTs, one commit each: a statement of its that meets Tally's write lock
/// fails at once ("database is locked"), and an INSERT of an id Tally wrote back after the
/// DELETE fails as a UNIQUE violation. Either leaves its table half-filled until its next run.
/// So before each write transaction Tally looks at when the file's write-ahead log last changed,
/// and while another process is writing it waits (suspending, on the caller's clock) until that
/// writer's burst of commits has ended, then writes at once: the moment after a burst is the one
/// farthest from the next.
///
/// A WorkOS rewrite ends with its `cache_meta.lastSyncAt` (the last statement it writes): once
/// that has moved since Tally last looked, the rewrite is over, and a short pause
/// (`finishedQuiet`) is enough; and once a writer has been seen to end a rewrite that way, its
/// commits are taken for a rewrite under way until `lastSyncAt` moves again (or `quiet` passes
/// without a commit), so that a rewrite stalled for a moment by a busy machine is not taken for
/// one that has ended. For any other writer, when a burst has ended is learned from the
/// writer itself: while waiting, the gaps between
/// the commits it sees (the log's modification times, looked at every few milliseconds) tell
/// the writer's pace, and a pause of many of its longest gaps (`paceFactor` of them, at least
/// `minimumQuiet`, at most `quiet`) is the end: a writer stalled for a moment mid-rewrite (a busy
/// machine) must not be taken for one that has finished. Before anything is learned, `quiet`
/// (0.5 s) is the rule. A writer that never pauses (an appending soak at 100
/// writes a second) lets Tally's write through after `maxWait`, with SQLite's busy timeout on
/// Tally's side, and for `persistentWriterPause` after that Tally does not wait for it at all.
///
/// "Another process" is told from Tally's own commits: `CacheStore.write` says whether another
/// connection committed since this process's last write (`PRAGMA data_version` on the writer
/// connection moves only then), and every Tally process touches the marker file
/// `<cache>.tally-writes` after it writes, so two of them never wait for each other (they share
/// SQLite's busy timeout instead). File times are coarse (a clock tick of a few milliseconds), so
/// with `othersCommitted` true a log time that reads as Tally's own is still another's.
public final class WriteCourtesy: Sendable {
    public let path: String
    /// The pause that ends another writer's burst before its pace is known (and the most ever waited for).
    public let quiet: TimeInterval
    /// The least pause that ends a burst, however fast the writer's commits come.
    public let minimumQuiet: TimeInterval
    /// The pause after a writer said its rewrite is over (a new `lastSyncAt`).
    public let finishedQuiet: TimeInterval
    /// At most this long waited for a writer that never pauses.
    public let maxWait: TimeInterval
    /// After a writer outlasted `maxWait`, how long Tally writes without waiting.
    public let persistentWriterPause: TimeInterval

    /// Touched after each of Tally's writes, by any Tally process, and holding the `writerID` of
    /// the one that wrote last.
    let marker: String
    /// This store's mark in the marker file (one per `CacheStore`: two in one process are peers too).
    let writerID = UUID().uuidString

    private struct State {
        /// When this process's last write to the file ended.
        var ownWriteEnded = Date.distantPast
        /// Until when not to wait at all (after a writer outlasted `maxWait`).
        var notWaitingUntil = Date.distantPast
        /// The largest gap seen between another writer's commits within a burst (its pace);
        /// nil until one was seen.
        var burstGap: TimeInterval?
        /// `cache_meta.lastSyncAt` as Tally last saw it (nil: not looked at yet).
        var lastSyncMark: String?
        /// Set when `lastSyncAt` moved since: the other writer's rewrite is over.
        var rewriteFinished = false
        /// Set once another writer was seen to end a rewrite with `lastSyncAt`: its rewrites say
        /// when they end, so a pause within one (a busy machine stalling it) is not its end.
        var endsRewritesWithLastSync = false
        /// The log's time when the rewrite was seen finished: a commit after it begins another.
        var finishedLog: Date?
        /// The shortest pause seen between a rewrite's end and the next one's first commit: a
        /// writer that rewrites over and over begins again about this long after it ends.
        var rewritePause: TimeInterval?
    }

    private let state = Mutex(State())

    /// How many of the writer's longest gaps make a pause that ends its burst.
    public static let paceFactor: Double = 8

    public init(path: String, quiet: TimeInterval = 0.5, minimumQuiet: TimeInterval = 0.15, finishedQuiet: TimeInterval = 0.05,
                maxWait: TimeInterval = 3, persistentWriterPause: TimeInterval = 30) {
        self.finishedQuiet = min(finishedQuiet, quiet)
        self.path = path
        self.marker = path + ".tally-writes"
        self.quiet = quiet
        self.minimumQuiet = min(minimumQuiet, quiet)
        self.maxWait = maxWait
        self.persistentWriterPause = persistentWriterPause
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

    /// Marks a write of Tally's: the marker file's time becomes now and it holds this store's
    /// `writerID` (made, mode 0600, if missing). A symbolic link there is never followed: it is
    /// left as it is.
    func markOwnWrite() {
        let fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else { return }
        let id = Array(writerID.utf8)
        let written = id.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if written == id.count { _ = ftruncate(fd, off_t(id.count)) }
        _ = futimens(fd, nil)
        close(fd)
    }

    /// Whose mark the marker file holds: the `writerID` of the Tally store that wrote last (nil
    /// when it holds none, as an older Tally leaves it).
    func markerHolder() -> String? {
        let fd = open(marker, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }

    /// The pause that ends another writer's burst, as far as its pace is known.
    public var burstEnd: TimeInterval {
        state.withLock { state in
            if state.rewriteFinished { return finishedQuiet }
            // A writer known to end its rewrites with `lastSyncAt` is mid-rewrite until it does:
            // waited for as long as any writer, not only many of its gaps.
            if state.endsRewritesWithLastSync { return quiet }
            guard let gap = state.burstGap else { return quiet }
            return min(quiet, max(minimumQuiet, gap * Self.paceFactor))
        }
    }

    /// `cache_meta.lastSyncAt` as it stands now, looked at right before a write (`mine`: as this
    /// process's own transaction left it). A value that moved since the last look, not by Tally,
    /// says another program's rewrite has ended.
    func note(lastSyncAt mark: String?, mine: Bool = false) {
        // The marker is the rewrite's last statement, written with the time it is written: a
        // commit to the log well after that time belongs to a rewrite begun since.
        let begunSince: Bool
        if !mine, let at = mark.flatMap(Timestamp.parse), let log = lastWrite() {
            begunSince = log.timeIntervalSince(at) > Self.markerLeeway
        } else {
            begunSince = false
        }
        let log = lastWrite()
        state.withLock { state in
            if mine {
                state.rewriteFinished = false
            } else if let known = state.lastSyncMark, known != (mark ?? "") {
                state.rewriteFinished = !begunSince
                state.finishedLog = begunSince ? nil : log
                state.endsRewritesWithLastSync = true
            }
            state.lastSyncMark = mark ?? ""
        }
    }

    /// How much later than the marker's own time its commit may reach the log.
    static let markerLeeway: TimeInterval = 0.25

    /// Another commit seen after a rewrite's end: a new rewrite may have begun.
    func commitSeen() {
        state.withLock { $0.rewriteFinished = false }
    }

    /// When another process last wrote the file, if that is less than `burstEnd` before `now`.
    ///
    /// - Parameter othersCommitted: whether another connection committed since this process's
    ///   last write, when the caller knows (nil: told by the files' times alone).
    public func otherWriter(now: Date = Date(), othersCommitted: Bool? = nil) -> Date? {
        guard othersCommitted != false, let written = lastWrite() else { return nil }
        let ownEnded = state.withLock { $0.ownWriteEnded }
        let marked = Self.modified(marker) ?? .distantPast
        var other = written
        if othersCommitted == true {
            // Another Tally store marked a write after this one's last (this one's mark would be
            // there otherwise): it is the committer unless the log changed after its mark. The
            // holder tells it where the file times are too coarse to (both in one clock tick).
            let peerMarkedLast = markerHolder().map { $0 != writerID } ?? (marked > ownEnded)
            if peerMarkedLast, written <= marked.addingTimeInterval(0.005) { return nil }
            // Whatever time the log carries, that commit came after this process's last write.
            other = max(written, ownEnded)
        } else if written <= max(ownEnded, marked).addingTimeInterval(0.005) {
            return nil
        }
        return now.timeIntervalSince(other) < burstEnd ? other : nil
    }

    /// True while another process is writing the file.
    public var isOtherWriterActive: Bool { otherWriter() != nil }

    /// How long to wait before looking again, or nil to write now. Called right before each write
    /// transaction; `started` is when the caller began waiting for this write.
    func delay(othersCommitted: Bool?, started: Date, now: Date = Date()) -> TimeInterval? {
        if state.withLock({ now < $0.notWaitingUntil }) { return nil }
        if othersCommitted == false { return nextRewriteIsDue(now: now, started: started) ? Self.dueLook : nil }
        guard let written = otherWriter(now: now, othersCommitted: othersCommitted) else {
            return nextRewriteIsDue(now: now, started: started) ? Self.dueLook : nil
        }
        notePause(before: written)
        if now.timeIntervalSince(started) >= maxWait {
            let pause = persistentWriterPause
            state.withLock { $0.notWaitingUntil = now.addingTimeInterval(pause) }
            return nil
        }
        return max(0.002, min(0.02, burstEnd - now.timeIntervalSince(written)))
    }

    /// How far either side of a writer's next rewrite, as its pauses foretell it, a write of
    /// Tally's is held back (a write under load takes a few milliseconds, the writer's start
    /// slips by as many).
    static let dueMargin: TimeInterval = 0.1
    /// How often to look again while a rewrite is due.
    static let dueLook: TimeInterval = 0.01

    /// Whether a writer that rewrites over and over (its pause between rewrites is shorter than
    /// `maxWait`) is about to begin its next rewrite: the moment right after a rewrite is the
    /// one farthest from the next, and the moment its pause runs out the nearest. From half its
    /// pause on, a write waits for that rewrite to begin and end; if it does not begin, the
    /// write goes ahead once the margin has passed. The pause is learnt from the first commit
    /// of a rewrite that a look happened to see, often well into it, so it is longer than the
    /// writer's: a window only around its end let a write through as a rewrite began (1 run in
    /// 10 to 30 of `WriteCourtesyTests`). A writer that pauses for minutes (a WorkOS sync on
    /// request) is never waited for this way.
    func nextRewriteIsDue(now: Date, started: Date) -> Bool {
        guard now.timeIntervalSince(started) < maxWait else { return false }
        return state.withLock { state in
            guard state.endsRewritesWithLastSync, let finished = state.finishedLog,
                  let pause = state.rewritePause, pause < maxWait else { return false }
            let since = now.timeIntervalSince(finished)
            return since >= pause / 2 && since < pause + Self.dueMargin
        }
    }

    /// Another writer's commit seen (its log time, or later) after its last rewrite ended: that
    /// rewrite's pause was at most this long. The shortest seen is kept; it creeps up a little
    /// each time, so a writer that slows down is learned again.
    func notePause(before written: Date) {
        state.withLock { state in
            guard let finished = state.finishedLog, written.timeIntervalSince(finished) > 0.001 else { return }
            let pause = written.timeIntervalSince(finished)
            state.rewritePause = state.rewritePause.map { min(pause, $0 + 0.02) } ?? pause
        }
    }

    /// Notes a commit of another writer seen at `written` while waiting, `gap` after the one seen
    /// before it: gaps shorter than `quiet` are its pace within a burst.
    func learn(gap: TimeInterval, at written: Date? = nil) {
        guard gap > 0 else { return }
        state.withLock { state in
            // A commit after the rewrite was seen finished: another has begun.
            if state.rewriteFinished, let written, let finished = state.finishedLog, written > finished {
                state.rewriteFinished = false
            }
        }
        guard gap < quiet else { return }
        if gap > finishedQuiet { commitSeen() }
        state.withLock { state in
            // The longest gap seen lately: it fades slowly, so a writer that speeds up is learned
            // again, but one stall is remembered for a while.
            state.burstGap = state.burstGap.map { max(gap, $0 * 0.95) } ?? gap
        }
    }

    /// Waits (suspending on `clock`) until no other process is writing, or `maxWait` has passed.
    /// Returns how long it waited.
    @discardableResult
    public func waitForQuiet(othersCommitted: Bool? = nil, clock: any TallyClock = SystemClock()) async -> TimeInterval {
        // The file's times are the system's: they are compared with the system's now. Only the
        // waiting itself is on `clock`.
        let started = Date()
        var lastSeen: Date?
        while let delay = delay(othersCommitted: othersCommitted, started: started) {
            if let written = lastWrite() {
                if let lastSeen, written > lastSeen { learn(gap: written.timeIntervalSince(lastSeen), at: written) }
                lastSeen = written
            }
            do { try await clock.sleep(for: delay) } catch { break }
        }
        return Date().timeIntervalSince(started)
    }

    /// Notes the end of one of this process's writes.
    func wrote() {
        // The mark first: a mark later than this process's last write is another process's.
        markOwnWrite()
        state.withLock { $0.ownWriteEnded = Date() }
    }
}
