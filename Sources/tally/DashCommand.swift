import ArgumentParser
import Foundation
import Synchronization
import TallyCLI
import TallyCore
import TallyTerminal
import TallyApp
import TallyUI

extension Tally {
    /// `tally` / `tally dash`: the dashboard.
    struct Dash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dash",
            abstract: "The dashboard (the default command). Press ? inside for every key.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup(title: "Dashboard options") var dashboard: DashboardOptions

        func run() async throws {
            let config = try global.resolve(theme: dashboard.theme, refresh: dashboard.refreshSeconds)
            let source = try global.configSource(theme: dashboard.theme, refresh: dashboard.refreshSeconds)
            // Before the cache is opened: an unknown theme name leaves nothing behind.
            let (catalog, theme, warning) = try DashboardStart.theme(config)
            var workspace = try await DashboardStart.openWorkspace(config)
            // A damaged cache is detected at start. The check reads the file on its own
            // connection while the first frame is built.
            var check = IntegrityCheck(path: workspace.cache.path)
            if DashboardStart.canRepair(config), let detail = await check.result() {
                // With a primary the file is rebuilt before any background sync writes to it.
                workspace = try await DashboardStart.rebuild(workspace, config: config,
                                                             because: .cacheDamaged(workspace.cache.path, detail: detail))
                check = IntegrityCheck(path: nil)
            }
            let damage = check
            try await MainActor.run {
                let terminal = try Terminal()
                let session = DashboardSession(workspace: workspace, catalog: catalog, theme: theme,
                                               width: terminal.width, height: terminal.height, configSource: source)
                if let warning { session.notify(warning, isError: true) }
                if let detail = damage.wait() {
                    // Short enough for the status line of a narrow terminal; the path is in `tally doctor`.
                    session.notify("The cache is damaged (\(detail)); run `tally doctor --repair` to rebuild it.", isError: true)
                }
                DashboardLoop(session: session, terminal: terminal, pollInterval: config.pollInterval).run()
            }
            // Say goodbye to the server rather than leave it to notice a dropped socket. A sync
            // still running keeps its connection: the job is resumed on the next start.
            await workspace.primary?.idleConnections?.closeIdleConnections()
            // With the screen already given back: the next start's first frame takes its counts
            // from beside the cache instead of counting every task (`KeptCounts`).
            await workspace.cache.keepCountsForNextStart()
        }
    }
}

/// What the dashboard and `render` share: opening the cache (`WorkspaceStart`) and picking the theme.
enum DashboardStart {
    static func openWorkspace(_ config: Config) async throws -> Workspace { try await WorkspaceStart.open(config) }
    static func canRepair(_ config: Config) -> Bool { WorkspaceStart.canRepair(config) }
    static func rebuild(_ open: Workspace?, config: Config, because error: TallyError) async throws -> Workspace {
        try await WorkspaceStart.rebuild(open, config: config, because: error)
    }

    /// The catalog and the theme `config` names. An unknown name is an error that lists the
    /// themes; a broken theme file gives the default theme and a warning.
    static func theme(_ config: Config) throws -> (ThemeCatalog, Theme, String?) {
        let environment = ProcessInfo.processInfo.environment
        let catalog = ThemeCatalog.discover(environment: environment, executablePath: executablePath)
        let (theme, warning) = try catalog.chosen(config.theme)
        return (catalog, theme, warning)
    }

    /// This executable's path: `/proc/self/exe` finds it when it was started through `PATH`.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// `PRAGMA quick_check` of the cache on a Dispatch thread (never the cooperative pool), so the
/// dashboard can build its first frame meanwhile and collect the answer before drawing it.
struct IntegrityCheck: Sendable {
    private let group = DispatchGroup()
    /// The check's answer, written by the check's thread before `group` is left.
    private let box = Box()

    private final class Box: Sendable {
        let detail = Mutex<String?>(nil)
    }

    /// Starts checking `path`; nil checks nothing (the answer is "sound").
    init(path: String?) {
        guard let path else { return }
        let box = self.box
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            let detail = CacheDoctor.quickCheck(path: path)
            box.detail.withLock { $0 = detail }
        }
    }

    /// Blocks until the check is done; nil when the file is sound.
    func wait() -> String? {
        group.wait()
        return box.detail.withLock { $0 }
    }

    /// Awaits the check without holding a thread of the cooperative pool.
    func result() async -> String? {
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume(returning: box.detail.withLock { $0 }) }
        }
    }
}
