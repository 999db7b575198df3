import TallyCLI
import XCTest

/// `QuickArguments` reads only the plain forms and hands everything else to ArgumentParser
/// (nil), so a command line it accepts means what ArgumentParser would make of it. The debug
/// build's check against the root parse (`Tally.parseQuickly`) covers the commands themselves.
final class QuickArgumentsTests: XCTestCase {
    private let options: Set<String> = ["--cache", "--size"]
    private let flags: Set<String> = ["--read-only", "--ansi"]

    private func parse(_ words: [String]) -> QuickArguments? {
        QuickArguments(words, options: options, flags: flags)
    }

    func testThePlainFormsAreRead() throws {
        let parsed = try XCTUnwrap(parse(["--read-only", "--cache", "/tmp/c.db", "--size=80x24"]))
        XCTAssertEqual(parsed.value("--cache"), "/tmp/c.db")
        XCTAssertEqual(parsed.value("--size"), "80x24")
        XCTAssertTrue(parsed.flag("--read-only"))
        XCTAssertFalse(parsed.flag("--ansi"))
        XCTAssertNil(parsed.value("--theme"))
        XCTAssertNotNil(parse([]))
    }

    func testAValueMayHoldAnEqualsSign() throws {
        XCTAssertEqual(parse(["--cache=/tmp/a=b.db"])?.value("--cache"), "/tmp/a=b.db")
        XCTAssertEqual(parse(["--cache", "/tmp/a=b.db"])?.value("--cache"), "/tmp/a=b.db")
    }

    /// Each of these is ArgumentParser's to read or to refuse with its own message.
    func testAnythingElseIsLeftToArgumentParser() {
        let others: [[String]] = [
            ["--help"], ["-h"], ["--version"], ["--theme", "nord"],    // not this command's plain options
            ["x"], ["--cache", "a", "extra"],                          // a word that is not an option
            ["--cache"], ["--cache="], ["--cache", ""],                // a missing or empty value
            ["--cache", "-x"], ["--size=-5"], ["--cache", "--ansi"],   // a value that looks like an option
            ["--cache", "a", "--cache", "b"], ["--ansi", "--ansi"],    // a name given twice
            ["--ansi=yes"], ["--read-only=true"],                      // a flag given a value
            ["--"], ["-"],
        ]
        for words in others {
            XCTAssertNil(parse(words), "\(words)")
        }
    }

    func testTheGlobalOptionsAreSetFromTheirNames() throws {
        let arguments = try XCTUnwrap(QuickArguments(
            ["--cache", "/c.db", "--primary", "sqlite:///p.db", "--config", "/t.toml", "--stale-after", "60", "--read-only"],
            options: GlobalOptions.quickOptions, flags: GlobalOptions.quickFlags))
        let global = try XCTUnwrap(GlobalOptions(quick: arguments))
        XCTAssertEqual(global.cache, "/c.db")
        XCTAssertEqual(global.primary, "sqlite:///p.db")
        XCTAssertEqual(global.config, "/t.toml")
        XCTAssertEqual(global.staleAfter, "60")
        XCTAssertTrue(global.readOnly)
    }

    func testGlobalOptionsThatFailValidationAreLeftToArgumentParser() throws {
        let arguments = try XCTUnwrap(QuickArguments(["--stale-after", "soon"], options: GlobalOptions.quickOptions,
                                                     flags: GlobalOptions.quickFlags))
        XCTAssertNil(GlobalOptions(quick: arguments))
    }

    /// Every option `GlobalOptions` declares has a quick name: one added there and not here
    /// would leave its value unread by the quick parse.
    func testTheQuickNamesAreTheDeclaredOnes() {
        let help = GlobalOptions.helpMessage(columns: 200)
        let declared = Set(help.split(whereSeparator: { " ,<>[]\n".contains($0) })
            .filter { $0.hasPrefix("--") && $0 != "--help" }.map(String.init))
        XCTAssertEqual(declared, GlobalOptions.quickOptions.union(GlobalOptions.quickFlags))
    }
}
