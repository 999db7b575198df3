import Foundation
import Logging
import MCP
import Synchronization
import TallyCore

/// `tally mcp`: the WorkOS MCP tools served from Tally's core over a transport (stdio).
///
/// Reads come from the cache and count as lookups; writes go through the core's write pipeline
/// (write-through, outbox, exactly-once replay); the refresh timer keeps the cache fresh as the dashboard's does.
/// Every answer is WorkOS's text and the same answer as `structuredContent` (each tool declares
/// its `outputSchema`). A bad argument is an `isError` result with one line; an unknown tool or a
/// malformed request is a protocol error; nothing but protocol is written to stdout. Resources
/// (`ResourceCatalog`) can be subscribed to, and a subscriber is told when one changes
/// (`ResourceWatcher`); sync failures go to the client as log messages. When the client closes
/// stdin the server finishes the calls under way, writes its counters and returns.
public final class TallyMCPServer: Sendable {
    public let context: ToolContext
    public let tools: [MCPTool]
    public let version: String
    private let logger = Logger(label: "tally.mcp")
    private let logLevel = LogLevelBox()

    public static let instructions = """
        Tally serves the WorkOS tools from a local cache of the WorkOS database: reads answer in \
        milliseconds and work offline; writes go to the primary database first and are queued \
        when it cannot be reached. Points: checkbox 1, progress 2, deliverable 4, milestone 7. \
        Subscribe to tally://today, tally://tasks/{status}, tally://habits or tally://sync to hear \
        of changes instead of polling.
        """

    public init(context: ToolContext, tools: [MCPTool] = ToolCatalog.all, version: String) {
        self.context = context
        self.tools = tools
        self.version = version
    }

    /// What a known tool answered: its output, or the one line that says why it would not.
    enum Answer {
        case output(ToolOutput)
        case refused(String)
    }

    /// Runs one call of `name`. An unknown tool throws the protocol's invalid-params error; every
    /// failure of a known tool is a refusal of one line.
    func answer(_ name: String, arguments: [String: Value]?,
                progress: (@Sendable (Double, Double?, String?) async -> Void)?) async throws -> Answer {
        guard let tool = tools.first(where: { $0.name == name }) else {
            throw MCPError.invalidParams("Unknown tool: \(name). tools/list names the tools.")
        }
        await context.followReplacedCache()
        do {
            let output = try await ToolCall.$current.withValue(ToolCall(serverVersion: version, progress: progress)) {
                try await tool.handler(ToolArguments(arguments), context)
            }
            await context.countLookups(tool.lookups)
            return .output(output)
        } catch {
            let line = Self.oneLine(error)
            logger.notice("\(name) refused: \(line)")
            return .refused(line)
        }
    }

    /// Answers one `tools/call` as the SDK carries it (in-process callers, and requests the
    /// stdio transport leaves to the SDK). An unknown tool is a protocol error (invalid params);
    /// every failure of a known tool is an `isError` result whose text is one line.
    public func call(_ name: String, arguments: [String: Value]?,
                     progress: (@Sendable (Double, Double?, String?) async -> Void)? = nil) async throws -> CallTool.Result {
        switch try await answer(name, arguments: arguments, progress: progress) {
        case .output(let output):
            let structured: Value? = output.structured.value
            return CallTool.Result(content: [.text(text: output.text, annotations: nil, _meta: nil)],
                                   structuredContent: structured, isError: false)
        case .refused(let line):
            return CallTool.Result(content: [.text(text: line, annotations: nil, _meta: nil)], isError: true)
        }
    }

