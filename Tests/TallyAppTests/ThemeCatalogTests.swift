import Foundation
@testable import TallyApp
import TallyTestSupport
import XCTest

/// Where the shipped theme files are found: beside the binary's real directory, walking up.
final class ThemeCatalogTests: XCTestCase {
    func testTheShippedDirectoryIsFoundFromTheBinarysRealPlace() throws {
        let dir = TempDirectory("tally-themes")
        let root = URL(fileURLWithPath: dir.path).resolvingSymlinksInPath().path
        let fm = FileManager.default
        func make(_ files: String...) throws {
            for file in files {
                try fm.createDirectory(atPath: ThemeCatalog.parent(of: root + file), withIntermediateDirectories: true)
                XCTAssertTrue(fm.createFile(atPath: root + file, contents: Data()))
            }
        }
        // An installed layout: PREFIX/bin/tally and PREFIX/share/tally/themes/default.toml.
        try make("/prefix/bin/tally", "/prefix/share/tally/themes/default.toml")
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: [:], executablePath: root + "/prefix/bin/tally"),
                       root + "/prefix/share/tally/themes")
        // Reached through a symbolic link elsewhere: the link's target counts.
        try fm.createDirectory(atPath: root + "/elsewhere/bin", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root + "/elsewhere/bin/tally", withDestinationPath: root + "/prefix/bin/tally")
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: [:], executablePath: root + "/elsewhere/bin/tally"),
                       root + "/prefix/share/tally/themes")
        // A repository checkout: Themes/ a few levels above .build/release/tally.
        try make("/repo/Themes/default.toml", "/repo/.build/x86_64/release/tally")
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: [:], executablePath: root + "/repo/.build/x86_64/release/tally"),
                       root + "/repo/Themes")
        // None anywhere above: nil. The variable wins over everything.
        try make("/bare/tally")
        XCTAssertNil(ThemeCatalog.shippedDirectory(environment: [:], executablePath: root + "/bare/tally"))
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: ["TALLY_THEMES_DIR": "/x"], executablePath: root + "/bare/tally"), "/x")
        XCTAssertNil(ThemeCatalog.shippedDirectory(environment: [:], executablePath: ""))
    }

    func testParentDirectories() {
        XCTAssertEqual(ThemeCatalog.parent(of: "/a/b/c"), "/a/b")
        XCTAssertEqual(ThemeCatalog.parent(of: "/a/b/"), "/a")
        XCTAssertEqual(ThemeCatalog.parent(of: "/a"), "/")
        XCTAssertEqual(ThemeCatalog.parent(of: "/"), "/")
    }
}
