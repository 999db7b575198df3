import MCP
import TallyCore

/// One tool the server offers: its name, what an assistant reads about it, the JSON Schemas of
/// its arguments and of its answer, its hints, and the handler that answers a call. The handler
/// returns the answer (`ToolOutput`), or throws a `ToolFailure` (or any error with a
/// user-facing line), which becomes an `isError` result.
///
/// A tool is a value in a list (`ToolCatalog`): adding one is one more `MCPTool` there.
public struct MCPTool: Sendable {
    public typealias Handler = @Sendable (ToolArguments, ToolContext) async throws -> ToolOutput

    public let name: String
    public let description: String
    public let inputSchema: Value
    /// The JSON Schema of `structuredContent` (an object, as the protocol asks).
    public let outputSchema: Value
    /// True for tools that only read: they are served from a read-only cache too.
    public let readOnly: Bool
    /// For a tool that writes: whether it may overwrite or remove what is there (not only add).
    public let destructive: Bool
    /// Whether calling it again with the same arguments changes nothing more.
    public let idempotent: Bool
    /// The cache namespaces a call reads, each counted as one lookup (hit or miss).
    public let lookups: [Namespace]
    public let handler: Handler

    public init(name: String, description: String, inputSchema: Value, outputSchema: Value, readOnly: Bool,
                destructive: Bool = false, idempotent: Bool? = nil, lookups: [Namespace] = [],
                answer handler: @escaping Handler) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.readOnly = readOnly
        self.destructive = destructive
        self.idempotent = idempotent ?? readOnly
        self.lookups = lookups
        self.handler = handler
    }

    /// A tool whose answer is JSON: an object is the structured content as it is; a list (as
    /// WorkOS answers many calls) is the text as it is and the structured content `{listKey: …}`.
    public init(name: String, description: String, inputSchema: Value, outputSchema: Value, listKey: String? = nil,
                readOnly: Bool, destructive: Bool = false, idempotent: Bool? = nil, lookups: [Namespace] = [],
                handler: @escaping @Sendable (ToolArguments, ToolContext) async throws -> JSON) {
        self.init(name: name, description: description, inputSchema: inputSchema, outputSchema: outputSchema,
                  readOnly: readOnly, destructive: destructive, idempotent: idempotent, lookups: lookups) { arguments, context in
            ToolOutput(try await handler(arguments, context), listKey: listKey ?? "result")
        }
    }

    /// The tool as `tools/list` describes it.
    var listing: Tool {
        Tool(name: name, description: description, inputSchema: inputSchema,
             annotations: .init(readOnlyHint: readOnly, destructiveHint: readOnly ? nil : destructive,
                                idempotentHint: idempotent, openWorldHint: false),
             outputSchema: outputSchema)
    }
}

/// A tool's answer: the text WorkOS would give (JSON, or the habit grid as text), and the same
/// answer as a JSON object for `structuredContent`.
public struct ToolOutput: Sendable {
    public var text: String
    public var structured: JSON

    public init(text: String, structured: JSON) {
        self.text = text
        self.structured = structured
    }

    /// `json` as text; as structured content itself when an object, else under `listKey`.
    public init(_ json: JSON, listKey: String = "result") {
        text = json.text()
        if case .object = json {
            structured = json
        } else {
            structured = .object([(listKey, json)])
        }
    }
}

/// JSON Schema pieces for tool arguments, so each tool's schema reads as a short list.
public enum Schema {
    /// An object with `properties` (name, schema) and the names that must be present.
    public static func object(_ properties: [(String, Value)] = [], required: [String] = []) -> Value {
        var schema: [String: Value] = [
            "type": "object",
            "properties": .object(Dictionary(properties, uniquingKeysWith: { first, _ in first })),
        ]
        if !required.isEmpty { schema["required"] = .array(required.map(Value.string)) }
        return .object(schema)
    }

    public static func id(_ description: String) -> Value {
        .object(["type": "integer", "minimum": 1, "maximum": .int(Int(Int32.max)), "description": .string(description)])
    }

    public static func integer(_ description: String, minimum: Int, maximum: Int) -> Value {
        .object(["type": "integer", "minimum": .int(minimum), "maximum": .int(maximum), "description": .string(description)])
    }

    public static func string(_ description: String, oneOf values: [String]? = nil, pattern: String? = nil,
                              minLength: Int? = nil, maxLength: Int? = nil) -> Value {
        var schema: [String: Value] = ["type": "string", "description": .string(description)]
        if let values { schema["enum"] = .array(values.map(Value.string)) }
        if let pattern { schema["pattern"] = .string(pattern) }
        if let minLength { schema["minLength"] = .int(minLength) }
        if let maxLength { schema["maxLength"] = .int(maxLength) }
        return .object(schema)
    }

    public static func boolean(_ description: String) -> Value {
        .object(["type": "boolean", "description": .string(description)])
    }
}
