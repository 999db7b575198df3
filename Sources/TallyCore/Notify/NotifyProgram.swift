import Foundation

/// Runs a notification program: without a shell, its output thrown away, killed (with anything
/// it started) when it outlasts its timeout. Waiting for a child blocks a thread, so the wait
/// runs on a Dispatch queue, never on the cooperative pool; the timeout is a sleep on the
/// injected `TallyClock`.
public enum NotifyProgram {
    public enum Outcome: Sendable, Equatable {
        case exited(Int32)
        /// Killed by a signal it did not get from us.
        case signalled(Int32)
        case timedOut
        case couldNotStart(String)

        /// A line for the log when it did not go well; nil when it exited 0.
        public var failure: String? {
            switch self {
            case .exited(0): return nil
            case .exited(let status): return "exited with status \(status)"
            case .signalled(let signal): return "was killed by signal \(signal)"
            case .timedOut: return "did not finish in time and was killed"
            case .couldNotStart(let reason): return "could not be started (\(reason))"
            }
        }
    }

    /// Runs `arguments` (the program first, looked up on the PATH) and waits for it, at most
    /// `timeout` seconds on `clock`.
    public static func run(_ arguments: [String], timeout: TimeInterval, clock: any TallyClock = SystemClock()) async -> Outcome {
        let pid: pid_t
        switch spawn(arguments) {
        case .success(let started): pid = started
        case .failure(let reason): return .couldNotStart(reason.text)
        }
        enum Finish: Sendable { case exited(Int32), timedOut, cancelled }
        return await withTaskGroup(of: Finish.self) { group in
            group.addTask {
                let status = await waitForExit(pid)
                return .exited(status)
            }
            group.addTask {
                do {
                    try await clock.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            var outcome: Outcome = .timedOut
            var killed = false
            while let finish = await group.next() {
                switch finish {
                case .exited(let status):
                    if !killed { outcome = decode(status) }
                    group.cancelAll()
                case .timedOut:
                    // The whole process group: a shell's children go too.
                    killed = true
                    kill(-pid, SIGKILL)
                    kill(pid, SIGKILL)
                case .cancelled:
                    break
                }
            }
            return outcome
        }
    }

    struct SpawnFailure: Error {
        let text: String
    }

    /// Starts the program in a process group of its own, stdin, stdout and stderr on /dev/null.
    static func spawn(_ arguments: [String]) -> Result<pid_t, SpawnFailure> {
        guard let program = arguments.first, !program.isEmpty else { return .failure(SpawnFailure(text: "no program")) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in Int32(0)...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            environment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, program, &actions, &attributes, argv, environment)
        guard result == 0 else {
            return .failure(SpawnFailure(text: "\(program): \(String(cString: strerror(result)))"))
        }
        return .success(pid)
    }

    /// Waits for `pid` on a Dispatch thread; its raw wait status.
    static func waitForExit(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
    }

    static func decode(_ status: Int32) -> Outcome {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}
