import TallyCore
import XCTest

/// What a config file read again while the dashboard runs changes: which settings apply at once,
/// which wait for a restart, and when the sync engine must be made anew.
final class ConfigReloadTests: XCTestCase {
    func testSettingsThatApplyAtOnceAndThoseThatWaitForARestart() {
        let old = Config()
        var new = old
        new.theme = "nord"
        new.sort = .points
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
}
