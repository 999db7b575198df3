import Foundation
import Logging
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

    /// Writes what a test saw to the file too: XCTest on Linux can lose a failure's message (and
    /// the test's own prints) from its output, and the file is kept with the run's logs.
    public static func note(_ text: String, file: String = #fileID, line: Int = #line) {
        start()
        Logger(label: "tally.tests").notice("\(file):\(line): \(text)")
    }
}
