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
        // An installed layout: PREFIX/bin/tally and PREFIX/share/tally/themes/default.toml.
        try fm.createDirectory(atPath: root + "/prefix/bin", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/prefix/share/tally/themes", withIntermediateDirectories: true)
        XCTAssertTrue(fm.createFile(atPath: root + "/prefix/bin/tally", contents: Data()))
        XCTAssertTrue(fm.createFile(atPath: root + "/prefix/share/tally/themes/default.toml", contents: Data()))
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: [:], executablePath: root + "/prefix/bin/tally"),
                       root + "/prefix/share/tally/themes")
        // Reached through a symbolic link elsewhere: the link's target counts.
        try fm.createDirectory(atPath: root + "/elsewhere/bin", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root + "/elsewhere/bin/tally", withDestinationPath: root + "/prefix/bin/tally")
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: [:], executablePath: root + "/elsewhere/bin/tally"),
                       root + "/prefix/share/tally/themes")
        // A repository checkout: Themes/ a few levels above .build/release/tally.
        try fm.createDirectory(atPath: root + "/repo/.build/x86_64/release", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/repo/Themes", withIntermediateDirectories: true)
        XCTAssertTrue(fm.createFile(atPath: root + "/repo/Themes/default.toml", contents: Data()))
        XCTAssertTrue(fm.createFile(atPath: root + "/repo/.build/x86_64/release/tally", contents: Data()))
        XCTAssertEqual(ThemeCatalog.shippedDirectory(environment: [:], executablePath: root + "/repo/.build/x86_64/release/tally"),
                       root + "/repo/Themes")
        // None anywhere above: nil. The variable wins over everything.
        try fm.createDirectory(atPath: root + "/bare", withIntermediateDirectories: true)
        XCTAssertTrue(fm.createFile(atPath: root + "/bare/tally", contents: Data()))
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
