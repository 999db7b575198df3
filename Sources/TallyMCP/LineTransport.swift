import Foundation
import Logging
import MCP

/// MCP's stdio transport (one JSON-RPC message per line) with stdin read by blocking reads on a
/// thread of its own, and every line checked by a `RequestGate` before the SDK sees it.
///
/// The SDK's `StdioTransport` makes stdin non-blocking and sleeps 10 ms whenever nothing is
/// there, so a request that arrives while it sleeps waits for the rest of the nap: about 10 ms
/// added to every call of an assistant that asks one thing at a time. A blocking read wakes the
/// moment a request arrives and costs nothing while none does.
///
/// Reading is linear and bounded: each byte is looked at once for the newline, and a line
/// longer than `RequestGate.maxLine` is not kept (it is answered with an error and its bytes
/// are dropped as they arrive), so a client cannot make the server hold more than that.
actor LineTransport: Transport {
    nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    private let maxLine: Int
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var gate = RequestGate()
    private var connected = false

    /// What the reading thread hands over: a line, or word that one was too long.
    enum Incoming: Sendable {
        case line(Data)
        case tooLarge
    }

    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, maxLine: Int = RequestGate.maxLine, logger: Logger) {
        self.input = input
        self.output = output
        self.maxLine = maxLine
        self.logger = logger
        (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
    }

    func connect() async throws {
        guard !connected else { return }
        connected = true
        let (lines, feed) = AsyncStream<Incoming>.makeStream()
        let reader = Thread { [input, maxLine, logger] in
            Self.read(input, maxLine: maxLine, logger: logger) { feed.yield($0) }
            logger.notice("stdin closed")
            feed.finish()
        }
        reader.name = "tally.mcp.stdin"
        reader.start()
        // Lines are admitted in order; a rejected one is answered here and never reaches the SDK.
        Task {
            for await incoming in lines { await self.admit(incoming) }
            self.continuation.finish()
        }
    }

    private func admit(_ incoming: Incoming) async {
        let decision: RequestGate.Decision
        switch incoming {
        case .tooLarge:
            logger.notice("refused a request line longer than \(maxLine) bytes")
            decision = .answer(RequestGate.tooLarge)
        case .line(let data):
            decision = gate.admit(data)
        }
        switch decision {
        case .forward(let data):
            continuation.yield(data)
        case .answer(let data):
            do { try write(data) } catch { logger.error("answering a bad request failed: \(error)") }
        case .drop:
            logger.notice("dropped a notification that is not valid JSON-RPC")
        }
    }

    /// Reads `descriptor` to its end, handing over each non-empty line (without its newline).
    /// Each byte is scanned once; a line past `maxLine` bytes is reported once and skipped.
    static func read(_ descriptor: Int32, maxLine: Int, logger: Logger, _ deliver: (Incoming) -> Void) {
        var pending: [UInt8] = []
        var discarding = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        func take(_ chunk: ArraySlice<UInt8>, ended: Bool) {
            if !discarding {
                if pending.count + chunk.count > maxLine {
                    deliver(.tooLarge)
                    discarding = true
                    pending = []  // and its memory
                } else {
                    pending.append(contentsOf: chunk)
                }
            }
            guard ended else { return }
            if !discarding, !pending.isEmpty { deliver(.line(Data(pending))) }
            discarding = false
            // Keep a small buffer for the next line; let a large one go.
            if pending.capacity > 1 << 20 { pending = [] } else { pending.removeAll(keepingCapacity: true) }
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {  // a descriptor left non-blocking by someone else
                    Self.waitUntilReady(descriptor, for: Int16(POLLIN))
                    continue
                }
                logger.error("reading stdin failed: errno \(errno)")
                break
            }
            if count == 0 { break }
            var start = 0
            while start < count, let newline = buffer[start..<count].firstIndex(of: UInt8(ascii: "\n")) {
                take(buffer[start..<newline], ended: true)
                start = newline + 1
            }
            if start < count { take(buffer[start..<count], ended: false) }
        }
        if !discarding, !pending.isEmpty { deliver(.line(Data(pending))) }
    }

    func disconnect() async {
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        try write(gate.restore(data))
    }

    /// Writes one message and its newline, all of it.
    private func write(_ data: Data) throws {
        var message = data
        message.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < message.count {
            let written = message.withUnsafeBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                return Foundation.write(output, base + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    Self.waitUntilReady(output, for: Int16(POLLOUT))
                    continue
                }
                throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            offset += written
        }
    }

    /// Blocks in poll(2) until a non-blocking descriptor can be read or written (or is closed,
    /// which the next read or write then reports): the wait costs no CPU and no sleep.
    static func waitUntilReady(_ descriptor: Int32, for events: Int16) {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        while poll(&entry, 1, -1) < 0, errno == EINTR {}
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        stream
    }
}
