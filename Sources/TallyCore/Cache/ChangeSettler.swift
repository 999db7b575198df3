import Foundation

/// Decides when a change to the cache file is shown.
///
/// The WorkOS MCP server rewrites its tables without a transaction: a DELETE, then one
/// autocommitted INSERT per row, and writes `cache_meta.lastSyncAt` last. A reader that rebuilt
/// its view at every commit would show the tables empty or half-filled. So a change is shown once
/// the file has been quiet for `quiet` seconds, which a single outside write passes at once.
/// While a rewrite is suspected (a contract table got smaller than the one on screen) its end is
/// awaited: `lastSyncAt` moving says it (then `quiet` is enough); until it does, a pause is taken
/// for the end only after `rewriteStall` when the cache has a writer that marks its rewrites that
/// way (a `lastSyncAt` that is not Tally's own), or after `rewriteQuiet` otherwise, since a writer
/// that pauses between two rows (a busy machine) must not be taken for one that has finished. A
/// writer that never goes quiet but never shrinks a table (another program appending at 100
/// writes a second) is shown every `maxWait` seconds; a table that stays smaller is shown after
/// `giveUp` at the latest.
///
/// A lone commit is shown at once, without waiting for quiet: when exactly one commit came since
/// the state on screen (the log's commit counter says so, see `ChangeWatcher.commitCounter`),
/// it shrank no contract table, and it put no rows in a table that was empty on screen. A
/// rewrite cannot look like that: its first commit empties a table (a DELETE), or, when the
/// table was empty already, puts the first row back in it; every later state is more than one
/// commit away from the screen.
public struct ChangeSettler: Sendable, Equatable {
    public var quiet: TimeInterval = 0.12
    public var rewriteQuiet: TimeInterval = 0.6
    public var rewriteStall: TimeInterval = 3
    public var maxWait: TimeInterval = 1
    public var giveUp: TimeInterval = 10

    /// `cache_meta.lastSyncAt` as a look finds it, and the last one Tally's own sync wrote.
    public struct SyncMarks: Equatable, Sendable {
        public var lastSyncAt: String?
        public var tallys: String?

        public init(lastSyncAt: String?, tallys: String?) {
            self.lastSyncAt = lastSyncAt
            self.tallys = tallys
        }

        /// Another program wrote the marker last: a WorkOS server that ends its rewrites with it.
        var isAnothers: Bool { lastSyncAt != nil && lastSyncAt != tallys }
    }

    /// When the first change not yet shown was seen.
    public private(set) var firstChange: Date?
    /// When the newest change was seen.
    public private(set) var lastChange: Date?
    /// A table was seen smaller than on screen since the first change.
    public private(set) var sawShrink = false
    /// `lastSyncAt` at the first look since the first change (nil: not looked yet).
    private var markAtFirstLook: String??
    /// `lastSyncAt` moved since the first look: the rewrite under way has ended.
    public private(set) var rewriteEnded = false
    /// The cache has a writer that ends its rewrites with `lastSyncAt` (kept across changes).
    public private(set) var rewriterMarksItsEnd = false
    /// Commits since the state on screen, as the last look counted them (nil: not known).
    public private(set) var commits: Int?
    /// A contract table empty on screen has rows now (a rewrite's first INSERT into it, perhaps).
    public private(set) var filledEmpty = false

    public init() {}

    /// True while a change waits to be shown (the caller looks at the file more often then).
    public var isSettling: Bool { firstChange != nil }

    /// The file changed at `now`.
    public mutating func changed(at now: Date) {
        if firstChange == nil { firstChange = now }
        lastChange = now
    }

    /// Row counts of the contract tables now, against those on screen (a smaller table is a
    /// rewrite in progress, or a deletion), the sync marker as it is now, and how many commits
    /// came since the state on screen (nil when that cannot be counted).
    public mutating func observe(counts: [Namespace: Int], shown: [Namespace: Int], marks: SyncMarks? = nil,
                                 commits: Int? = nil) {
        if shown.contains(where: { namespace, count in (counts[namespace] ?? 0) < count }) { sawShrink = true }
        if Namespace.allCases.contains(where: { (shown[$0] ?? 0) == 0 && (counts[$0] ?? 0) > 0 }) { filledEmpty = true }
        self.commits = commits
        guard let marks else { return }
        if marks.isAnothers { rewriterMarksItsEnd = true }
        if let first = markAtFirstLook {
            if first != marks.lastSyncAt { rewriteEnded = true }
        } else {
            markAtFirstLook = .some(marks.lastSyncAt)
        }
    }

    /// Whether the pending change should be shown at `now`.
    public func shouldShow(at now: Date) -> Bool {
        guard let firstChange, let lastChange else { return false }
        let calm = now.timeIntervalSince(lastChange)
        let waiting = now.timeIntervalSince(firstChange)
        guard sawShrink else { return isLoneCommit || calm >= quiet || waiting >= maxWait }
        if waiting >= giveUp { return true }
        if rewriteEnded { return calm >= quiet }
        return calm >= (rewriterMarksItsEnd ? rewriteStall : rewriteQuiet)
    }

    /// One commit since the screen's state, which neither emptied nor began to fill a table.
    public var isLoneCommit: Bool { commits == 1 && !sawShrink && !filledEmpty }

    /// The change was shown.
    public mutating func shown() {
        commits = nil
        filledEmpty = false
        firstChange = nil
        lastChange = nil
        sawShrink = false
        markAtFirstLook = nil
        rewriteEnded = false
    }
}

/// The identity of a file on disk (device and inode): a file deleted and made anew, or swapped
/// in by a rename, has another one, though its path is the same.
public struct FileIdentity: Equatable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of what is at `path` now; nil when nothing is.
    public static func of(_ path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
