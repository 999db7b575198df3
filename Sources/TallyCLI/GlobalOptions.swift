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

    /// A positive number of seconds given as `text` to `--name`, or nil when not given.
    public static func seconds(_ name: String, _ text: String?) throws -> Double? {
        guard let text else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw ValidationError("\(name) must be a number of seconds, got \(text.debugDescription).")
        }
        guard value > 0 else { throw ValidationError("\(name) must be more than 0 seconds, got \(text).") }
        return value
    }

    /// The settings after precedence, with logging sent to the state directory. `theme` and
    /// `refresh` come from the commands that draw the dashboard (`DashboardOptions`).
    public func resolve(theme: String? = nil, refresh: Double? = nil) throws -> Config {
        let environment = ProcessInfo.processInfo.environment
        let config = try Config.resolve(
            Config.Overrides(cache: cache, primary: primary, config: self.config, theme: theme,
                             refresh: refresh, staleAfter: try Self.seconds("stale-after", staleAfter),
                             readOnly: readOnly),
            environment: environment)
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

    /// The workspace of a command that reads the cache and never creates it (`tasks`,
    /// `failures`, `complete`): a missing file is "no cache at …", exit 3.
    public func existingWorkspace() async throws -> Workspace {
        try await Workspace.open(try resolve())
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

    @Option(name: .long, parsing: .unconditional,
            help: "Seconds between the background checks for stale data (default 60).")
    public var refresh: String?

    public func validate() throws {
        _ = try GlobalOptions.seconds("refresh", refresh)
    }

    public var refreshSeconds: Double? { try? GlobalOptions.seconds("refresh", refresh) }
}
