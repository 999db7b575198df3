import ArgumentParser
import Foundation
import TallyCLI
import TallyCore
import TallyMCP

/// `tally-mcp`, started by `tally mcp`: the WorkOS MCP tools over stdio. A program of its own so
/// the MCP SDK (and the networking libraries it links) load only here, not in every `tally`.
struct TallyMCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally mcp",
        abstract: "Serve the WorkOS MCP tools over stdio from the cache (for an AI assistant).",
        version: TallyVersion.current)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var refresh: RefreshOption

    func run() async throws {
        // A client that goes away while an answer is written must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let config = try global.resolve(refresh: try GlobalOptions.seconds("refresh", refresh.refresh))
        let workspace = try await WorkspaceStart.open(config)
        let server = TallyMCPServer(context: ToolContext(workspace: workspace), version: TallyVersion.current)
        try await server.runOverStdio()
    }
}

umask(0o077)
signal(SIGXFSZ, SIG_IGN)
do {
    let command = try TallyMCPCommand.parse()
    try await command.run()
} catch {
    CommandLineFailure.exit(error, TallyMCPCommand.self) { "tally mcp --help" }
}
