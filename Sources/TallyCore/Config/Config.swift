import Foundation
import TOMLKit

/// Tally's settings after precedence: command-line flag > `TALLY_*` environment > config file >
/// default. `DATABASE_URL` is the last resort for the primary.
public struct Config: Sendable, Equatable {
    public var cachePath: String = CacheStore.defaultPath
    /// True when the cache path is the default one (its directory is then created if missing).
    public var cachePathIsDefault = true
    /// The raw primary URL; parse with `primaryLocation()`. Never print it: it may hold a password.
    public var primaryURL: String?
    /// Where `primaryURL` came from (`--primary`, `TALLY_PRIMARY`, the config file, `DATABASE_URL`),
    /// named when it does not parse.
    public var primarySource: String?
    public var theme: String = "default"
    /// Seconds between the background timer's staleness checks.
    public var refreshInterval: Double = 60
    /// Seconds without a key (or terminal focus) after which the dashboard is away: it lets go of
    /// the primary so a serverless one can stop (`Presence`). Idle connections close after as long.
    public var awayAfter: Double = 600
    /// Seconds between background syncs while away; 0: none until someone comes back.
    public var awayRefresh: Double = 3600
    /// Per-namespace staleness, seconds.
    public var staleAfter: [Namespace: Double] = Dictionary(uniqueKeysWithValues: Namespace.allCases.map { ($0, 900) })
    public var readOnly = false
    public var targetPoints = Ledger.defaultTarget
    /// Run instead of a primary sync in cache-only mode (e.g. the WorkOS server's `npm run sync`).
    public var syncCommand: String?
    /// How often the dashboard checks `PRAGMA data_version`, seconds.
    public var pollInterval: Double = 0.25
    /// Rows per chunk of an incremental sync (`chunk_size`): one fetch, one cache transaction.
    public var chunkSize = 500
    /// Rows per chunk of a full sync (warm-up, `--full`, a repair), which reads whole tables by
    /// id. Still one cache transaction each with the job's progress, so a kill loses at most one
    /// chunk; but every transaction rewrites the index pages its rows land on and is a query of
    /// its own: with 500-row chunks a 100,000-task sync took 1.7 times `psql \copy | sqlite3
    /// .import`, with 2,000 1.2; 10,000 took 7 % less of Tally's time than 2,000 (BENCHMARKS.md).
    public var fullChunkSize = 10_000
    /// Which primary rows the cache's contract tables hold (`[scope]`).
    public var scope = SyncScope.workos
    /// Days of history (`history_days`) kept in Tally's own tables when `[scope]` keeps fewer
    /// done tasks: what the history view's calendar and streaks can reach. 0: none.
    public var historyDays = Config.defaultHistoryDays
    /// 53 weeks: the widest calendar the history view draws.
    public static let defaultHistoryDays = 371
    /// Seconds between passes of the scheduled verification (`verify_every`), which compares
    /// the whole cache with the primary by digests; 0: never.
    public var verifyEvery: Double = Config.defaultVerifyEvery
    public static let defaultVerifyEvery: Double = 3600
    /// The widest `verify_every` other than 0: 31 days.
    public static let verifyEveryRange: ClosedRange<Double> = 60...2_678_400
    /// The working day for today's pace (`[day]` `start`/`end`, hours 0–24).
    public var workdayStart: Double = 9
    public var workdayEnd: Double = 18
    /// The zone whose midnight starts "today" (`time_zone`, an IANA name); nil: the local one.
    /// The WorkOS programs use one fixed zone (America/New_York in its code).
    public var timeZone: String?
    /// The Oura cache WorkOS reads today's readiness from (`oura_cache`); nil: where WorkOS
    /// looks (`OuraCache.defaultPath`).
    public var ouraCachePath: String?
    /// What the running dashboard tells the person about and how (`[notify]`); nil: nothing.
    public var notify: NotifySettings?

    /// The task pane's order when the dashboard opens (`sort`): `o` and `O` change it from there.
    public var sort = TaskOrder.workos

    /// The working day, in local hours.
    public var workday: ClosedRange<Double> { workdayStart...max(workdayStart, workdayEnd) }
    public var configPath: String?

