import Foundation
import Logging
import MCP

/// MCP's stdio transport (one JSON-RPC message per line) with stdin read by blocking reads on a
/// thread of its own.
///
/// The SDK's `StdioTransport` makes stdin non-blocking and sleeps 10 ms whenever nothing is
/// there, so a request that arrives while it sleeps waits for the rest of the nap: about 10 ms
/// added to every call of an assistant that asks one thing at a time. A blocking read wakes the
/// moment a request arrives and costs nothing while none does.
actor LineTransport: Transport {
    nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var connected = false

    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, logger: Logger) {
        self.input = input
        self.output = output
        self.logger = logger
        (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
    }

    func connect() async throws {
        guard !connected else { return }
        connected = true
        let input = self.input
        let continuation = self.continuation
        let logger = self.logger
        let reader = Thread {
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK {  // a descriptor left non-blocking by someone else
                        usleep(1000)
                        continue
                    }
                    logger.error("reading stdin failed: errno \(errno)")
                    break
                }
                if count == 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex..<newline]
                    if !line.isEmpty { continuation.yield(Data(line)) }
                    pending = Data(pending[pending.index(after: newline)...])
                }
            }
            if !pending.isEmpty { continuation.yield(pending) }
            logger.notice("stdin closed")
            continuation.finish()
        }
        reader.name = "tally.mcp.stdin"
        reader.start()
    }

    func disconnect() async {
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        var message = data
        message.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < message.count {
            let written = message.withUnsafeBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                return write(output, base + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    try await Task.sleep(nanoseconds: 1_000_000)
                    continue
                }
                throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            offset += written
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        stream
    }
}
