import Foundation
import Logging
import MCP

/// Answers `tools/call` requests itself and passes every other message on to the SDK's server.
///
/// The SDK turns each handler's result into its generic `Value` by encoding it to JSON and
/// decoding that again, and the decoding matches every string against a data-URL regular
/// expression that it builds anew each time: about 15 µs a string. An answer with structured
/// content has hundreds of strings (50 tasks, 350 habit completions), so that round trip cost
/// 10–15 ms of a call that Tally answers in one or two. Here the answer is written once, by
/// `JSON`, straight to the transport below. Requests the SDK must see (initialize, lists,
/// resources, a batch, anything malformed) pass through untouched, and `notifications/cancelled`
/// cancels an answer under way. It sits under the SDK's other transports, so it waits for its own
/// answers when stdin closes (`waitForCalls`).
actor ToolCallTransport<Base: Transport>: Transport {
    private let base: Base
    nonisolated let logger: Logger
    /// Works out the response line for one call (`TallyMCPServer.answerLine`), given a way to
    /// send a notification line while it runs.
    private let answer: @Sendable (ToolCallRequest, @escaping @Sendable (Data) async -> Void) async -> Data
    private var running: [String: Task<Void, Never>] = [:]
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ base: Base, logger: Logger,
         answer: @escaping @Sendable (ToolCallRequest, @escaping @Sendable (Data) async -> Void) async -> Data) {
        self.base = base
        self.logger = logger
        self.answer = answer
    }

    func connect() async throws { try await base.connect() }

    func disconnect() async {
        for task in running.values { task.cancel() }
        await base.disconnect()
    }

    func send(_ data: Data) async throws { try await base.send(data) }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let base = self.base
        return AsyncThrowingStream { continuation in
            let pump = Task {
                do {
                    for try await data in await base.receive() {
                        if let call = ToolCallRequest(data) {
                            self.start(call)
                            continue
                        }
                        if let id = ToolCallRequest.cancelled(data) { self.cancel(id) }
                        continuation.yield(data)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in pump.cancel() }
        }
    }

    private func start(_ call: ToolCallRequest) {
        let base = self.base
        let answer = self.answer
        running[call.key] = Task {
            let line = await answer(call) { notification in try? await base.send(notification) }
            // A cancelled request gets no answer, as the protocol asks.
            if !Task.isCancelled { try? await base.send(line) }
            self.finished(call.key)
        }
    }

    private func finished(_ key: String) {
        running[key] = nil
        if running.isEmpty {
            for waiter in waiters { waiter.resume() }
            waiters.removeAll()
        }
    }

    /// Returns once every call under way has been answered, or after `seconds` (stdin closed:
    /// what was asked before is still answered).
    func waitForCalls(within seconds: Double) async {
        guard !running.isEmpty else { return }
        logger.info("answering \(running.count) tool call(s) received before stdin closed")
        let timeout = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            self.release()
        }
        await withCheckedContinuation { waiters.append($0) }
        timeout.cancel()
    }

    private func release() {
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    private func cancel(_ key: String) {
        running[key]?.cancel()
    }
}

/// One `tools/call` request as it came in.
struct ToolCallRequest: Sendable {
    /// The request's id, to answer with.
    let id: JSON
    /// The id as `AnsweringTransport` names ids (`n:1`, `s:abc`).
    let key: String
    let name: String
    let arguments: [String: Value]?
    let progressToken: JSON?

    /// The request, when `data` is exactly one `tools/call` request with a tool name.
    init?(_ data: Data) {
        guard data.count < 1_000_000, Self.mentionsCall(data),
              let message = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              message["method"] as? String == "tools/call", message["jsonrpc"] as? String == "2.0",
              let params = message["params"] as? [String: Any], let name = params["name"] as? String else { return nil }
        switch message["id"] {
        case let text as String:
            id = .string(text)
            key = "s:" + text
        case let number as NSNumber where String(cString: number.objCType) != "c":
            id = JSON.from(number)
            key = "n:" + number.stringValue
        default:
            return nil
        }
        self.name = name
        switch params["arguments"] {
        case nil, is NSNull: arguments = nil
        case let object as [String: Any]: arguments = object.mapValues(Self.value)
        default: return nil
        }
        progressToken = ((params["_meta"] as? [String: Any])?["progressToken"]).map(JSON.from)
    }

    /// A cheap look before parsing: only a message that names the method is a candidate.
    static func mentionsCall(_ data: Data) -> Bool {
        data.range(of: Data("tools/call".utf8)) != nil
    }

    /// The id a `notifications/cancelled` withdraws.
    static func cancelled(_ data: Data) -> String? {
        guard data.range(of: Data("notifications/cancelled".utf8)) != nil,
              let message = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              message["method"] as? String == "notifications/cancelled",
              let id = (message["params"] as? [String: Any])?["requestId"] else { return nil }
        switch id {
        case let text as String: return "s:" + text
        case let number as NSNumber: return "n:" + number.stringValue
        default: return nil
        }
    }

    /// A JSON value as the SDK's `Value`, strings as strings (never data URLs).
    static func value(_ object: Any) -> Value {
        switch object {
        case is NSNull: return .null
        case let text as String: return .string(text)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            let double = number.doubleValue
            return double == double.rounded() && abs(double) < 9e15 ? .int(Int(double)) : .double(double)
        case let list as [Any]: return .array(list.map(value))
        case let dictionary as [String: Any]: return .object(dictionary.mapValues(value))
        default: return .null
        }
    }
}