    public init() {}

    /// Values given on the command line; nil means "not given".
    public struct Overrides: Sendable {
        public var cache: String?
        public var primary: String?
        public var config: String?
        public var theme: String?
        public var refresh: Double?
        public var staleAfter: Double?
        public var readOnly: Bool = false

        public init(cache: String? = nil, primary: String? = nil, config: String? = nil, theme: String? = nil,
                    refresh: Double? = nil, staleAfter: Double? = nil, readOnly: Bool = false) {
            self.cache = cache
            self.primary = primary
            self.config = config
            self.theme = theme
            self.refresh = refresh
            self.staleAfter = staleAfter
            self.readOnly = readOnly
        }
    }

    /// The default config file: `$XDG_CONFIG_HOME/tally/config.toml` (or `~/.config/…`).
    public static func defaultConfigPath(environment: [String: String]) -> String {
        configDirectory(environment: environment) + "/config.toml"
    }

    public static func configDirectory(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? FileSafety.home) + "/.config")
        return base + "/tally"
    }

    public static func stateDirectory(environment: [String: String]) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? FileSafety.home) + "/.local/state")
        return base + "/tally"
    }

    /// Resolves the settings. A config file named by flag or `TALLY_CONFIG` must exist; the
    /// default one is optional.
    public static func resolve(_ flags: Overrides, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Config {
        var config = Config()
        config.cachePath = (environment["HOME"] ?? FileSafety.home) + "/.workos-cache/cache.db"
        let explicit = flags.config ?? environment["TALLY_CONFIG"]
        let path = filePath(flags, environment: environment)
        if FileManager.default.fileExists(atPath: path) {
            try config.load(file: path)
            config.configPath = path
        } else if explicit != nil {
            throw TallyError.badConfig(path: path, line: nil, reason: "no such file")
        }

        func seconds(_ range: SettingRange.Duration, _ variable: String) throws -> Double? {
            guard let text = environment[variable] else { return nil }
            switch range.named(variable).parse(text) {
            case .success(let value): return value
            case .failure(let refusal): throw TallyError.badArgument(refusal.reason + ".")
            }
        }
        if let cache = environment["TALLY_CACHE"], !cache.isEmpty { config.setCache(cache) }
        if let primary = environment["TALLY_PRIMARY"], !primary.isEmpty { config.setPrimary(primary, from: "TALLY_PRIMARY") }
        if let theme = environment["TALLY_THEME"], !theme.isEmpty { config.theme = theme }
        if let refresh = try seconds(SettingRange.refresh, "TALLY_REFRESH") { config.refreshInterval = refresh }
        if let stale = try seconds(SettingRange.staleAfter, "TALLY_STALE_AFTER") { config.setStaleAfter(stale) }
        if let away = try seconds(SettingRange.awayAfter, "TALLY_AWAY_AFTER") { config.awayAfter = away }
        if let away = try seconds(SettingRange.awayRefresh, "TALLY_AWAY_REFRESH") { config.awayRefresh = away }
        if let ro = environment["TALLY_READ_ONLY"], ["1", "true", "yes"].contains(ro.lowercased()) { config.readOnly = true }

        if let cache = flags.cache { config.setCache(cache) }
        if let primary = flags.primary { config.setPrimary(primary, from: "--primary") }
        if let theme = flags.theme { config.theme = theme }
        if let refresh = flags.refresh { config.refreshInterval = refresh }
        if let stale = flags.staleAfter { config.setStaleAfter(stale) }
        if flags.readOnly { config.readOnly = true }

        if config.primaryURL == nil, let url = environment["DATABASE_URL"], !url.isEmpty { config.setPrimary(url, from: "DATABASE_URL") }
        return config
    }

    /// The config file `resolve` reads: `--config`, else `TALLY_CONFIG`, else the default one.
    public static func filePath(_ flags: Overrides, environment: [String: String]) -> String {
        FileSafety.expand(flags.config ?? environment["TALLY_CONFIG"] ?? defaultConfigPath(environment: environment))
    }

    mutating func setCache(_ path: String) {
        cachePath = FileSafety.expand(path)
        cachePathIsDefault = false
    }

    mutating func setPrimary(_ url: String, from source: String) {
        primaryURL = url
        primarySource = source
    }

    mutating func setStaleAfter(_ seconds: Double) {
        for namespace in Namespace.allCases { staleAfter[namespace] = seconds }
    }

    /// For a command that needs no primary (`status`, `tasks`, `render`, …): a `DATABASE_URL`
    /// that does not parse is set aside instead of stopping it. That variable is shared with
    /// other programs, so its shape is not always Tally's; a primary given to Tally itself (a
    /// flag, `TALLY_PRIMARY`, the config) is still checked.
    public mutating func setAsideUnparseableFallbackPrimary() {
        guard primarySource == "DATABASE_URL", (try? primaryLocation()) == nil else { return }
        primaryURL = nil
        primarySource = nil
    }

    /// The Oura cache to read today's readiness from.
    public func ouraCache(environment: [String: String] = ProcessInfo.processInfo.environment) -> OuraCache {
        OuraCache(path: ouraCachePath ?? OuraCache.defaultPath(environment: environment))
    }

    /// The parsed primary, or nil in cache-only mode.
    public func primaryLocation() throws -> PrimaryLocation? {
        guard let url = primaryURL, !url.isEmpty else { return nil }
        do {
            return try PrimaryLocation(parsing: url)
        } catch TallyError.badPrimaryURL(let shown, let reason) {
            throw TallyError.badPrimaryURL(primarySource.map { "\(shown) (from \($0))" } ?? shown, reason: reason)
        }
    }

    /// A `[scope]` table: `categories` (a list, or "all"), `done_days` and `goal_days` (0 keeps all).
    static func scope(_ table: TOMLTable, fail: (String, String) -> TallyError) throws -> SyncScope {
        var scope = SyncScope.workos
        for name in table.keys {
            guard let entry = table[name] else { continue }
            switch name {
            case "categories":
                if entry.string == "all" {
                    scope.taskCategories = nil
                } else if let list = entry.array {
                    let names = list.compactMap(\.string)
                    guard names.count == list.count, !names.isEmpty else {
                        throw fail(name, "categories in [scope] must be a list of category names or \"all\"")
                    }
                    scope.taskCategories = names
                } else {
                    throw fail(name, "categories in [scope] must be a list of category names or \"all\"")
                }
            case "done_days", "goal_days":
                guard let days = entry.int, days >= 0, days <= 100_000 else {
                    throw fail(name, "\(name) in [scope] must be a whole number of days (0 keeps everything)")
                }
                if name == "done_days" { scope.doneDays = days == 0 ? nil : days } else { scope.goalDays = days == 0 ? nil : days }
            default:
                throw fail(name, "unknown setting \(name.debugDescription) in [scope] (categories, done_days, goal_days)")
            }
        }
        return scope
    }

    /// Reads `path`; unknown keys are errors (a typo should not be silently ignored).
    mutating func load(file path: String) throws {
        let file = try TOMLFile(path: path) { .badConfig(path: $0, line: $1, reason: $2) }
        func fail(_ key: String, _ reason: String) -> TallyError {
            .badConfig(path: path, line: file.line(of: key), reason: reason)
        }
        func seconds(_ key: String, _ value: any TOMLValueConvertible, _ range: SettingRange.Duration) throws -> Double {
            guard let number = value.double ?? value.int.map(Double.init) else {
                throw fail(key, "\(range.name) must be a positive number of seconds")
            }
            switch range.check(number) {
            case .success(let checked): return checked
            case .failure(let refusal): throw fail(key, refusal.reason)
            }
        }
        func text(_ key: String, _ value: any TOMLValueConvertible) throws -> String {
            guard let string = value.string else { throw fail(key, "\(key) must be a string") }
            return string
        }
        for key in file.table.keys {
            guard let value = file.table[key] else { continue }
            switch key {
            case "cache": setCache(try text(key, value))
            case "primary": setPrimary(try text(key, value), from: "primary in \(path)")
            case "theme": theme = try text(key, value)
            case "refresh": refreshInterval = try seconds(key, value, SettingRange.refresh)
            case "poll": pollInterval = try seconds(key, value, SettingRange.poll)
            case "away_after": awayAfter = try seconds(key, value, SettingRange.awayAfter)
            case "away_refresh":
                guard value.double != nil || value.int != nil else {
                    throw fail(key, "away_refresh must be a number of seconds (0: never sync while away)")
                }
                awayRefresh = try seconds(key, value, SettingRange.awayRefresh)
            case "sync_command": syncCommand = try text(key, value)
            case "read_only":
                guard let flag = value.bool else { throw fail(key, "read_only must be true or false") }
                readOnly = flag
            case "target_points":
                guard let points = value.int, points > 0, points <= 1000 else {
                    throw fail(key, "target_points must be a whole number from 1 to 1000")
                }
                targetPoints = points
            case "chunk_size":
                guard let size = value.int, size >= 1, size <= 100_000 else {
                    throw fail(key, "chunk_size must be a whole number from 1 to 100000")
                }
                chunkSize = size
            case "full_chunk_size":
                guard let size = value.int, size >= 1, size <= 100_000 else {
                    throw fail(key, "full_chunk_size must be a whole number from 1 to 100000")
                }
                fullChunkSize = size
            case "scope":
                if let name = value.string {
                    switch name {
                    case "all": scope = .everything
                    case "workos": scope = .workos
                    default: throw fail(key, "scope must be \"workos\", \"all\" or a [scope] table")
                    }
                } else if let table = value.table {
                    scope = try Self.scope(table, fail: fail)
                } else {
                    throw fail(key, "scope must be \"workos\", \"all\" or a [scope] table")
                }
            case "verify_every":
                let number = value.double ?? value.int.map(Double.init)
                guard let number, number == 0 || Self.verifyEveryRange.contains(number) else {
                    throw fail(key, "verify_every must be 0 (never) or a number of seconds from 60 to 2678400 (31 days)")
                }
                verifyEvery = number
            case "history_days":
                guard let days = value.int, (0...36600).contains(days) else {
                    throw fail(key, "history_days must be a whole number of days from 0 to 36600")
                }
                historyDays = days
            case "time_zone":
                let name = try text(key, value)
                guard TimeZone(identifier: name) != nil else {
                    throw fail(key, "time_zone must be an IANA zone name such as \"America/New_York\", not \(name.debugDescription)")
                }
                timeZone = name
            case "oura_cache":
                ouraCachePath = FileSafety.expand(try text(key, value))
            case "sort":
                guard let name = value.string, let chosen = TaskSort(rawValue: name.lowercased()) else {
                    throw fail(key, "sort must be one of \(TaskSort.names.map(\.debugDescription).joined(separator: ", "))")
                }
                sort = TaskOrder(chosen)
            case "notify":
                guard let table = value.table else { throw fail(key, "[notify] must be a table (command, events, …)") }
                notify = try NotifySettings.parse(table, fail: fail)
            case "day":
                guard let table = value.table else { throw fail(key, "[day] must be a table with start and end hours") }
                for name in table.keys {
                    guard let entry = table[name], let hour = entry.double ?? entry.int.map(Double.init), (0...24).contains(hour) else {
                        throw fail(name, "\(name) in [day] must be an hour from 0 to 24")
                    }
                    switch name {
                    case "start": workdayStart = hour
                    case "end": workdayEnd = hour
                    default: throw fail(name, "unknown setting \(name.debugDescription) in [day] (start, end)")
                    }
                }
                guard workdayEnd > workdayStart else { throw fail(key, "[day] end must be after start") }
            case "stale_after":
                if let table = value.table {
                    for name in table.keys {
                        guard let namespace = Namespace(rawValue: name), let entry = table[name] else {
                            throw fail(name, "unknown namespace \(name.debugDescription) in [stale_after] (clients, tasks, goals, habits)")
                        }
                        staleAfter[namespace] = try seconds(name, entry, SettingRange.staleAfter.named("stale_after.\(name)"))
                    }
                } else {
                    setStaleAfter(try seconds(key, value, SettingRange.staleAfter))
                }
            default:
                throw fail(key, "unknown setting \(key.debugDescription)")
            }
        }
    }
}