    /// The JSON-RPC response line to a `tools/call` (`ToolCallTransport`), written by `JSON`:
    /// the same result `call` gives, without the SDK's round trip through `Value`. `notify`
    /// sends a progress notification line when the client gave a progress token.
    func answerLine(_ request: ToolCallRequest, notify: @escaping @Sendable (Data) async -> Void) async -> Data {
        var progress: (@Sendable (Double, Double?, String?) async -> Void)?
        if let token = request.progressToken {
            progress = { done, total, message in
                var params: [(String, JSON)] = [("progressToken", token), ("progress", .double(done))]
                if let total { params.append(("total", .double(total))) }
                if let message { params.append(("message", .string(message))) }
                let line: JSON = .object([("jsonrpc", .string("2.0")), ("method", .string("notifications/progress")),
                                          ("params", .object(params))])
                await notify(Data(line.text(pretty: false).utf8))
            }
        }
        let result: JSON
        do {
            switch try await answer(request.name, arguments: request.arguments, progress: progress) {
            case .output(let output):
                result = .object([("content", .array([.object([("type", .string("text")), ("text", .string(output.text))])])),
                                  ("structuredContent", output.structured), ("isError", .bool(false))])
            case .refused(let line):
                result = .object([("content", .array([.object([("type", .string("text")), ("text", .string(line))])])),
                                  ("isError", .bool(true))])
            }
        } catch {
            let failure = error as? MCPError ?? MCPError.internalError(Self.oneLine(error))
            let encoded = (try? JSONEncoder().encode(failure)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            let prefix = JSON.object([("jsonrpc", .string("2.0")), ("id", request.id)]).text(pretty: false)
            return Data((prefix.dropLast() + ",\"error\":" + encoded + "}").utf8)
        }
        let line: JSON = .object([("jsonrpc", .string("2.0")), ("id", request.id), ("result", result)])
        return Data(line.text(pretty: false).utf8)
    }

    /// The first line of what a person should read about `error`, without credentials.
    static func oneLine(_ error: any Error) -> String {
        let text = (error as? ToolFailure)?.message ?? error.userMessage
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "The call failed."
        return PrimaryLocation.maskAll(TextSafety.sanitize(line))
    }

    /// Answers `resources/read`.
    public func readResource(_ uri: String) async throws -> ReadResource.Result {
        guard ResourceCatalog.knows(uri) else {
            throw MCPError.invalidParams("Unknown resource: \(uri). resources/list names them.")
        }
        await context.followReplacedCache()
        do {
            let text = try await ResourceCatalog.read(uri, context).text
            return ReadResource.Result(contents: [.text(text, uri: uri, mimeType: "application/json")])
        } catch let error as MCPError {
            throw error
        } catch {
            throw MCPError.internalError(Self.oneLine(error))
        }
    }

    /// Serves stdin and stdout (the transport an MCP client starts a local server with).
    public func runOverStdio() async throws {
        try await run(transport: LineTransport(logger: Logger(label: "tally.mcp.stdio")))
    }

    /// Serves `transport` until the client goes away (stdin closes), then stops the timer, writes
    /// the lookup counts and closes the primary.
    public func run<T: Transport>(transport base: T) async throws {
        // Tool calls are answered below the SDK (and below the answering transport, whose look
        // at every message it sends cost a parse of each 30 KB answer); the calls transport waits
        // for its own answers when stdin closes.
        let calls = ToolCallTransport(base, logger: Logger(label: "tally.mcp.calls")) { [self] request, notify in
            await self.answerLine(request, notify: notify)
        }
        let transport = AnsweringTransport(calls, logger: Logger(label: "tally.mcp.transport"))
        let server = Server(name: "tally", version: version, title: "Tally (WorkOS tools)",
                            instructions: Self.instructions,
                            capabilities: .init(logging: .init(), resources: .init(subscribe: true, listChanged: false),
                                                tools: .init(listChanged: false)))
        let listing = tools.map(\.listing)
        let resources = ResourceWatcher(context: context) { uri in
            try? await server.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
        }
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: listing) }
        await server.withMethodHandler(CallTool.self) { [self] params in
            var progress: (@Sendable (Double, Double?, String?) async -> Void)?
            if let token = params._meta?.progressToken {
                progress = { done, total, message in
                    try? await server.notify(ProgressNotification.message(
                        .init(progressToken: token, progress: done, total: total, message: message)))
                }
            }
            return try await self.call(params.name, arguments: params.arguments, progress: progress)
        }
        await server.withMethodHandler(ListResources.self) { _ in .init(resources: ResourceCatalog.listing) }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in .init(templates: ResourceCatalog.templates) }
        await server.withMethodHandler(ReadResource.self) { [self] params in try await self.readResource(params.uri) }
        await server.withMethodHandler(ResourceSubscribe.self) { params in
            guard ResourceCatalog.knows(params.uri) else {
                throw MCPError.invalidParams("Unknown resource: \(params.uri). resources/list names them.")
            }
            do {
                try await resources.subscribe(params.uri)
            } catch {
                throw MCPError.internalError(Self.oneLine(error))
            }
            return Empty()
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { params in
            await resources.unsubscribe(params.uri)
            return Empty()
        }
        await server.withMethodHandler(SetLoggingLevel.self) { [logLevel] params in
            logLevel.set(params.level)
            return Empty()
        }
        let failures = forwardSyncFailures(to: server)
        await context.start()
        logger.info("serving \(tools.count) tools", metadata: ["cache": "\(context.cache.path)",
                                                           "readOnly": "\(context.cache.isReadOnly)"])
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
        // The client closed its end: answer what was asked before it did.
        await transport.waitForAnswers(within: 30)
        await calls.waitForCalls(within: 30)
        failures.cancel()
        await resources.stop()
        await server.stop()
        await context.shutdown()
        logger.info("client gone; stopped")
    }

    /// Sends the refresh scheduler's failures to the client as log messages (`notifications/message`,
    /// logger `tally.sync`), at the level the client asked for (`logging/setLevel`; warning and
    /// above until it does).
    func forwardSyncFailures(to server: Server) -> Task<Void, Never> {
        let (id, events) = context.syncEvents.subscribe()
        let level = logLevel
        let syncEvents = context.syncEvents
        return Task {
            defer { syncEvents.unsubscribe(id) }
            for await event in events {
                guard let (severity, message) = Self.logMessage(for: event), level.allows(severity) else { continue }
                try? await server.log(level: severity, logger: "tally.sync", data: .string(message))
            }
        }
    }

    /// What a client hears about a scheduler event, if anything: failures, masked.
    static func logMessage(for event: RefreshScheduler.Event) -> (LogLevel, String)? {
        switch event {
        case .failed(let message):
            return (.error, "The sync could not run: \(PrimaryLocation.maskAll(message))")
        case .finished(let summary) where !summary.succeeded:
            let parts = summary.failedNamespaces.sorted { $0.key < $1.key }
                .map { "\($0.key.rawValue): \(PrimaryLocation.maskAll($0.value))" }
            return (.warning, "Sync job \(summary.job.id ?? 0) failed for \(parts.joined(separator: "; "))")
        case .commandFinished(let job) where job.status != .completed:
            return (.warning, "sync_command failed: \(job.errorMessage ?? "no output")")
        default:
            return nil
        }
    }
}

/// The least severe level the client wants log messages at.
final class LogLevelBox: Sendable {
    private let level = Mutex<LogLevel>(.warning)

    func set(_ level: LogLevel) { self.level.withLock { $0 = level } }

    func allows(_ severity: LogLevel) -> Bool {
        let order = LogLevel.allCases
        let wanted = level.withLock { $0 }
        return (order.firstIndex(of: severity) ?? 0) >= (order.firstIndex(of: wanted) ?? 0)
    }
}
