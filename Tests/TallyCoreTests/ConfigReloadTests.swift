import TallyCore
import TallyTestSupport
import XCTest

/// What a config file read again while the dashboard runs changes: which settings apply at once,
/// which wait for a restart, and when the sync engine must be made anew.
final class ConfigReloadTests: XCTestCase {
    func testSettingsThatApplyAtOnceAndThoseThatWaitForARestart() {
        let old = Config()
        var new = old
        new.theme = "nord"
        new.sort = TaskOrder(.points)
        new.verifyEvery = 600
        new.cachePath = "/elsewhere/cache.db"
        let reload = ConfigReload(from: old, to: new)
        XCTAssertEqual(reload.applied, ["theme", "sort", "verify_every"])
        XCTAssertEqual(reload.needRestart, ["cache"])
        XCTAssertEqual(reload.message, "config reloaded: theme, sort, verify_every · cache needs a restart")
    }

    func testAnUnchangedFileSaysSo() {
        XCTAssertEqual(ConfigReload(from: Config(), to: Config()).message, "config reloaded (nothing changed)")
    }

    /// The verification's schedule is the sync engine's: a new `verify_every` makes a new engine,
    /// a new theme does not.
    func testTheSyncEngineIsMadeAnewOnlyForWhatItReads() {
        let old = Config()
        var verify = old
        verify.verifyEvery = 0
        XCTAssertTrue(ConfigReload.changesSync(from: old, to: verify))
        var theme = old
        theme.theme = "nord"
        XCTAssertFalse(ConfigReload.changesSync(from: old, to: theme))
    }

    /// A `[notify]` table added while running applies at once (the dashboard makes its rules anew).
    func testANotifyTableAppliesAtOnce() throws {
        let dir = TempDirectory()
        let path = dir.file("config.toml")
        try "[notify]\ncommand = [\"true\"]\n".write(toFile: path, atomically: true, encoding: .utf8)
        let new = try Config.resolve(Config.Overrides(config: path), environment: ["HOME": dir.path])
        try "theme = \"default\"\n".write(toFile: dir.file("plain.toml"), atomically: true, encoding: .utf8)
        let old = try Config.resolve(Config.Overrides(config: dir.file("plain.toml")), environment: ["HOME": dir.path])
        XCTAssertNotNil(new.notify)
        XCTAssertEqual(ConfigReload(from: old, to: new).applied, ["notify"])
    }
}
