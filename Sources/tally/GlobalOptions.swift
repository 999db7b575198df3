import ArgumentParser
import Foundation
import Logging
import TallyCore

/// The options every command shares (SPEC §8).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite cache (default ~/.workos-cache/cache.db).")
    var cache: String?

    @Option(name: .long, help: "The primary: postgres://user:pass@host:port/db[?sslmode=require] or sqlite:///path.db.")
    var primary: String?

    @Option(name: .long, help: "Config file (default $XDG_CONFIG_HOME/tally/config.toml).")
    var config: String?

    @Option(name: .long, help: "Colour theme name (see Themes/).")
    var theme: String?

    @Option(name: .long, help: "Seconds between background staleness checks (default 60).")
    var refresh: Double?

    @Option(name: .customLong("stale-after"), help: "Seconds after which cached data is stale (default 900).")
    var staleAfter: Double?

    @Flag(name: .customLong("read-only"), help: "Never write the cache.")
    var readOnly = false

    func validate() throws {
        for (name, value) in [("--refresh", refresh), ("--stale-after", staleAfter)] {
            if let value, !(value.isFinite && value > 0) {
                throw ValidationError("\(name) must be a positive number of seconds.")
            }
        }
    }

    /// The settings after precedence, with logging sent to the state directory.
    func resolve() throws -> Config {
        let environment = ProcessInfo.processInfo.environment
        let config = try Config.resolve(
            Config.Overrides(cache: cache, primary: primary, config: self.config, theme: theme,
                             refresh: refresh, staleAfter: staleAfter, readOnly: readOnly),
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

    func workspace() throws -> Workspace {
        try Workspace.open(try resolve())
    }

    nonisolated(unsafe) private static var loggingStarted = false

    static func startLogging(environment: [String: String]) {
        guard !loggingStarted else { return }
        loggingStarted = true
        FileLogHandler.bootstrap(path: Config.stateDirectory(environment: environment) + "/tally.log")
    }
}
