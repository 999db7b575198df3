import XCTest
import TallyCore
@testable import TallyApp
@testable import TallyUI

final class ThemeTests: XCTestCase {
    /// The repository's `Themes/` folder.
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Themes").path

    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tally-theme-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func write(_ text: String, _ name: String, in folder: String = "user") throws -> String {
        let directory = scratch.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testShippedThemesAllParse() throws {
        let catalog = ThemeCatalog(shippedDirectory: Self.shipped, userDirectory: nil)
        XCTAssertEqual(catalog.names.first, "default")
        for name in ["default", "light", "gruvbox", "nord", "dracula", "high-contrast", "monochrome"] {
            XCTAssertTrue(catalog.names.contains(name), name)
            let theme = try catalog.theme(named: name)
            XCTAssertEqual(theme.name, name)
            XCTAssertNotEqual(theme.style(.selected), theme.style(.main), "\(name): selection must show")
        }
        XCTAssertEqual(catalog.names, ["default"] + catalog.names.dropFirst().sorted())
    }

    func testCompiledInDefaultMatchesTheFile() throws {
        let file = try ThemeCatalog.load(path: Self.shipped + "/default.toml")
        XCTAssertEqual(file, Theme.builtInDefault)
        // Without any theme files the default is still there.
        let bare = ThemeCatalog(shippedDirectory: nil, userDirectory: nil)
        XCTAssertEqual(bare.names, ["default"])
        XCTAssertEqual(try bare.theme(named: "default"), Theme.builtInDefault)
    }

    func testMonochromeIsAttributesOnly() throws {
        let theme = try ThemeCatalog.load(path: Self.shipped + "/monochrome.toml")
        XCTAssertFalse(theme.hasColors)
        for role in ThemeRole.allCases {
            XCTAssertEqual(theme.style(role).fg, .default, "\(role)")
            XCTAssertEqual(theme.style(role).bg, .default, "\(role)")
        }
        XCTAssertTrue(theme.style(.selected).attributes.contains(.reverse))
        XCTAssertTrue(theme.style(.header).attributes.contains(.underline))
        XCTAssertTrue(theme.style(.borderFocused).attributes.contains(.bold))
        XCTAssertTrue(theme.style(.muted).attributes.contains(.dim))
    }

    func testColourfulThemesFallBackOnAttributesOnAMonochromeTerminal() {
        let selected = Theme.builtInDefault.style(.selected)
        XCTAssertNotEqual(selected.bg, .default)
        XCTAssertFalse(selected.attributes.contains(.reverse), "colour carries it")
        let mono = selected.resolved(for: .monochrome)
        XCTAssertEqual(mono.bg, .default)
        XCTAssertTrue(mono.attributes.contains(.reverse))
        XCTAssertEqual(selected.resolved(for: .truecolor).attributes, selected.attributes)
    }

    func testMissingKeysComeFromTheDefaultTheme() throws {
        let theme = try Theme.parse("""
            # only two keys
            accent = "#ff0000"
            selected_bg = "default reverse"
            """, name: "mine", path: "/x/mine.toml")
        XCTAssertEqual(theme.color(.accent), .rgb(255, 0, 0))
        XCTAssertEqual(theme.color(.title), Theme.builtInDefault.color(.title))
        XCTAssertEqual(theme.values[.selectedBg], ThemeValue(.default, attributes: .reverse))
        XCTAssertTrue(theme.style(.selected).attributes.contains(.reverse))
    }

    func testMalformedTOMLNamesFileAndLine() throws {
        let path = try write("title = \"#89b4fa\"\nborder = \n", "broken.toml")
        XCTAssertThrowsError(try ThemeCatalog.load(path: path)) { error in
            guard case TallyError.badTheme(let errorPath, let line, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(errorPath, path)
            XCTAssertEqual(line, 2)
            XCTAssertTrue(error.userMessage.hasPrefix("Theme \(path), line 2: "), error.userMessage)
        }
    }

    func testBadColourNamesFileAndLine() throws {
        let path = try write("# colours\ntitle = \"#89b4fa\"\n\naccent = \"#12345g\"\n", "bad.toml")
        XCTAssertThrowsError(try ThemeCatalog.load(path: path)) { error in
            XCTAssertEqual(error.userMessage,
                           "Theme \(path), line 4: accent: bad colour \"#12345g\" (write #rrggbb or default).")
        }
        XCTAssertThrowsError(try Theme.parse("muted = \"blue\"", name: "x", path: "x.toml"))
        XCTAssertThrowsError(try Theme.parse("muted = \"#123456 blink\"", name: "x", path: "x.toml")) { error in
            XCTAssertTrue(error.userMessage.contains("unknown attribute \"blink\""), error.userMessage)
        }
        XCTAssertThrowsError(try Theme.parse("muted = 12", name: "x", path: "x.toml")) { error in
            XCTAssertTrue(error.userMessage.contains("line 1"), error.userMessage)
        }
    }

    func testUnknownKeyNamesFileAndLine() throws {
        XCTAssertThrowsError(try Theme.parse("title = \"#ffffff\"\ntitel = \"#ffffff\"", name: "t", path: "/t.toml")) { error in
            XCTAssertEqual(error.userMessage, "Theme /t.toml, line 2: unknown key \"titel\".")
        }
    }

    func testOfSeveralMistakesTheFirstInTheFileIsReported() throws {
        let text = "title = \"#ffffff\"\nzzz = \"#ffffff\"\naccent = \"#12345g\"\naaa = 1\n"
        XCTAssertThrowsError(try Theme.parse(text, name: "t", path: "/t.toml")) { error in
            XCTAssertEqual(error.userMessage, "Theme /t.toml, line 2: unknown key \"zzz\".")
        }
        let reordered = "aaa = 1\ntitle = \"#ffffff\"\nzzz = \"#ffffff\"\n"
        XCTAssertThrowsError(try Theme.parse(reordered, name: "t", path: "/t.toml")) { error in
            XCTAssertTrue(error.userMessage.hasPrefix("Theme /t.toml, line 1: "), error.userMessage)
        }
    }

    func testKeyLinesAreFoundInOnePassForBareAndQuotedKeys() {
        let text = """
            # a comment = not a key
            description = "x"

              accent	=  "#010203"
            "quoted" = "default"
            'single'= "default"
            accent = "#ffffff"
            tit = 1
            title = 2
            = "no key"
            """
        XCTAssertEqual(Theme.keyLines(in: text), ["description": 2, "accent": 4, "quoted": 5, "single": 6, "tit": 8, "title": 9])
    }

    func testUserThemesOverrideShippedOnes() throws {
        _ = try write("accent = \"#010203\"\n", "nord.toml", in: "shipped")
        _ = try write("accent = \"#0a0b0c\"\n", "default.toml", in: "shipped")
        _ = try write("accent = \"#ffffff\"\n", "nord.toml", in: "user")
        _ = try write("accent = \"#123456\"\n", "mine.toml", in: "user")
        let catalog = ThemeCatalog(shippedDirectory: scratch.appendingPathComponent("shipped").path,
                                   userDirectory: scratch.appendingPathComponent("user").path)
        XCTAssertEqual(catalog.names, ["default", "mine", "nord"])
        XCTAssertEqual(try catalog.theme(named: "nord").color(.accent), .rgb(255, 255, 255))
        XCTAssertEqual(try catalog.theme(named: "default").color(.accent), .rgb(10, 11, 12))
        XCTAssertEqual(catalog.name(after: "default"), "mine")
        XCTAssertEqual(catalog.name(after: "nord"), "default")
        XCTAssertEqual(catalog.name(after: "gone"), "default")
    }

    func testUnknownThemesAreErrorsAndBrokenOnesFallBackWithAWarning() throws {
        let broken = try write("title = [\n", "broken.toml")
        let user = scratch.appendingPathComponent("user").path
        let catalog = ThemeCatalog(shippedDirectory: Self.shipped, userDirectory: user)
        XCTAssertThrowsError(try catalog.theme(named: "solarised")) { error in
            guard case TallyError.unknownTheme(let name, let available, let lookedIn) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "solarised")
            XCTAssertEqual(available, catalog.names)
            XCTAssertEqual(lookedIn, [Self.shipped, user])
        }
        // At start an unknown name stops Tally with the list; a broken file falls back.
        XCTAssertThrowsError(try catalog.chosen("solarised")) { error in
            XCTAssertEqual(error.userMessage, "No theme named \"solarised\"; the themes are \(catalog.names.joined(separator: ", "))"
                           + " (built in, and files in \(Self.shipped) and \(user)).")
        }
        let (fallback, why) = try catalog.chosen("broken")
        XCTAssertEqual(fallback, try catalog.theme(named: "default"))
        XCTAssertTrue(why?.hasPrefix("Theme \(broken), line ") ?? false, why ?? "no warning")
        let (theme, warning) = catalog.resolve("broken")
        XCTAssertEqual(theme, try catalog.theme(named: "default"))
        XCTAssertTrue(warning?.hasPrefix("Theme \(broken), line ") ?? false, warning ?? "no warning")
        let (fine, none) = catalog.resolve("nord")
        XCTAssertEqual(fine.name, "nord")
        XCTAssertNil(none)
        XCTAssertNil(catalog.resolve(nil).warning)
        // A path works as a name.
        XCTAssertEqual(try catalog.theme(named: Self.shipped + "/gruvbox.toml").name, "gruvbox")
    }

    /// A binary copied away from `Themes/` (no directory found) still has every shipped theme.
    func testCompiledInThemesMatchTheFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.shipped).filter { $0.hasSuffix(".toml") }
        XCTAssertEqual(Set(ShippedThemes.files.keys), Set(files.map { String($0.dropLast(5)) }))
        for file in files {
            let text = try String(contentsOfFile: Self.shipped + "/" + file, encoding: .utf8)
            XCTAssertEqual(ShippedThemes.files[String(file.dropLast(5))].map { $0 + "\n" }, text,
                           "\(file) changed: run scripts/embed-themes.sh")
        }
        let copied = ThemeCatalog(shippedDirectory: nil, userDirectory: nil, builtIn: ShippedThemes.files)
        XCTAssertEqual(copied.names, ["default", "dracula", "gruvbox", "high-contrast", "light", "monochrome", "nord"])
        let fromFiles = ThemeCatalog(shippedDirectory: Self.shipped, userDirectory: nil)
        for name in copied.names { XCTAssertEqual(try copied.theme(named: name), try fromFiles.theme(named: name), name) }
    }

    func testDiscoveringTheShippedDirectory() throws {
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: ["TALLY_THEMES_DIR": "/opt/themes"], executablePath: "/usr/bin/tally"),
                       "/opt/themes")
        // An install: prefix/bin/tally with prefix/share/tally/themes.
        _ = try write("", "default.toml", in: "prefix/share/tally/themes")
        let bin = scratch.appendingPathComponent("prefix/bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let executable = bin.appendingPathComponent("tally").path
        _ = FileManager.default.createFile(atPath: executable, contents: Data())
        let found = ThemeCatalog.shippedDirectory(environment: [:], executablePath: executable)
        XCTAssertEqual(found.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path },
                       scratch.appendingPathComponent("prefix/share/tally/themes").resolvingSymlinksInPath().path)
        // A build tree: .build/debug/tally finds the repository's Themes/ through a symlink.
        _ = try write("", "default.toml", in: "repo/Themes")
        let debug = scratch.appendingPathComponent("repo/.build/x86_64/debug")
        try FileManager.default.createDirectory(at: debug, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: debug.appendingPathComponent("tally").path, contents: Data())
        let link = scratch.appendingPathComponent("tally-link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: debug.appendingPathComponent("tally").path)
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: [:], executablePath: link).map { URL(fileURLWithPath: $0).lastPathComponent },
                       "Themes")
        XCTAssertNil(ThemeCatalog.shippedDirectory(environment: [:], executablePath: "/nonexistent/bin/tally"))
        let catalog = ThemeCatalog.discover(environment: ["TALLY_THEMES_DIR": Self.shipped, "XDG_CONFIG_HOME": scratch.path],
                                            executablePath: "")
        XCTAssertEqual(catalog.userDirectory, scratch.path + "/tally/themes")
        XCTAssertTrue(catalog.names.contains("gruvbox"))
    }

    func testUserDirectory() {
        XCTAssertEqual(ThemeCatalog.userDirectory(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]), "/c/tally/themes")
        XCTAssertEqual(ThemeCatalog.userDirectory(environment: ["HOME": "/h"]), "/h/.config/tally/themes")
        XCTAssertEqual(ThemeCatalog.userDirectory(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]), "/h/.config/tally/themes")
        XCTAssertNil(ThemeCatalog.userDirectory(environment: [:]))
    }
}
