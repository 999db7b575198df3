import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// `tally status --format` as a status bar runs it: one line, exit 0 whenever it printed one,
/// nothing written to the cache, one line on stderr for a bad template.
final class StatusLineTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }

    override func setUpWithError() throws {
        dir = TempDirectory("tally-status")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func json() throws -> [String: Any] {
        let result = try Tally.run(["status", "--json", "--cache", cache])
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stderr)
    }

    func testATemplateAndThePresetsPrintOneLineOfTodaysFigures() throws {
        let figures = try json()
        let earned = try XCTUnwrap(figures["points"] as? Int), target = try XCTUnwrap(figures["target"] as? Int)
        let line = try Tally.run(["status", "--cache", cache, "--format", "{earned}/{target} · {streak} · {failures} · {queued}"])
        XCTAssertEqual(line.status, 0, line.stderr)
        XCTAssertEqual(line.stdout, "\(earned)/\(target) · \(figures["current_streak"] as? Int ?? -1) · 0 · 0\n")
        XCTAssertEqual(line.stderr, "")

        let tmux = try Tally.run(["status", "--cache", cache, "--format", "tmux"])
        XCTAssertEqual(tmux.status, 0, tmux.stderr)
        XCTAssertTrue(tmux.stdout.hasPrefix("#[fg="), tmux.stdout)
        XCTAssertTrue(tmux.stdout.contains("]\(earned)/\(target)#[default] "), tmux.stdout)
        XCTAssertEqual(tmux.stdout.filter { $0 == "\n" }.count, 1)

        let waybar = try Tally.run(["status", "--cache", cache, "--format", "waybar"])
        XCTAssertEqual(waybar.status, 0, waybar.stderr)
        XCTAssertEqual(waybar.stdout.filter { $0 == "\n" }.count, 1, "waybar reads one line")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(waybar.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["text"] as? String, "\(earned)/\(target)")
        XCTAssertEqual((object["class"] as? [String])?.first, figures["pace"] as? String)
        XCTAssertNotNil(object["tooltip"] as? String)
    }

    /// Stale or failed, the line still prints with exit 0 (waybar hides a module whose command
    /// fails); only a missing cache is an error. The bar's polls write nothing to the cache.
    func testHealthShowsInTheLineNotTheExitStatusAndNothingIsWritten() throws {
        // Last synced long ago: stale.
        let aged = shell("sqlite3 '\(cache)' \"UPDATE cache_meta SET value = '2020-01-01T00:00:00.000Z' WHERE key LIKE 'lastSyncAt%'\"")
        XCTAssertEqual(aged.status, 0, aged.output)
        XCTAssertEqual(try Tally.run(["status", "--cache", cache]).status, 1, "the plain line says stale with 1")
        let stale = try Tally.run(["status", "--cache", cache, "--format", "tmux"])
        XCTAssertEqual(stale.status, 0, stale.stderr)
        XCTAssertTrue(stale.stdout.contains("#[fg=yellow]stale#[default]"), stale.stdout)
        XCTAssertEqual(try Tally.run(["status", "--cache", cache, "--format", "{next_sync}"]).stdout, "due\n")

        let before = try Data(contentsOf: URL(fileURLWithPath: cache))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: cache + "-wal"))) ?? Data()
        for _ in 0..<3 { XCTAssertEqual(try Tally.run(["status", "--cache", cache, "--format", "waybar"]).status, 0) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: cache)), before, "no lookups counted, nothing written")
        XCTAssertEqual((try? Data(contentsOf: URL(fileURLWithPath: cache + "-wal"))) ?? Data(), wal)

        let missing = try Tally.run(["status", "--cache", dir.file("nope.db"), "--format", "waybar"])
        XCTAssertEqual(missing.status, 3)
        XCTAssertEqual(missing.stdout, "")
        XCTAssertTrue(missing.stderr.hasPrefix("tally: No cache at "), missing.stderr)
    }

    func testABadTemplateIsOneLineNamingThePlaceholders() throws {
        let bad = try Tally.run(["status", "--cache", cache, "--format", "{earned}/{goal}"])
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertEqual(bad.stdout, "")
        XCTAssertEqual(bad.stderr.filter { $0 == "\n" }.count, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("tally: Unknown placeholder {goal} in --format; the placeholders are {earned} {target} {minimum} {streak} {pace} {pressure} {done} {habits_done} {habits} {next_sync} {failures}"),
                      bad.stderr)
        let both = try Tally.run(["status", "--cache", cache, "--format", "tmux", "--json"])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.contains("--json and --format cannot be used together"), both.stderr)
        let hostile = try Tally.run(["status", "--cache", cache, "--format", "{\u{1b}]0;owned\u{07}}"])
        XCTAssertEqual(hostile.status, 64)
        XCTAssertFalse(hostile.stderr.contains("\u{1b}"), "no escape reaches the terminal")
    }

    /// A template's text goes out through the same cleaner as every line: no escape sequence
    /// a template (or a name) holds reaches the terminal.
    func testTheTemplatesOwnTextIsCleaned() throws {
        let line = try Tally.run(["status", "--cache", cache, "--format", "\u{1b}[2J{earned}\u{07}"])
        XCTAssertEqual(line.status, 0, line.stderr)
        XCTAssertFalse(line.stdout.contains("\u{1b}"), line.stdout)
        XCTAssertFalse(line.stdout.contains("\u{07}"), line.stdout)
    }
}
