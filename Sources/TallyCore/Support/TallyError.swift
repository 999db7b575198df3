import Foundation

/// Everything Tally reports to a person: one line that says what happened and what to do.
///
/// The CLI prints `errorDescription` on stderr and exits non-zero; the dashboard shows it in its
/// status line; the log keeps the underlying detail. No case ever carries a credential.
public enum TallyError: LocalizedError, Equatable, Sendable {
    case cacheDirectoryMissing(String)
    case cacheMissing(String)
    case notADatabase(String)
    case cacheDamaged(String, detail: String)
    case cacheReadOnly(String)
    case cacheUnwritable(String, reason: String)
    /// A WAL cache SQLite cannot read here: it would have to create the `-shm` in a directory
    /// this user may not write, and the log holds commits (or this SQLite takes no URI names).
    case cacheLogUnreadable(String, logHasCommits: Bool)
    case badPrimaryURL(String, reason: String)
    case noPrimary
    case primaryUnreachable(String, reason: String)
    case primaryAuth(String, user: String)
    case primarySchema(String, reason: String)
    case unknownTask(Int64)
    case invalidPoints(String)
    case badConfig(path: String, line: Int?, reason: String)
    case badTheme(path: String, line: Int?, reason: String)
    case unknownTheme(String, available: [String], lookedIn: [String])
    case badArgument(String)
    case syncAlreadyRunning(Int64)
    case conflict(String)
    case io(String)

    public var errorDescription: String? {
        switch self {
        case .cacheDirectoryMissing(let path):
            return "The cache directory \(path) does not exist; create it or pass --cache with another path."
        case .cacheMissing(let path):
            return "No cache at \(path); `tally --primary URL` or `tally sync --primary URL` creates it from a primary, "
                + "`tally demo` makes a demo workspace."
        case .notADatabase(let path):
            return "\(path) is not a SQLite database; point --cache at a WorkOS cache file."
        case .cacheDamaged(let path, let detail):
            return "The cache \(path) is damaged (\(detail)); run `tally doctor --repair` to rebuild it from the primary."
        case .cacheReadOnly(let path):
            return "The cache \(path) is read-only; this needs write access (drop --read-only or fix the file's permissions)."
        case .cacheUnwritable(let path, let reason):
            return "Could not write the cache \(path): \(reason)."
        case .cacheLogUnreadable(let path, let logHasCommits):
            let name = (path as NSString).lastPathComponent
            let directory = (path as NSString).deletingLastPathComponent
            let place = "\(name)-shm in \(directory.isEmpty ? "." : directory), which is read-only for you"
            if logHasCommits {
                return "Cannot show the cache \(path): its newest changes are still in \(name)-wal, which SQLite reads "
                    + "only if it may create \(place); make the directory writable, or have the program that writes "
                    + "the cache close it (that moves the changes into the file)."
            }
            return "Cannot show the cache \(path): this SQLite reads a WAL cache only if it may create \(place); "
                + "make the directory writable."
        case .badPrimaryURL(let shown, let reason):
            return "Bad primary URL \(shown): \(reason)."
        case .noPrimary:
            return "No primary is configured; pass --primary URL, set TALLY_PRIMARY or DATABASE_URL, or set sync_command in the config."
        case .primaryUnreachable(let shown, let reason):
            return "Cannot reach the primary \(shown): \(reason)."
        case .primaryAuth(let host, let user):
            return "PostgreSQL at \(host) refused the password for user \(user)."
        case .primarySchema(let shown, let reason):
            return "The primary \(shown) does not have the WorkOS tables (\(reason)); for a new database run `tally primary init`."
        case .unknownTask(let id):
            return "There is no task with id \(id) in the cache."
        case .invalidPoints(let text):
            return "Points must be a whole number from 0 to 1000, got \(text.debugDescription)."
        case .badConfig(let path, let line, let reason):
            return "Config \(path)\(line.map { ", line \($0)" } ?? ""): \(reason)."
        case .badTheme(let path, let line, let reason):
            return "Theme \(path)\(line.map { ", line \($0)" } ?? ""): \(reason)."
        case .unknownTheme(let name, let available, let lookedIn):
            let places = lookedIn.isEmpty ? "" : " (built in, and files in \(lookedIn.joined(separator: " and ")))"
            return "No theme named \(name.debugDescription); the themes are \(available.joined(separator: ", "))\(places)."
        case .badArgument(let message):
            return message
        case .syncAlreadyRunning(let job):
            return "Sync job \(job) is already running for this cache."
        case .conflict(let message):
            return message
        case .io(let message):
            return message
        }
    }
}

extension TallyError {
    /// The exit status of a command that stops on this error: 3 for a missing cache (as
    /// `tally status` reports it), 1 for everything else.
    public var exitStatus: Int32 {
        if case .cacheMissing = self { return 3 }
        return 1
    }
}

extension Error {
    /// The one line a person should see for this error.
    public var userMessage: String {
        if let error = self as? LocalizedError, let text = error.errorDescription { return text }
        return String(describing: self)
    }
}

extension TallyError {
    /// A write to the cache that the file system refused (`SQLITE_FULL`, `SQLITE_IOERR`), said in
    /// the terms a person can act on: a full disk, a file-size limit, or else an I/O error.
    public static func cacheWriteFailed(_ path: String, sqliteMessage: String?) -> TallyError {
        let directory = (path as NSString).deletingLastPathComponent
        if let free = freeBytes(onVolumeOf: directory.isEmpty ? "." : directory), free < 1 << 20 {
            return .cacheUnwritable(path, reason: "the disk is full (\(free / 1024) KiB free); free some space and try again")
        }
        if fileSizeIsLimited {
            return .cacheUnwritable(path, reason: "the file size limit (ulimit -f) was reached")
        }
        return .cacheUnwritable(path, reason: "an I/O error (\(sqliteMessage ?? "unknown"))")
    }

    /// Bytes an unprivileged process may still write on the volume holding `directory`.
    static func freeBytes(onVolumeOf directory: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// Whether this process runs under a file-size limit (`ulimit -f`, `prlimit --fsize`).
    static var fileSizeIsLimited: Bool {
        var limit = rlimit()
        #if os(Linux)
        guard getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0 else { return false }
        return limit.rlim_cur != rlim_t.max
        #else
        guard getrlimit(RLIMIT_FSIZE, &limit) == 0 else { return false }
        return limit.rlim_cur != RLIM_INFINITY
        #endif
    }
}
