/// Every tool `tally mcp` serves, in the order `tools/list` gives them: WorkOS's names and
/// arguments, then Tally's own.
public enum ToolCatalog {
    public static let all: [MCPTool] = [
        TaskReadTools.getTasks,
        TaskReadTools.getClients,
        MetricsTools.todayMetrics,
        MetricsTools.metricsForDate,
        MetricsTools.dailySummary,
        MetricsTools.streak,
        TaskWriteTools.createTask,
        TaskWriteTools.updateTask,
        TaskWriteTools.completeTask,
        TaskWriteTools.promoteTask,
        TaskWriteTools.deleteTask,
        TaskReadTools.getHabits,
        HabitTools.completeHabit,
        TallyTools.sync,
        TallyTools.status,
    ]

    /// The tool named `name`.
    public static func tool(named name: String, in tools: [MCPTool] = all) -> MCPTool? {
        tools.first { $0.name == name }
    }
}
