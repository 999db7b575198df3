import Foundation
import GRDB

/// `tally doctor`: checks a cache file without changing it, and rebuilds a damaged one.
public enum CacheDoctor {
    public struct Check: Sendable, Equatable {
        public enum Level: String, Sendable { case ok, warning, problem }
        public var name: String
        public var level: Level
        public var detail: String
    }

    public struct Report: Sendable {
        public var path: String
        public var checks: [Check]
        /// True when the file cannot be trusted and should be rebuilt.
        public var isDamaged: Bool

        public var hasProblems: Bool { checks.contains { $0.level == .problem } }
    }

    /// Inspects `path`: integrity (`PRAGMA quick_check`), WAL mode, schema, migrations, sizes,
    /// last sync, outbox depth, failures and permissions. Opens the file read-only.
    public static func check(path: String, now: Date = Date()) -> Report {
        var checks: [Check] = []
        let fm = FileManager.default
        func add(_ name: String, _ level: Check.Level, _ detail: String) {
            checks.append(Check(name: name, level: level, detail: detail))
        }
        guard fm.fileExists(atPath: path) else {
            add("file", .problem, "no cache at \(path)")
            return Report(path: path, checks: checks, isDamaged: false)
        }
        do {
            try FileSafety.requireRegularFile(path)
        } catch {
            // Not read at all: opening a pipe would wait for a writer, a device holds no cache.
            add("file", .problem, error.userMessage)
            return Report(path: path, checks: checks, isDamaged: false)
        }
        let attributes = (try? fm.attributesOfItem(atPath: path)) ?? [:]
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let walSize = ((try? fm.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.int64Value ?? 0
        add("size", .ok, "\(formatBytes(size)) (+ \(formatBytes(walSize)) WAL)")
        let mode = ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0) & 0o777
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent  // a bare file name lives in the working directory
        let dirMode = (((try? fm.attributesOfItem(atPath: directory))?[.posixPermissions] as? NSNumber)?.intValue ?? 0) & 0o777
        if mode & 0o077 != 0 || dirMode & 0o077 != 0 {
            add("permissions", .warning, String(format: "file %03o, directory %03o: others can read your tasks (expected 600 / 700)", mode, dirMode))
        } else {
            add("permissions", .ok, String(format: "file %03o, directory %03o", mode, dirMode))
        }
        if !fm.isWritableFile(atPath: path) { add("writable", .warning, "the file is read-only: the dashboard shows it but cannot sync or complete") }

        guard FileSafety.looksLikeSQLite(path) else {
            add("integrity", .problem, "not a SQLite database (bad header)")
            return Report(path: path, checks: checks, isDamaged: true)
        }
        // Read before SQLite opens the file (see FileSafety.looksLikeSQLite).
        let headerSaysWAL = walHeader(path)
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        do {
            let (queue, immutable) = try ReadOnlyAccess.openQueue(path: path, configuration: config)
            defer { try? queue.close() }
            if immutable != nil {
                add("access", .warning, "the directory is read-only and the file has no -shm: read as immutable (its WAL holds no changes)")
            }
            let damaged = try queue.read { db -> Bool in
                let result = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
                if result == ["ok"] {
                    add("integrity", .ok, "quick_check ok")
                } else {
                    add("integrity", .problem, "quick_check: " + result.prefix(3).joined(separator: "; "))
                    return true
                }
                // An immutable connection never enters WAL mode; the header says what the file is.
                let journal = immutable != nil && headerSaysWAL
                    ? "wal" : try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
                add("journal", journal.lowercased() == "wal" ? .ok : .warning, "journal_mode \(journal)")
                var missing: [String] = []
                for table in WorkOSSchema.contractTables where try !db.tableExists(table) { missing.append(table) }
                add("schema", missing.isEmpty ? .ok : .problem,
                    missing.isEmpty ? "WorkOS tables present" : "missing: \(missing.joined(separator: ", "))")
                let applied = try db.tableExists("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
                add("schema version", applied.contains(TallyMigrations.latest) ? .ok : .warning,
                    applied.isEmpty ? "no Tally tables yet (created on first write)" : applied.joined(separator: ", "))
                for namespace in Namespace.allCases where try db.tableExists(namespace.cacheTable) {
                    let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(namespace.cacheTable)") ?? 0
                    add("rows", .ok, "\(namespace.rawValue): \(count)")
                }
                if try db.tableExists("cache_meta") {
                    let last = try CacheMeta.lastSyncs(db).overall
                    add("last sync", last == nil ? .warning : .ok,
                        last.map { "\(Timestamp.format($0)) (\(RelativeTime.ago($0, now: now)))" } ?? "never")
                    // Whose rows these are, and when they were last compared with that primary.
                    let (verified, change, record) = try SnapshotReader.provenance(db)
                    let filled = PrimaryIdentity.decode(record)
                    if let change {
                        add("primary", .warning, "rows of \(change.from); a sync refills the cache from \(change.to)")
                    } else if let filled {
                        add("primary", .ok, "filled from \(filled.name)")
                    }
                    if let verified, let at = Timestamp.parse(verified.finishedAt) {
                        add("verified", .ok, "\(RelativeTime.ago(at, now: now)) (\(verified.whole ? "the whole cache at once" : "a scheduled pass")): \(verified.summary)")
                    } else if filled != nil {
                        add("verified", .ok, "not yet (the first pass runs within verify_every of a sync)")
                    }
                }
                if let coverage = try HistoryStore.coverage(db) {
                    let tasks = try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_history_tasks") ?? 0
                    let goals = try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_history_goals") ?? 0
                    let read = Timestamp.parse(coverage.fetchedAt).map { RelativeTime.ago($0, now: now) } ?? coverage.fetchedAt
                    add("history", .ok, "\(coverage.days) days from the primary: \(tasks) done tasks, \(goals) goal rows (read \(read))")
                }
                if try db.tableExists(OutboxEntry.databaseTableName) {
                    let depth = try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL") ?? 0
                    add("outbox", depth == 0 ? .ok : .warning, depth == 0 ? "empty" : "\(depth) completions waiting for the primary")
                    let failures = try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_sync_failures WHERE resolved_at IS NULL") ?? 0
                    add("failures", failures == 0 ? .ok : .warning, "\(failures) unresolved")
                    let running = try Int64.fetchOne(db, sql: "SELECT job_id FROM tally_sync_jobs WHERE status = 'running'")
                    if let running { add("jobs", .ok, "job \(running) running") }
                }
                return false
            }
            return Report(path: path, checks: checks, isDamaged: damaged)
        } catch let error as DatabaseError where !isDamage(error) {
            // Not damage: the file could not be opened to look at it (a read-only directory
            // without the WAL's -shm file, say). Rebuilding would not help.
            add("integrity", .problem, "could not open the file to check it: \(error.message ?? "\(error.resultCode)")"
                + (fm.isWritableFile(atPath: directory.isEmpty ? "." : directory) ? "" : " (its directory is read-only)"))
            return Report(path: path, checks: checks, isDamaged: false)
        } catch let error as DatabaseError {
            add("integrity", .problem, "SQLite: \(error.message ?? "\(error.resultCode)")")
            return Report(path: path, checks: checks, isDamaged: true)
        } catch let error as TallyError {
            // The WAL cannot be read here (ReadOnlyAccess); not damage either.
            add("integrity", .problem, "could not open the file to check it: \(error.userMessage)")
            return Report(path: path, checks: checks, isDamaged: false)
        } catch {
            add("integrity", .problem, error.userMessage)
            return Report(path: path, checks: checks, isDamaged: true)
        }
    }

    /// Whether the file's header marks it a WAL database (read and write versions 2). Only
    /// before SQLite opens `path` in this process, like `FileSafety.looksLikeSQLite`.
    static func walHeader(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 20), header.count == 20 else { return false }
        return header[header.startIndex + 18] == 2 && header[header.startIndex + 19] == 2
    }

    /// Whether SQLite's error says the file itself is broken (not merely unreadable here).
    static func isDamage(_ error: DatabaseError) -> Bool {
        [.SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_FORMAT].contains(error.resultCode)
    }

    /// `PRAGMA quick_check` on a read-only connection of its own: nil when the file is sound (or
    /// cannot be opened for a reason that is not damage), else the first problems it found.
    /// Safe to run on any thread while the cache is open elsewhere in the process: it opens the
    /// file only through SQLite, whose Unix VFS shares the process's POSIX locks between
    /// connections. (Reading the header with a plain file handle and closing it would drop every
    /// lock the process holds on the file, and another process would then take itself for the
    /// last connection and delete the WAL under the dashboard.)
    public static func quickCheck(path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        do {
            let queue = try ReadOnlyAccess.openQueue(path: path, configuration: config).queue
            defer { try? queue.close() }
            let result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(3)") }
            return result == ["ok"] ? nil : "quick_check: " + result.prefix(3).joined(separator: "; ")
        } catch let error as DatabaseError where isDamage(error) {
            return error.message ?? "\(error.resultCode)"
        } catch {
            return nil
        }
    }

    static func formatBytes(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// Moves a damaged cache aside as `cache.db.damaged-<timestamp>` (with its WAL and SHM) and
    /// returns the new name. The caller then creates a fresh cache and syncs it in full.
    public static func moveAside(path: String, now: Date = Date()) throws -> String {
        let stamp = Timestamp.format(now).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: ".", with: "")
        let aside = "\(path).damaged-\(stamp)"
        let fm = FileManager.default
        try FileSafety.requireRegularFile(path)
        do {
            try fm.moveItem(atPath: path, toPath: aside)
            for suffix in ["-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
                try fm.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
        } catch {
            throw TallyError.io("Could not move the damaged cache aside: \(error.localizedDescription)")
        }
        return aside
    }

    /// Rebuilds the cache at `config.cachePath` from the primary: moves the damaged file aside,
    /// creates a fresh cache and runs a full sync. Returns the moved-aside path and the sync.
    public static func repair(config: Config) async throws -> (aside: String?, summary: SyncSummary) {
        guard let location = try config.primaryLocation() else {
            throw TallyError.badArgument("Repair rebuilds the cache from the primary, and none is configured (--primary URL).")
        }
        let path = config.cachePath
        let primary = try Workspace.makePrimary(location)
        // Only a primary that answers may replace the cache: otherwise the person would be left
        // with an empty cache and the old one aside.
        do {
            _ = try await primary.count(.clients, after: nil)
        } catch {
            await primary.close()
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            throw TallyError.io("\(failure.message) The cache was left as it was.")
        }
        var aside: String?
        if FileManager.default.fileExists(atPath: path) { aside = try moveAside(path: path) }
        let cache = try CacheStore(path: path, createDirectory: config.cachePathIsDefault)
        let summary = try await SyncEngine(cache: cache, primary: primary, options: SyncOptions(config)).run(kind: .full, full: true)
        await primary.close()
        return (aside, summary)
    }
}
