import XCTest
import TallyCore
@testable import TallyUI

/// The key table is the one description of the keys: these check it holds together.
final class KeymapTests: XCTestCase {
    func testEveryActionHasAKey() {
        let bound = Set(Keymap.bindings.flatMap(\.actions))
        for action in Action.allCases {
            XCTAssertTrue(bound.contains(action), "no key triggers \(action)")
        }
    }

    func testEveryBindingHasKeysModesAndWords() {
        for binding in Keymap.bindings {
            XCTAssertFalse(binding.keys.isEmpty, "\(binding.label) has no keys")
            XCTAssertFalse(binding.modes.isEmpty, "\(binding.label) is live in no mode")
            XCTAssertFalse(binding.help.isEmpty, "\(binding.label) says nothing")
            for hint in binding.hints {
                XCTAssertTrue(hint.modes?.isSubset(of: binding.modes) ?? true, "\(binding.label) hints where it is not live")
            }
        }
    }

    /// Two rows may name the same key in one mode only when they agree on what it does.
    func testNoKeyMeansTwoThingsInOneMode() {
        let keys: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape, .tab, .backTab,
                           .backspace, .delete, .mouse(MouseEvent(x: 0, y: 0, kind: .click))]
            + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/?<>[]".map { Key.char($0) }
            + "clu".map { Key.ctrl($0) }
        for mode in KeyMode.allCases {
            for key in keys {
                let actions = Set(Keymap.bindings.filter { $0.modes.contains(mode) }
                    .flatMap { $0.keys.filter { $0.0.matches(key) }.map(\.1) })
                XCTAssertLessThanOrEqual(actions.count, 1, "\(key) in \(mode) means \(actions)")
            }
        }
    }

    func testCtrlCQuitsAndCtrlLRedrawsInEveryMode() {
        for mode in KeyMode.allCases {
            XCTAssertEqual(Keymap.action(for: .ctrl("c"), in: mode), .quit, "\(mode)")
            XCTAssertEqual(Keymap.action(for: .ctrl("l"), in: mode), .redraw, "\(mode)")
        }
    }

    func testLettersAreTextWhileTyping() {
        for mode in KeyMode.allCases where mode.takesText {
            for c in "qcRfut?jk0123456789" {
                XCTAssertNil(Keymap.action(for: .char(c), in: mode), "\(c) in \(mode) should be text")
            }
        }
    }

    /// The help, the hint line and the footers all come from the table.
    func testHelpHintsAndFootersComeFromTheTable() {
        XCTAssertEqual(Keymap.sections(for: .dashboard).map(\.section), [.move, .filter, .tasks, .syncAndScreen, .habits])
        XCTAssertEqual(Keymap.sections(for: .failures).map(\.section), [.failures, .syncAndScreen])
        XCTAssertEqual(Keymap.hints(for: .dashboard).map(\.text).prefix(4), ["move", "details", "complete", "points"])
        XCTAssertEqual(Keymap.hints(for: .failures).map(\.text), ["move", "retry", "refresh", "back", "quit", "help"])
        XCTAssertEqual(Keymap.footer(for: .taskDetail).map(\.text), ["complete", "points", "edit", "close"])
        XCTAssertEqual(Keymap.footer(for: .taskDetail) { $0 == .closeOverlay }.map(\.text), ["close"])
        XCTAssertEqual(Keymap.footer(for: .help).map(\.keys), [["Esc", "?"]])
        XCTAssertEqual(Keymap.label(of: .cycleStatus), "s")
        // The habits pane focused: its keys replace the task keys on the line.
        XCTAssertEqual(Keymap.hints(for: .dashboard, focus: .habits).map(\.text).prefix(4), ["move", "details", "check in", "undo"])
        XCTAssertFalse(Keymap.hints(for: .dashboard, focus: .habits).contains { $0.text == "complete" })
        XCTAssertEqual(Keymap.hints(for: .dashboard, focus: .tasks).map(\.text), Keymap.hints(for: .dashboard).map(\.text))
        XCTAssertEqual(Keymap.footer(for: .habitDetail).map(\.text), ["check in", "close"])
    }
}
