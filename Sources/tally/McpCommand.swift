import ArgumentParser
import Foundation
import TallyCore
import TallyMCP

extension Tally {
    /// `tally mcp`: the WorkOS MCP tools over stdio, for an AI assistant.
    struct Mcp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mcp",
            abstract: "Serve the WorkOS MCP tools over stdio from the cache (for an AI assistant).",
            discussion: """
                Speaks the Model Context Protocol on stdin and stdout; configure it in an MCP client as \
                the command `tally mcp` (with --cache and --primary, or a config file). Reads come from \
                the cache and work offline; completions are written to the primary first and queued \
                when it is away. The cache is refreshed in the background as the dashboard does. \
                Logs go to $XDG_STATE_HOME/tally/tally.log; it exits when stdin closes.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(parsing: .unconditional, help: "Seconds between the background checks for stale data (default 60).")
        var refresh: String?

        func validate() throws {
            _ = try GlobalOptions.seconds("refresh", refresh)
        }

        func run() async throws {
            // A client that goes away while an answer is written must not kill the process.
            signal(SIGPIPE, SIG_IGN)
            let config = try global.resolve(refresh: try GlobalOptions.seconds("refresh", refresh))
            let workspace = try await DashboardStart.openWorkspace(config)
            let server = TallyMCPServer(context: ToolContext(workspace: workspace),
                                        version: Tally.configuration.version)
            try await server.runOverStdio()
        }
    }
}
