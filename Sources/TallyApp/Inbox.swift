import Foundation
import Synchronization

/// A thread-safe mailbox with a pipe that becomes readable when something is posted: how
/// background work (the write pipeline's tasks, the scheduler's events) reaches the dashboard's
/// thread, which sleeps in `poll` on the pipe.
final class Inbox: Sendable {
    private let messages = Mutex<[DashboardSession.Message]>([])
    private let fds: [Int32]

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        }
        self.fds = fds
    }

    deinit {
        close(fds[0])
        close(fds[1])
    }

    var readFileDescriptor: Int32 { fds[0] }

    func post(_ message: DashboardSession.Message) {
        messages.withLock { $0.append(message) }
        var byte: UInt8 = 1
        _ = write(fds[1], &byte, 1)
    }

    func drain() -> [DashboardSession.Message] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fds[0], &buffer, buffer.count) > 0 {}
        return messages.withLock { messages in
            defer { messages.removeAll() }
            return messages
        }
    }
}
