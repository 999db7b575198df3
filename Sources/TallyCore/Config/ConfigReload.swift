import Foundation

/// Where the running settings came from, so that the config file can be read again while the
/// dashboard runs: the same flags and environment, which still win over the file.
public struct ConfigSource: Sendable {
    public var overrides: Config.Overrides
    public var environment: [String: String]

    public init(overrides: Config.Overrides, environment: [String: String]) {
        self.overrides = overrides
        self.environment = environment
    }

    /// The config file these settings read (it may not exist yet).
    public var path: String { Config.filePath(overrides, environment: environment) }

    /// The settings as they are now: flag > `TALLY_*` > file > default, as at start.
    public func load() throws -> Config { try Config.resolve(overrides, environment: environment) }
}

/// Notices edits to the config file: its identity, size and modification time, looked at with
/// one `stat`. A change is reported once the file has stayed the same for one more look, so an
/// editor caught half-way through writing it is not read.
public struct ConfigWatch: Sendable {
    public let path: String
    private var shown: Stamp?
    private var seen: Stamp?

    /// What `stat` says of the file, nil when there is none.
    struct Stamp: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var seconds: Int
        var nanoseconds: Int

        static func of(_ path: String) -> Stamp? {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return Stamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                         seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
        }
    }

    /// Watches `path` as it is now (what the running settings were read from).
    public init(path: String) {
        self.path = path
        shown = Stamp.of(path)
        seen = shown
    }

    /// Looks at the file; true when it changed since the settings were last read and has not
    /// changed since the look before (read it again now).
    public mutating func look() -> Bool {
        let now = Stamp.of(path)
        defer { seen = now }
        guard now != shown, now == seen else { return false }
        shown = now
        return true
    }
}

/// What a re-read config changes, compared with the running settings: the settings that apply
/// at once and those that need a restart (the cache file, the primary, read-only, the
/// `sync_command`, the poll interval: what the running process was opened with).
public struct ConfigReload: Sendable, Equatable {
    /// The names (as in the file) of the changed settings that apply while running.
    public var applied: [String] = []
    /// The names of the changed settings that take effect at the next start.
    public var needRestart: [String] = []

    public init(from old: Config, to new: Config) {
        func check(_ name: String, _ changed: Bool, live: Bool = true) {
            guard changed else { return }
            if live { applied.append(name) } else { needRestart.append(name) }
        }
        check("theme", old.theme != new.theme)
        check("sort", old.sort != new.sort)
        check("refresh", old.refreshInterval != new.refreshInterval)
        check("stale_after", old.staleAfter != new.staleAfter)
        check("away_after", old.awayAfter != new.awayAfter)
        check("away_refresh", old.awayRefresh != new.awayRefresh)
        check("scope", old.scope != new.scope)
        check("time_zone", old.timeZone != new.timeZone)
        check("day", old.workdayStart != new.workdayStart || old.workdayEnd != new.workdayEnd)
        check("target_points", old.targetPoints != new.targetPoints)
        check("history_days", old.historyDays != new.historyDays)
        check("chunk_size", old.chunkSize != new.chunkSize || old.fullChunkSize != new.fullChunkSize)
        check("oura_cache", old.ouraCachePath != new.ouraCachePath)
        check("verify_every", old.verifyEvery != new.verifyEvery)
        check("notify", old.notify != new.notify)
        check("cache", old.cachePath != new.cachePath, live: false)
        check("primary", old.primaryURL != new.primaryURL, live: false)
        check("read_only", old.readOnly != new.readOnly, live: false)
        check("sync_command", old.syncCommand != new.syncCommand, live: false)
        check("poll", old.pollInterval != new.pollInterval, live: false)
    }

    /// Whether the sync engine's settings changed (what it reads, and how).
    public static func changesSync(from old: Config, to new: Config) -> Bool {
        old.scope != new.scope || old.historyDays != new.historyDays || old.chunkSize != new.chunkSize
            || old.fullChunkSize != new.fullChunkSize || old.timeZone != new.timeZone || old.verifyEvery != new.verifyEvery
    }

    /// The status line: "config reloaded: theme, sort · cache needs a restart".
    public var message: String {
        var text = "config reloaded"
        if !applied.isEmpty { text += ": " + applied.joined(separator: ", ") }
        if applied.isEmpty, needRestart.isEmpty { text += " (nothing changed)" }
        if !needRestart.isEmpty {
            text += " · \(needRestart.joined(separator: ", ")) need\(needRestart.count == 1 ? "s" : "") a restart"
        }
        return text
    }
}
