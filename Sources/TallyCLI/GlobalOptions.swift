import ArgumentParser
import Foundation
import Logging
import TallyCore

/// The options every command shares (`tally` and `tally-mcp`).
public struct GlobalOptions: ParsableArguments {
    public init() {}

    @Option(name: .long, help: "The SQLite cache (default ~/.workos-cache/cache.db).")
    public var cache: String?

    @Option(name: .long, help: "The primary: postgres://user:pass@host:port/db[?sslmode=require] or sqlite:///path.db.")
    public var primary: String?

    @Option(name: .long, help: "Config file (default $XDG_CONFIG_HOME/tally/config.toml).")
    public var config: String?

    // `.unconditional`: "-5" is the value, not an unknown option, so the error can say what is wrong.
    @Option(name: .customLong("stale-after"), parsing: .unconditional,
            help: "Seconds after which cached data is stale (default 900).")
    public var staleAfter: String?

    @Flag(name: .customLong("read-only"), help: "Never write the cache.")
    public var readOnly = false

    public func validate() throws {
        _ = try Self.seconds("stale-after", staleAfter)
    }

    /// A number of seconds given as `text` to `--name` (within `SettingRange`'s bounds for the
    /// setting), or nil when not given.
    public static func seconds(_ name: String, _ text: String?) throws -> Double? {
        guard let text else { return nil }
        let range = name == "refresh" ? SettingRange.refresh : SettingRange.staleAfter
        switch range.named(name).parse(text) {
        case .success(let value): return value
        case .failure(let refusal): throw ValidationError(refusal.reason + ".")
        }
    }

    /// A whole number given as `text` to `--name`, within `range`.
    public static func count(_ name: String, _ text: String, in range: ClosedRange<Int>, unit: String? = nil) throws -> Int {
        switch SettingRange.count(text, name: name, in: range, unit: unit) {
        case .success(let value): return value
        case .failure(let refusal): throw ValidationError(refusal.reason + ".")
        }
    }

    /// The settings after precedence, with logging sent to the state directory. `theme` and
    /// `refresh` come from the commands that draw the dashboard (`DashboardOptions`).
    /// `needsPrimary: false` for a command that only reads the cache: a `DATABASE_URL` meant
    /// for another program does not stop it (`Config.setAsideUnparseableFallbackPrimary`).
    public func resolve(theme: String? = nil, refresh: Double? = nil, needsPrimary: Bool = true) throws -> Config {
        let environment = ProcessInfo.processInfo.environment
        var config = try Config.resolve(try overrides(theme: theme, refresh: refresh), environment: environment)
        if !needsPrimary { config.setAsideUnparseableFallbackPrimary() }
        Self.startLogging(environment: environment)
        // `time_zone` makes "today" the same day the WorkOS programs count in: every date and
        // clock Tally shows follows the process's zone.
        if let zone = config.timeZone {
            setenv("TZ", zone, 1)
            tzset()
            NSTimeZone.resetSystemTimeZone()
        }
        return config
    }

    /// The flags as settings that win over the environment and the config file.
    public func overrides(theme: String? = nil, refresh: Double? = nil) throws -> Config.Overrides {
        Config.Overrides(cache: cache, primary: primary, config: config, theme: theme, refresh: refresh,
                         staleAfter: try Self.seconds("stale-after", staleAfter), readOnly: readOnly)
    }

    /// Where `resolve` takes the settings from, for the dashboard to read the config file again
    /// when it changes.
    public func configSource(theme: String? = nil, refresh: Double? = nil) throws -> ConfigSource {
        ConfigSource(overrides: try overrides(theme: theme, refresh: refresh), environment: ProcessInfo.processInfo.environment)
    }

    /// The workspace of a command that reads the cache and never creates it (`tasks`,
    /// `failures`, `complete`): a missing file is "no cache at …", exit 3.
    public func existingWorkspace(needsPrimary: Bool = true) async throws -> Workspace {
        try await Workspace.open(try resolve(needsPrimary: needsPrimary))
    }

    nonisolated(unsafe) private static var loggingStarted = false

    public static func startLogging(environment: [String: String]) {
        guard !loggingStarted else { return }
        loggingStarted = true
        FileLogHandler.bootstrap(path: Config.stateDirectory(environment: environment) + "/tally.log")
    }
}

/// Options only the dashboard uses (`tally`, `tally demo`): the other commands do not list them.
public struct DashboardOptions: ParsableArguments {
    public init() {}

    @Option(name: .long, help: "Colour theme name (default, light, gruvbox, nord, dracula, high-contrast, monochrome, or your own).")
    public var theme: String?

    @OptionGroup public var refresh: RefreshOption

    public var refreshSeconds: Double? { refresh.seconds }
}

/// `--refresh SECONDS`, one definition for the dashboard (`tally`, `tally demo`) and `tally mcp`,
/// the commands that keep the cache fresh while they run.
public struct RefreshOption: ParsableArguments {
    public init() {}

    @Option(name: .long, parsing: .unconditional,
            help: "Seconds between the background checks for stale data (default 60).")
    public var refresh: String?

    public func validate() throws {
        _ = try GlobalOptions.seconds("refresh", refresh)
    }

    /// The value, checked (nil when not given).
    public var seconds: Double? { try? GlobalOptions.seconds("refresh", refresh) }
}
