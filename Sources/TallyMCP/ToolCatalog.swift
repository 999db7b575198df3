/// Every tool `tally mcp` serves, in the order `tools/list` gives them: WorkOS's names and
/// arguments in WorkOS's order (tasks, habits, energy, brain dump, personal tasks), then Tally's
/// own.
///
/// WorkOS's tools that write habits, energy, brain dumps and the day's goal
/// (`workos_adjust_daily_goal`, `life_create_habit`, `life_delete_habit`,
/// `life_recalculate_streaks`, `life_log_energy`, `life_override_energy_suggestion`,
/// `life_provide_energy_feedback`, `life_brain_dump`, `life_process_brain_dump`) are not served
/// yet: they need the write path the other writes take.
public enum ToolCatalog {
    public static let all: [MCPTool] = [
        ClientMemoryTools.serverVersion,
        MetricsTools.todayMetrics,
        MetricsTools.metricsForDate,
        TaskReadTools.getTasks,
        TaskReadTools.getClients,
        TaskWriteTools.createTask,
        TaskWriteTools.completeTask,
        TaskWriteTools.promoteTask,
        MetricsTools.streak,
        ClientMemoryTools.clientMemory,
        MetricsTools.dailySummary,
        TaskWriteTools.updateTask,
        TaskWriteTools.deleteTask,
        EnergyTools.energyAwareTasks,
        TaskReadTools.getHabits,
        HabitTools.completeHabit,
        HabitReadTools.streaks,
        HabitReadTools.checkin,
        HabitReadTools.dashboard,
        EnergyTools.getEnergy,
        LifeReadTools.brainDump,
        LifeReadTools.personalTasks,
        TallyTools.sync,
        TallyTools.status,
    ]

    /// The tool named `name`.
    public static func tool(named name: String, in tools: [MCPTool] = all) -> MCPTool? {
        tools.first { $0.name == name }
    }
}
