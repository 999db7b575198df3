import Foundation
import GRDB
import GRDBSQLite

/// Reading a WAL cache in a directory Tally may not write: a read-only cache is shown in full.
///
/// SQLite reads a WAL database through its `-shm` wal-index. A read-only connection can use an
/// existing `-shm` it may read, or create one when it may write the directory; otherwise every
/// read fails (`SQLITE_CANTOPEN` / `SQLITE_READONLY`). The third way SQLite documents
/// (https://www.sqlite.org/wal.html, "Read-Only Databases") is the `immutable=1` URI parameter,
/// which takes no locks and ignores the `-wal` file. That is correct only while the log holds no
/// commits, so it is used only when there is no `-wal` file or it holds no frame, and a reader
/// opened that way reopens when the file or its log changes (`FileState`).
enum ReadOnlyAccess {
    /// What an `immutable` connection takes to be fixed: the file and its log as they were.
    struct FileState: Equatable {
        var size: Int64?
        var modified: Date?
        var inode: UInt64?
        var walSize: Int64?
        var walModified: Date?

        /// From `lstat(2)`, as `FileManager.attributesOfItem` read it, without its attribute
        /// dictionary, which cast each value at run time.
        init(path: String) {
            if let file = Self.status(path) {
                size = Int64(file.st_size)
                modified = Self.date(file.st_mtim)
                inode = UInt64(file.st_ino)
            }
            if let wal = Self.status(path + "-wal") {
                walSize = Int64(wal.st_size)
                walModified = Self.date(wal.st_mtim)
            }
        }

        private static func status(_ path: String) -> stat? {
            var info = stat()
            return lstat(path, &info) == 0 ? info : nil
        }

        private static func date(_ time: timespec) -> Date {
            Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000)
        }
    }

    /// Whether `path-wal` may hold a commit: at least its 32-byte header and one 24-byte frame
    /// header. An empty log (or none) means the main file holds every commit.
    static func walHasFrames(_ path: String) -> Bool {
        (FileState(path: path).walSize ?? 0) >= 32 + 24
    }

    /// Whether a failed read-only open may be SQLite missing the `-shm` it cannot create.
    static func isSharedMemoryFailure(_ primaryCode: Int32) -> Bool {
        primaryCode == SQLITE_CANTOPEN || primaryCode == SQLITE_READONLY
    }

    /// An absolute `file:` URI for `path` with `immutable=1` (`%`, `?` and `#` escaped).
    static func immutableURI(_ path: String) -> String {
        var absolute = path
        if !absolute.hasPrefix("/") {
            absolute = FileManager.default.currentDirectoryPath + "/" + absolute
        }
        var escaped = ""
        for character in absolute.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return "file://" + escaped + "?immutable=1"
    }

    /// Whether this SQLite reads `file:` names passed to `sqlite3_open_v2` without
    /// `SQLITE_OPEN_URI` (GRDB passes none): true when it was built with `SQLITE_USE_URI`.
    static var uriFilenamesByDefault: Bool { sqlite3_compileoption_used("USE_URI") != 0 }

    /// Opens `path` for reading only, touching the schema so a failure shows here.
    ///
    /// - Returns: the queue and, when it was opened `immutable`, the state of the file it saw
    ///   (the caller reopens when `FileState(path:)` no longer equals it).
    /// - Throws: `TallyError.cacheLogUnreadable` when the normal open fails for want of the
    ///   `-shm` and the log holds commits (or SQLite cannot take a URI); else SQLite's error.
    static func openQueue(path: String, configuration: Configuration) throws -> (queue: DatabaseQueue, immutable: FileState?) {
        do {
            return (try openAndTouch(path, configuration), nil)
        } catch let error as DatabaseError where isSharedMemoryFailure(error.resultCode.rawValue)
                    && FileManager.default.isReadableFile(atPath: path) {
            // Taken before opening, so a change made while it opens shows as a change later.
            let state = FileState(path: path)
            guard !walHasFrames(path) else { throw TallyError.cacheLogUnreadable(path, logHasCommits: true) }
            guard uriFilenamesByDefault else { throw TallyError.cacheLogUnreadable(path, logHasCommits: false) }
            return (try openAndTouch(immutableURI(path), configuration), state)
        }
    }

    private static func openAndTouch(_ path: String, _ configuration: Configuration) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        do {
            // Touch the schema now so a damaged or foreign file fails here, not mid-frame.
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        } catch {
            try? queue.close()
            throw error
        }
    }
}
