import Foundation
import TallyCore

/// Sends every logger of the test process to a file (`$TALLY_TEST_LOG`, else `tally-tests.log` in
/// the temporary directory) instead of stderr, where swift-log writes when nothing is set up:
/// retried syncs and queued completions are expected in tests and would bury the results.
///
/// Started by the helpers nearly every test uses (`TempDirectory`, `PostgresServer`,
/// `FixtureCache`, `Tally.run`), before any of Tally's types makes a logger.
public enum TestLog {
    public static let path: String = {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["TALLY_TEST_LOG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? NSTemporaryDirectory() + "tally-tests.log"
        FileLogHandler.bootstrap(path: path, level: .debug)
        return path
    }()

    /// Starts logging to the file once; later calls do nothing.
    public static func start() { _ = path }
}
