import MCP
import TallyCore

/// One tool the server offers: its name, what an assistant reads about it, the JSON Schema of its
/// arguments, and the handler that answers a call. The handler returns the answer's JSON, or
/// throws a `ToolFailure` (or any error with a user-facing line), which becomes an `isError`
/// result.
///
/// A tool is a value in a list (`ToolCatalog`): adding one is one more `MCPTool` there.
public struct MCPTool: Sendable {
    public typealias Handler = @Sendable (ToolArguments, ToolContext) async throws -> JSON

    public let name: String
    public let description: String
    public let inputSchema: Value
    /// True for tools that only read: they are served from a read-only cache too.
    public let readOnly: Bool
    /// The cache namespaces a call reads, each counted as one lookup (hit or miss).
    public let lookups: [Namespace]
    public let handler: Handler

    public init(name: String, description: String, inputSchema: Value, readOnly: Bool,
                lookups: [Namespace] = [], handler: @escaping Handler) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.readOnly = readOnly
        self.lookups = lookups
        self.handler = handler
    }

    /// The tool as `tools/list` describes it.
    var listing: Tool {
        Tool(name: name, description: description, inputSchema: inputSchema,
             annotations: .init(readOnlyHint: readOnly, destructiveHint: readOnly ? nil : false,
                                openWorldHint: false))
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

    public static func string(_ description: String, oneOf values: [String]? = nil, pattern: String? = nil) -> Value {
        var schema: [String: Value] = ["type": "string", "description": .string(description)]
        if let values { schema["enum"] = .array(values.map(Value.string)) }
        if let pattern { schema["pattern"] = .string(pattern) }
        return .object(schema)
    }

    public static func boolean(_ description: String) -> Value {
        .object(["type": "boolean", "description": .string(description)])
    }
}
