import Foundation
import Logging
import MCP

/// A transport that knows which requests it has passed on and not yet answered.
///
/// A client may write its last requests and close stdin at once; the server reads them, but its
/// read loop then ends while their answers are still being worked out. `waitForAnswers` lets
/// the server stay until each of them is written.
actor AnsweringTransport<Base: Transport>: Transport {
    private let base: Base
    nonisolated let logger: Logger
    /// Ids of requests received and not answered, as `n:1` or `s:abc`.
    private var unanswered: Set<String> = []
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ base: Base, logger: Logger) {
        self.base = base
        self.logger = logger
    }

    func connect() async throws { try await base.connect() }

    func disconnect() async { await base.disconnect() }

    func send(_ data: Data) async throws {
        defer { settle(Self.scan(data).answers) }
        try await base.send(data)
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let base = self.base
        return AsyncThrowingStream { continuation in
            let pump = Task {
                do {
                    for try await data in await base.receive() {
                        self.received(Self.scan(data))
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

    /// Returns once every request received has been answered, or after `seconds`.
    func waitForAnswers(within seconds: Double) async {
        guard !unanswered.isEmpty else { return }
        logger.info("answering \(unanswered.count) request(s) received before stdin closed")
        let timeout = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            self.release()
        }
        await withCheckedContinuation { waiters.append($0) }
        timeout.cancel()
    }

    private func received(_ scan: Scan) {
        unanswered.formUnion(scan.requests)
        settle(scan.cancelled)
    }

    private func settle(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        unanswered.subtract(ids)
        if unanswered.isEmpty { release() }
    }

    private func release() {
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    /// The ids a message (or a batch) carries.
    struct Scan {
        /// Requests: a method and an id.
        var requests: [String] = []
        /// Answers: an id and no method.
        var answers: [String] = []
        /// Requests a `notifications/cancelled` withdraws (they get no answer).
        var cancelled: [String] = []
    }

    static func scan(_ data: Data) -> Scan {
        var scan = Scan()
        guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return scan }
        for item in (parsed as? [Any]) ?? [parsed] {
            guard let message = item as? [String: Any] else { continue }
            switch message["method"] as? String {
            case "notifications/cancelled"?:
                if let id = key((message["params"] as? [String: Any])?["requestId"]) { scan.cancelled.append(id) }
            case _?:
                if let id = key(message["id"]) { scan.requests.append(id) }
            case nil:
                if let id = key(message["id"]) { scan.answers.append(id) }
            }
        }
        return scan
    }

    static func key(_ id: Any?) -> String? {
        switch id {
        case let text as String: return "s:" + text
        case let number as NSNumber: return "n:" + number.stringValue
        default: return nil
        }
    }
}
