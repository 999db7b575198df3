import Foundation
import Logging
import MCP
import TallyCore

/// `tally mcp`: the WorkOS MCP tools served from Tally's core over a transport (stdio).
///
/// Reads come from the cache and count as lookups; writes go through the core's write pipeline
/// (write-through, outbox, exactly-once replay); the refresh timer keeps the cache fresh as the dashboard's does.
/// A bad argument is an `isError` result with one line; an unknown tool or a malformed request is
/// a protocol error; nothing but protocol is written to stdout. When the client closes stdin the
/// server finishes the calls under way, writes its counters and returns.
public final class TallyMCPServer: Sendable {
    public let context: ToolContext
    public let tools: [MCPTool]
    public let version: String
    private let logger = Logger(label: "tally.mcp")

    public static let instructions = """
        Tally serves the WorkOS tools from a local cache of the WorkOS database: reads answer in \
        milliseconds and work offline; writes go to the primary database first and are queued \
        when it cannot be reached. Points: checkbox 1, progress 2, deliverable 4, milestone 7.
        """

    public init(context: ToolContext, tools: [MCPTool] = ToolCatalog.all, version: String) {
        self.context = context
        self.tools = tools
        self.version = version
    }

    /// Answers one `tools/call`. An unknown tool is a protocol error (invalid params); every
    /// failure of a known tool is an `isError` result whose text is one line.
    public func call(_ name: String, arguments: [String: Value]?) async throws -> CallTool.Result {
        guard let tool = tools.first(where: { $0.name == name }) else {
            throw MCPError.invalidParams("Unknown tool: \(name). tools/list names the tools.")
        }
        await context.followReplacedCache()
        do {
            let answer = try await tool.handler(ToolArguments(arguments), context)
            await context.countLookups(tool.lookups)
            return CallTool.Result(content: [.text(text: answer.text(), annotations: nil, _meta: nil)], isError: false)
        } catch {
            let line = Self.oneLine(error)
            logger.notice("\(name) refused: \(line)")
            return CallTool.Result(content: [.text(text: line, annotations: nil, _meta: nil)], isError: true)
        }
    }

    /// The first line of what a person should read about `error`, without credentials.
    static func oneLine(_ error: any Error) -> String {
        let text = (error as? ToolFailure)?.message ?? error.userMessage
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "The call failed."
        return PrimaryLocation.maskAll(TextSafety.sanitize(line))
    }

    /// Serves stdin and stdout (the transport an MCP client starts a local server with).
    public func runOverStdio() async throws {
        try await run(transport: LineTransport(logger: Logger(label: "tally.mcp.stdio")))
    }

    /// Serves `transport` until the client goes away (stdin closes), then stops the timer, writes
    /// the lookup counts and closes the primary.
    public func run<T: Transport>(transport base: T) async throws {
        let transport = AnsweringTransport(base, logger: Logger(label: "tally.mcp.transport"))
        let server = Server(name: "tally", version: version, title: "Tally (WorkOS tools)",
                            instructions: Self.instructions, capabilities: .init(tools: .init(listChanged: false)))
        let listing = tools.map(\.listing)
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: listing) }
        await server.withMethodHandler(CallTool.self) { [self] params in
            try await self.call(params.name, arguments: params.arguments)
        }
        await context.start()
        logger.info("serving \(tools.count) tools", metadata: ["cache": "\(context.cache.path)",
                                                           "readOnly": "\(context.cache.isReadOnly)"])
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
        // The client closed its end: answer what was asked before it did.
        await transport.waitForAnswers(within: 30)
        await server.stop()
        await context.shutdown()
        logger.info("client gone; stopped")
    }
}
