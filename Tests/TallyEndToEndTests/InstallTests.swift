import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// `make install`: the binaries, the themes, the man page and the bash, zsh and fish
/// completions, laid out under a prefix as a packager or a person expects them.
final class InstallTests: XCTestCase {
    /// Every command name in the tree, from the parser's own description of it.
    func commandNames() throws -> [String] {
        let dump = try Tally.run(["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var names: [String] = []
        func walk(_ command: [String: Any]) {
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                if let name = sub["commandName"] as? String, name != "help" { names.append(name) }
                walk(sub)
            }
        }
        walk(try XCTUnwrap(root["command"] as? [String: Any]))
        return names
    }

    func testTheCompletionScriptsKnowEveryCommand() throws {
        let names = try commandNames()
        for expected in ["dash", "status", "complete", "habits", "habit", "done", "primary", "init", "seed-demo", "mcp", "doctor"] {
            XCTAssertTrue(names.contains(expected), "\(expected) in \(names)")
        }
        for shell in ["bash", "zsh", "fish"] {
            let script = try Tally.run(["--generate-completion-script", shell])
            XCTAssertEqual(script.status, 0, script.stderr)
            for name in names {
                XCTAssertTrue(script.stdout.contains(name), "\(shell) completes \(name)")
            }
            // The options a person types most (fish names them without their dashes: `-l 'format'`).
            for option in ["cache", "primary", "format", "json"] {
                let written = shell == "fish" ? "-l '\(option)'" : "--\(option)"
                XCTAssertTrue(script.stdout.contains(written), "\(shell) completes --\(option)")
            }
        }
    }

    /// bash, which is always here, completes with the script: `tally sta<Tab>` → `status`.
    func testBashCompletesACommandWithTheScript() throws {
        let dir = TempDirectory("tally-completion")
        let script = try Tally.run(["--generate-completion-script", "bash"])
        try script.stdout.write(toFile: dir.file("tally.bash"), atomically: true, encoding: .utf8)
        let completed = shell("""
            bash -c 'source "\(dir.file("tally.bash"))"; COMP_WORDS=(tally sta); COMP_CWORD=1; COMP_LINE="tally sta"; \
            COMP_POINT=9; _tally tally sta tally; echo "${COMPREPLY[*]}"'
            """)
        XCTAssertEqual(completed.status, 0, completed.output)
        XCTAssertEqual(completed.output.trimmingCharacters(in: .whitespacesAndNewlines), "status")
    }

    func testMakeInstallLaysEverythingOutUnderThePrefix() throws {
        let prefix = TempDirectory("tally-prefix")
        let built = (Repository.binary as NSString).deletingLastPathComponent
        let make = shell("cd '\(Repository.root)' && make install PREFIX='\(prefix.path)' BUILT='\(built)' 2>&1", timeout: 1800)
        XCTAssertEqual(make.status, 0, make.output)

        let fm = FileManager.default
        for program in ["tally", "tally-mcp"] {
            XCTAssertTrue(fm.isExecutableFile(atPath: prefix.file("bin/\(program)")), program)
        }
        let version = spawn([prefix.file("bin/tally"), "--version"], environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertEqual(version.stdout, try Tally.run(["--version"]).stdout, "the installed tally is the one built")

        let themes = try fm.contentsOfDirectory(atPath: Repository.root + "/Themes").filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertFalse(themes.isEmpty)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: prefix.file("share/tally/themes")).sorted(), themes)

        let scripts = ["bash": "share/bash-completion/completions/tally", "zsh": "share/zsh/site-functions/_tally",
                       "fish": "share/fish/vendor_completions.d/tally.fish"]
        for (shell, path) in scripts {
            let installed = try String(contentsOfFile: prefix.file(path), encoding: .utf8)
            XCTAssertEqual(installed, try Tally.run(["--generate-completion-script", shell]).stdout, path)
        }

        let manual = try String(contentsOfFile: prefix.file("share/man/man1/tally.1"), encoding: .utf8)
        XCTAssertTrue(manual.contains(".Dt TALLY 1"), String(manual.prefix(400)))
        for name in try commandNames() {
            XCTAssertTrue(manual.contains(name), "the man page names \(name)")
        }
        XCTAssertTrue(manual.contains("--format"), "and the options")
    }
}
