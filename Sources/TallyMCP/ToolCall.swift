import Foundation

/// What one `tools/call` carries beyond its arguments, for the tools that need it: the
/// server's version, and a way to tell the client how far a long call has got (when it sent a
/// progress token). Set by `TallyMCPServer` around each call.
public struct ToolCall: Sendable {
    @TaskLocal public static var current: ToolCall?

    public var serverVersion: String
    /// Sends `notifications/progress` (progress, total, message); nil when the client asked for none.
    public var progress: (@Sendable (Double, Double?, String?) async -> Void)?

    public init(serverVersion: String, progress: (@Sendable (Double, Double?, String?) async -> Void)? = nil) {
        self.serverVersion = serverVersion
        self.progress = progress
    }
}
