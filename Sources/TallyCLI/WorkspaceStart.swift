import Foundation
import TallyCore

/// Opening the cache for a command that keeps running (the dashboard, `tally mcp`): a missing
/// one is made when something will fill it, a damaged one rebuilt when a primary can.
public enum WorkspaceStart {
    public static func open(_ config: Config) async throws -> Workspace {
        do {
            return try await Workspace.open(config, creatingCache: canFill(config))
        } catch let error as TallyError {
            switch error {
            case .notADatabase, .cacheDamaged:
                guard canRepair(config) else { throw error }
                return try await rebuild(nil, config: config, because: error)
            default:
                throw error
            }
        }
    }

    /// Whether the dashboard may create a missing cache: only when something will fill it (a
    /// primary, or a `sync_command`); an empty cache nothing fills helps no one.
    public static func canFill(_ config: Config) -> Bool {
        !config.readOnly && ((try? config.primaryLocation()) != nil || config.syncCommand != nil)
    }

    /// Whether a damaged cache can be rebuilt here: a primary is configured and writing is allowed.
    public static func canRepair(_ config: Config) -> Bool {
        (try? config.primaryLocation()) != nil && !config.readOnly
    }

    /// Moves the damaged cache aside, rebuilds it from the primary and opens it again.
    public static func rebuild(_ open: Workspace?, config: Config, because error: TallyError) async throws -> Workspace {
        if let open {
            try? open.cache.close()
            await open.primary?.close()
        }
        Console.error(error.userMessage)
        Console.error("rebuilding it from the primary…")
        if let aside = try await CacheDoctor.repair(config: config).aside {
            Console.error("the old file is kept as \(aside)")
        }
        return try await Workspace.open(config, creatingCache: true)
    }
}
