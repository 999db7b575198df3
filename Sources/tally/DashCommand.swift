import ArgumentParser
import Foundation
import TallyCore
import TallyTerminal
import TallyUI

extension Tally {
    /// `tally` / `tally dash`: the dashboard.
    struct Dash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The dashboard (the default command). Press ? inside for every key.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.resolve()
            let workspace = try await DashboardStart.openWorkspace(config)
            let (catalog, theme, warning) = DashboardStart.theme(config)
            try await MainActor.run {
                let terminal = try Terminal()
                let session = DashboardSession(workspace: workspace, catalog: catalog, theme: theme,
                                               width: terminal.width, height: terminal.height)
                if let warning { session.notify(warning, isError: true) }
                DashboardLoop(session: session, terminal: terminal, pollInterval: config.pollInterval).run()
            }
        }
    }
}

/// What the dashboard and `render` share: opening the cache (rebuilding a damaged one when a
/// primary can) and picking the theme.
enum DashboardStart {
    static func openWorkspace(_ config: Config) async throws -> Workspace {
        do {
            return try Workspace.open(config)
        } catch let error as TallyError {
            switch error {
            case .notADatabase, .cacheDamaged:
                guard (try? config.primaryLocation()) != nil, !config.readOnly else { throw error }
                FileHandle.standardError.write(Data("tally: \(error.userMessage)\ntally: rebuilding it from the primary…\n".utf8))
                if let aside = try await CacheDoctor.repair(config: config).aside {
                    FileHandle.standardError.write(Data("tally: the old file is kept as \(aside)\n".utf8))
                }
                return try Workspace.open(config)
            default:
                throw error
            }
        }
    }

    static func theme(_ config: Config) -> (ThemeCatalog, Theme, String?) {
        let environment = ProcessInfo.processInfo.environment
        let catalog = ThemeCatalog.discover(environment: environment, executablePath: CommandLine.arguments[0])
        let (theme, warning) = catalog.resolve(config.theme)
        return (catalog, theme, warning)
    }
}
