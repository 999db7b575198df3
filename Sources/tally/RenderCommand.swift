import ArgumentParser
import Foundation
import TallyCLI
import TallyCore
import TallyUI

extension Tally {
    /// `tally render`: one frame to stdout, no terminal needed.
    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Print one frame of the dashboard (plain text, or with colours using --ansi).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Colour theme name (see `tally --help`).")
        var theme: String?

        @Option(help: "Frame size as WIDTHxHEIGHT.")
        var size: String = Self.defaultSize

        @Option(help: "The view to draw.")
        var view: RenderedView = Self.defaultView

        @Flag(help: "Colours and attributes as ANSI escape sequences.")
        var ansi = false

        @Option(help: "With --ansi, the colour depth (default: from COLORTERM and NO_COLOR).")
        var colors: ColorDepth?

        static let defaultSize = "100x30"
        static let defaultView = RenderedView.dashboard

        /// The command from `QuickArguments`, as ArgumentParser would make it; nil for anything
        /// it would refuse or that is not in the plain forms (see `Tally.parseQuickly`).
        static func parse(quickly arguments: [String]) -> Render? {
            guard let arguments = QuickArguments(arguments,
                                                 options: GlobalOptions.quickOptions.union(["--theme", "--size", "--view", "--colors"]),
                                                 flags: GlobalOptions.quickFlags.union(["--ansi"])),
                  let global = GlobalOptions(quick: arguments) else { return nil }
            var command = Render()
            command.global = global
            command.theme = arguments.value("--theme")
            command.size = arguments.value("--size") ?? defaultSize
            command.ansi = arguments.flag("--ansi")
            command.view = defaultView
            if let view = arguments.value("--view") {
                guard let value = RenderedView(argument: view) else { return nil }
                command.view = value
            }
            command.colors = nil
            if let colors = arguments.value("--colors") {
                guard let value = ColorDepth(argument: colors) else { return nil }
                command.colors = value
            }
            guard (try? command.validate()) != nil else { return nil }
            return command
        }

        func parsedSize() throws -> (Int, Int) {
            let parts = size.lowercased().split(separator: "x").map { Int($0) }
            guard parts.count == 2, let w = parts[0], let h = parts[1], (1...1000).contains(w), (1...1000).contains(h) else {
                throw ValidationError("--size must look like 100x30 (each from 1 to 1000).")
            }
            return (w, h)
        }

        func validate() throws {
            _ = try parsedSize()
        }

        func run() async throws {
            let (width, height) = try parsedSize()
            let config = try global.resolve(theme: theme, needsPrimary: false)
            let (_, theme, warning) = try DashboardStart.theme(config)
            let workspace = try await Workspace.open(config)
            if let warning { Console.error("\(warning)") }
            let now = Date()
            var state = view.state
            state.order = config.sort  // the order the dashboard opens with
            let query = state.taskQuery(width: width, height: height)
            var snapshot = try workspace.cache.snapshot(query: query, now: now, defaultTarget: config.targetPoints,
                                                        workday: config.workday)
            await workspace.countLookups(Namespace.allCases, snapshot: snapshot, now: now)
            // The cache pane counts the lookups this frame just made.
            if !workspace.cache.isReadOnly, let rates = try? await workspace.cache.read({ db in try CacheStats.summary(db, now: now) }) {
                snapshot.hitRates = rates
            }
            var chrome = Chrome(now: now, nextSyncAt: nil, syncInFlight: snapshot.runningJob != nil,
                                primaryName: try config.primaryLocation()?.description, themeName: theme.name)
            chrome.isInteractive = false
            let history = state.view == .history
                ? try workspace.cache.history(now: now, defaultTarget: config.targetPoints, workday: config.workday,
                                              doneDays: config.scope.doneDays)
                : nil
            let buffer = Screen.render(ScreenModel(snapshot: snapshot, state: state, chrome: chrome, history: history),
                                       width: width, height: height, theme: theme)
            if ansi {
                let environment = ProcessInfo.processInfo.environment
                let mode = colors?.mode ?? ColorMode.detect(environment: environment, terminalColors: 256)
                print(ANSIRenderer.render(buffer, mode: mode))
            } else {
                print(buffer.plainText())
            }
            // A read-only render has nothing left to write: the process ends here, and the
            // connection is not taken apart object by object first (a twentieth of a render).
            if workspace.cache.isReadOnly { Foundation.exit(0) }
        }
    }
}
