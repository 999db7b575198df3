import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Keeps the counts and the digests kept beside the cache (`KeptCounts`, `KeptDigests`) through
/// the one commit Tally makes itself when it opens the cache for writing.
///
/// Opening a pool on a cache whose log is empty makes GRDB write a table in and out of the log
/// (so that readers can open it). That commit changes the cache's version, though no row
/// changed, so without this a writable dashboard's first frame would never find its counts.
/// The writer connection's WAL hook tells how many frames the log held right after that commit
/// and what the log's index said then; when the version after opening is the kept version plus
/// exactly that commit (the log empty before, exactly those frames and salts after, the file
/// itself untouched), no other program committed in between, and the kept counts and digests
/// are written again under the new version. Anything else leaves them be: the first frame
/// counts, the first sync scans.
final class OpeningCommit: Sendable {
    /// The version before the pool opened, read on the writer connection as it opened.
    private let before = Mutex<CacheVersion?>(nil)
    /// Each commit of the writer while the pool opened: frames in the log after it, and the
    /// index's frame count and salts read then.
    private let commits = Mutex<[Commit]>([])

    struct Commit: Equatable, Sendable {
        var logFrames: Int32
        var indexFrames: UInt32
        var salt1: UInt32
        var salt2: UInt32
    }

    let path: String

    init(path: String) {
        self.path = path
    }

    /// Called as the writer connection opens, before GRDB's own set-up writes: reads the
    /// version and starts listening to the connection's commits.
    func connectionOpened(_ db: Database) {
        guard !db.configuration.readonly, let connection = db.sqliteConnection else { return }
        before.withLock { $0 = CacheVersion.read(path: path, db) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_wal_hook(connection, { context, connection, _, frames in
            guard let context else { return SQLITE_OK }
            let opening = Unmanaged<OpeningCommit>.fromOpaque(context).takeUnretainedValue()
            let header = connection.flatMap(WALIndexHeader.init)
            opening.commits.withLock {
                $0.append(Commit(logFrames: frames, indexFrames: header?.word(at: 16) ?? 0,
                                 salt1: header?.word(at: 32) ?? 0, salt2: header?.word(at: 36) ?? 0))
            }
            return SQLITE_OK
        }, context)
    }

    /// Called once the pool is open: gives the connection SQLite's own WAL hook back (the one
    /// that checkpoints the log as it grows) and keeps the counts through the commit when that
    /// was the only one.
    func poolOpened(_ pool: DatabasePool) {
        let after: CacheVersion? = pool.writeWithoutTransaction { db in
            if let connection = db.sqliteConnection { sqlite3_wal_autocheckpoint(connection, 1000) }
            return CacheVersion.read(path: path, db)
        }
        guard let before = before.withLock({ $0 }), let after,
              Self.isOnlyChange(from: before, to: after, commits: commits.withLock { $0 }) else { return }
        if var counts = KeptCounts.read(cachePath: path, matching: before) {
            counts.version = after
            counts.write(cachePath: path)
        }
        if var digests = KeptDigests.read(cachePath: path, matching: before) {
            digests.version = after
            digests.write(cachePath: path)
        }
    }

    /// Whether `after` is `before` plus exactly the commits recorded, and those were one.
    static func isOnlyChange(from before: CacheVersion, to after: CacheVersion, commits: [Commit]) -> Bool {
        guard before.walFrames == 0, commits.count == 1, let commit = commits.first,
              commit.logFrames > 0, UInt32(commit.logFrames) == commit.indexFrames else { return false }
        var expected = before
        expected.walFrames = commit.indexFrames
        expected.walSalt1 = commit.salt1
        expected.walSalt2 = commit.salt2
        return after == expected
    }
}
