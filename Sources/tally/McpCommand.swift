import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

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

        @OptionGroup var refresh: RefreshOption

        /// Runs `tally-mcp` (installed beside `tally`) in this process's place: the MCP SDK, and
        /// the libraries it links, stay out of the dashboard's start-up and memory.
        func run() async throws {
            let directory = (DashboardStart.executablePath as NSString).deletingLastPathComponent
            let server = directory + "/tally-mcp"
            guard FileManager.default.isExecutableFile(atPath: server) else {
                throw TallyError.badArgument("tally mcp needs the tally-mcp program beside tally (\(server)); `make install` installs both.")
            }
            var arguments = Array(CommandLine.arguments.dropFirst())
            if let index = arguments.firstIndex(of: "mcp") { arguments.remove(at: index) }
            let argv = ([server] + arguments).map { strdup($0) } + [nil]
            execv(server, argv)
            throw TallyError.badArgument("Could not start \(server): \(String(cString: strerror(errno))).")
        }
    }
}
