import Foundation

/// A thread-safe mailbox with a pipe that becomes readable when something is posted.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [DashboardSession.Message] = []
    private var fds: [Int32] = [-1, -1]

    init() {
        if pipe(&fds) == 0 {
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        }
    }

    deinit {
        close(fds[0])
        close(fds[1])
    }

    var readFileDescriptor: Int32 { fds[0] }

    func post(_ message: DashboardSession.Message) {
        lock.withLock { messages.append(message) }
        var byte: UInt8 = 1
        _ = write(fds[1], &byte, 1)
    }

    func drain() -> [DashboardSession.Message] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fds[0], &buffer, buffer.count) > 0 {}
        return lock.withLock {
            defer { messages.removeAll() }
            return messages
        }
    }
}
