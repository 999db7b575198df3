import Foundation
import MCP

/// What `tally mcp` checks in every line a client sends before the MCP SDK sees it, so that each
/// request gets the answer JSON-RPC 2.0 asks for (the SDK gives some none, or one with a made-up
/// id), and what it restores in every answer.
///
/// - Not JSON: `-32700 Parse error` with `"id": null`.
/// - Not a request, notification or response (a bare value, a missing or non-string `method`,
///   `jsonrpc` other than "2.0", an id that is an object, an array or a boolean): `-32600
///   Invalid Request`; a batch (an array) too, since MCP takes one message per line.
/// - `params` that is not an object, or that the method's parameters cannot be read from:
///   `-32602 Invalid params`, with the request's id.
/// - Every request's id is replaced by a token of the gate's own before the SDK sees it, and the
///   answer's token by the id exactly as the client wrote it: `1.5`, `1e30`, `-0`, `null` or a
///   number beyond 64 bits are echoed as given (the SDK reads only strings and whole numbers).
///
/// Answers also have DEL, the C1 controls and the Unicode line separators escaped (`\u0085`),
/// as `JSONOutput` does for the CLI: a client that shows the raw stream shows them as text.
struct RequestGate {
    enum Decision: Equatable {
        /// Pass this (the line with its id replaced) to the SDK.
        case forward(Data)
        /// Write this answer to the client; the SDK never sees the line.
        case answer(Data)
        /// A notification that cannot be used: JSON-RPC says it gets no answer.
        case drop
    }

    /// The client's ids, as raw JSON, by the token that stands for them.
    private var ids: [String: [UInt8]] = [:]
    private var next = 0
    static let tokenPrefix = "tally-rpc-"

    /// The largest line read: 4 MiB. A longer one is answered with `tooLarge` and not kept.
    static let maxLine = 4 << 20

    static var tooLarge: Data {
        error(id: nil, code: -32600, "Request too large: a message may be at most \(maxLine) bytes (4 MiB)")
    }

    /// Requests whose parameters the gate reads with the SDK's own types, so that parameters of
    /// the wrong shape are `-32602` here instead of an internal error in the SDK.
    static let parameterChecks: [String: @Sendable (_ params: Data?, _ request: Data) throws -> Void] = [
        Initialize.name: check(Initialize.self), Ping.name: check(Ping.self), ListTools.name: check(ListTools.self),
        CallTool.name: check(CallTool.self), ListResources.name: check(ListResources.self),
        ReadResource.name: check(ReadResource.self), ListResourceTemplates.name: check(ListResourceTemplates.self),
        ResourceSubscribe.name: check(ResourceSubscribe.self), ResourceUnsubscribe.name: check(ResourceUnsubscribe.self),
        ListPrompts.name: check(ListPrompts.self), GetPrompt.name: check(GetPrompt.self),
        SetLoggingLevel.name: check(SetLoggingLevel.self), Complete.name: check(Complete.self),
    ]

    /// Reads the parameters themselves when there are some (so the error names the field), or
    /// the whole request when there are none (some methods need them).
    static func check<M: MCP.Method>(_ method: M.Type) -> @Sendable (Data?, Data) throws -> Void {
        { params, request in
            if let params {
                _ = try JSONDecoder().decode(M.Parameters.self, from: params)
            } else {
                _ = try JSONDecoder().decode(Request<M>.self, from: request)
            }
        }
    }

