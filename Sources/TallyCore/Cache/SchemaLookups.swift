import GRDB

extension Database {
    /// Whether the main schema has a table called `name` (any case): one look-up in
    /// `sqlite_master`. GRDB's `tableExists` first reads every schema object into its cache,
    /// which a frame, read once in a new process, paid for at every start.
    ///
    /// The statement is kept by the connection, so a process asking again (the dashboard's
    /// frames, the MCP server's tools) pays a step, not a compile.
    func hasMainTable(_ name: String) throws -> Bool {
        let statement = try cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE)
            """)
        return try Bool.fetchOne(statement, arguments: [name]) ?? false
    }

    /// Whether the main schema's table `table` has a column called `column` (any case).
    func hasColumn(_ column: String, in table: String) throws -> Bool {
        let statement = try cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM pragma_table_info(?) WHERE name = ? COLLATE NOCASE)
            """)
        return try Bool.fetchOne(statement, arguments: [table, column]) ?? false
    }
}