    /// Decides what to do with one line from the client.
    mutating func admit(_ line: Data) -> Decision {
        guard let parsed = try? JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed]) else {
            return .answer(Self.error(id: nil, code: -32700, "Parse error: the message is not JSON"))
        }
        if parsed is [Any] {
            return .answer(Self.error(id: nil, code: -32600,
                                      "Invalid Request: batches are not supported; send one JSON-RPC message per line"))
        }
        guard let message = parsed as? [String: Any] else {
            return .answer(Self.error(id: nil, code: -32600, "Invalid Request: a message is a JSON object"))
        }
        let bytes = [UInt8](line)
        let idRange = JSONScan.member("id", in: bytes)
        let hasID = idRange != nil
        // The id as given, when it is one JSON-RPC allows (a string, a number or null).
        let rawID: [UInt8]? = idRange.flatMap { range in
            let raw = Array(bytes[range])
            guard let first = raw.first else { return nil }
            let isNumber = first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
            return first == UInt8(ascii: "\"") || isNumber || raw == Array("null".utf8) ? raw : nil
        }
        let method = message["method"]
        if method == nil, hasID, message["result"] != nil || message["error"] != nil {
            return .forward(line)  // an answer to a request of the server's
        }
        guard let name = method as? String else {
            return hasID ? .answer(Self.error(id: rawID, code: -32600, "Invalid Request: method must be a string")) : .drop
        }
        guard message["jsonrpc"] as? String == "2.0" else {
            return hasID ? .answer(Self.error(id: rawID, code: -32600, "Invalid Request: jsonrpc must be \"2.0\"")) : .drop
        }
        guard let idRange else {
            // A notification: no answer, whatever it holds.
            if let params = message["params"], !(params is [String: Any] || params is NSNull) { return .drop }
            if name == "notifications/cancelled" { return .forward(cancellingByToken(bytes)) }
            return .forward(line)
        }
        guard let rawID else {
            return .answer(Self.error(id: nil, code: -32600, "Invalid Request: id must be a string, a number or null"))
        }
        if let params = message["params"], !(params is [String: Any] || params is NSNull) {
            return .answer(Self.error(id: rawID, code: -32602, "Invalid params: params must be an object"))
        }
        let token = Self.tokenPrefix + String(next)
        next += 1
        var forwarded = Array(bytes[..<idRange.lowerBound])
        forwarded += Array("\"\(token)\"".utf8)
        forwarded += Array(bytes[idRange.upperBound...])
        let data = Data(forwarded)
        if let check = Self.parameterChecks[name] {
            let params = message["params"] is [String: Any]
                ? JSONScan.member("params", in: forwarded).map { Data(forwarded[$0]) } : nil
            do {
                try check(params, data)
            } catch {
                return .answer(Self.error(id: rawID, code: -32602, "Invalid params for \(name): \(Self.reason(error))"))
            }
        }
        ids[token] = rawID
        return .forward(data)
    }

    /// A cancellation names the request by the client's id; the SDK knows it by its token.
    func cancellingByToken(_ bytes: [UInt8]) -> Data {
        guard let params = JSONScan.member("params", in: bytes),
              let inner = JSONScan.member("requestId", in: Array(bytes[params])) else { return Data(bytes) }
        let raw = Array(bytes[params][(params.lowerBound + inner.lowerBound)..<(params.lowerBound + inner.upperBound)])
        guard let token = ids.first(where: { $0.value == raw })?.key else { return Data(bytes) }
        var out = bytes
        out.replaceSubrange((params.lowerBound + inner.lowerBound)..<(params.lowerBound + inner.upperBound),
                            with: Array("\"\(token)\"".utf8))
        return Data(out)
    }

    /// An answer on its way to the client: the client's own id back in place of the token, and
    /// the controls a terminal would act on escaped.
    mutating func restore(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        if let range = JSONScan.member("id", in: bytes),
           let token = String(bytes: bytes[range], encoding: .utf8).flatMap({ text -> String? in
               text.hasPrefix("\"" + Self.tokenPrefix) ? String(text.dropFirst().dropLast()) : nil
           }),
           let original = ids.removeValue(forKey: token) {
            bytes.replaceSubrange(range, with: original)
        }
        return Data(Self.escapingControls(bytes))
    }

    /// Whether a request with this token is still unanswered (for tests).
    var outstanding: Int { ids.count }

    static func error(id: [UInt8]?, code: Int, _ message: String) -> Data {
        let text = (try? JSONSerialization.data(withJSONObject: message, options: [.fragmentsAllowed, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "\"error\""
        var out = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
        out += id ?? Array("null".utf8)
        out += Array(#","error":{"code":\#(code),"message":\#(text)}}"#.utf8)
        return Data(out)
    }

    /// A decoding error in a few words: which field, and what is wrong with it.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "they do not match the method" }
        func path(_ keys: [any CodingKey]) -> String {
            let names = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.filter { $0 != "params" && !$0.isEmpty }
            return names.isEmpty ? "params" : names.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "they do not match the method"
        }
    }

    /// DEL (7F), C1 (C2 80–C2 9F) and U+2028/U+2029 (E2 80 A8/A9) as `\u` escapes. In JSON they
    /// can only be inside strings, where the escape means the same character.
    static func escapingControls(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8]?
        var index = 0
        func escape(_ scalar: UInt32, length: Int) {
            if out == nil { out = Array(bytes[..<index]) }
            let hex = String(scalar, radix: 16)
            out?.append(contentsOf: Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8))
            index += length
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x7f {
                escape(0x7f, length: 1)
            } else if byte == 0xc2, index + 1 < bytes.count, (0x80...0x9f).contains(bytes[index + 1]) {
                escape(UInt32(bytes[index + 1]), length: 2)
            } else if byte == 0xe2, index + 2 < bytes.count, bytes[index + 1] == 0x80,
                      bytes[index + 2] == 0xa8 || bytes[index + 2] == 0xa9 {
                escape(bytes[index + 2] == 0xa8 ? 0x2028 : 0x2029, length: 3)
            } else {
                out?.append(byte)
                index += 1
            }
        }
        return out ?? bytes
    }
}

/// Finds a member of a JSON object's top level and the bytes of its value, in one pass, so the
/// value can be replaced exactly as written.
enum JSONScan {
    /// The byte range of the value of the last top-level member named `key` (a plain key, no
    /// escapes), or nil when `bytes` is not an object or has no such member.
    static func member(_ key: String, in bytes: [UInt8]) -> Range<Int>? {
        let wanted = Array(key.utf8)
        var index = 0
        skipSpace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var found: Range<Int>?
        while true {
            skipSpace(bytes, &index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return found }
            guard bytes[index] == UInt8(ascii: "\"") else { return nil }
            let keyStart = index + 1
            guard skipString(bytes, &index) else { return nil }
            let name = bytes[keyStart..<(index - 1)]
            skipSpace(bytes, &index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace(bytes, &index)
            let valueStart = index
            guard skipValue(bytes, &index) else { return nil }
            if name.elementsEqual(wanted) { found = valueStart..<index }
            skipSpace(bytes, &index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { return found }
            return nil
        }
    }

    static func skipSpace(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
    }

    /// From an opening quote to just past the closing one.
    static func skipString(_ bytes: [UInt8], _ index: inout Int) -> Bool {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): index += 1; return true
            default: index += 1
            }
        }
        return false
    }

    /// Past one value: a string, or anything up to the `,` `}` `]` that ends it at its depth.
    static func skipValue(_ bytes: [UInt8], _ index: inout Int) -> Bool {
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "\"") { return skipString(bytes, &index) }
        var depth = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                guard skipString(bytes, &index) else { return false }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return true }
                depth -= 1
                if depth == 0 { index += 1; return true }
            case UInt8(ascii: ","):
                if depth == 0 { return true }
            case 0x20, 0x09, 0x0a, 0x0d:
                if depth == 0 { return true }
            default:
                break
            }
            index += 1
        }
        return depth == 0
    }
}
