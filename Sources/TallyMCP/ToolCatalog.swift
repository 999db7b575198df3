/// Every tool `tally mcp` serves, in the order `tools/list` gives them: WorkOS's 31 names and
/// arguments in WorkOS's order (tasks, habits, energy, brain dump, personal tasks), then Tally's
/// own.
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
        EnergyWriteTools.adjustDailyGoal,
        TaskReadTools.getHabits,
        HabitWriteTools.createHabit,
        HabitTools.completeHabit,
        HabitReadTools.streaks,
        HabitReadTools.checkin,
        HabitReadTools.dashboard,
        HabitWriteTools.recalculateStreaks,
        HabitWriteTools.deleteHabit,
        EnergyWriteTools.logEnergy,
        EnergyTools.getEnergy,
        EnergyWriteTools.overrideEnergy,
        EnergyWriteTools.energyFeedback,
        BrainDumpTools.brainDump,
        LifeReadTools.brainDump,
        BrainDumpTools.processBrainDump,
        LifeReadTools.personalTasks,
        TallyTools.sync,
        TallyTools.status,
    ]

    /// The tool named `name`.
    public static func tool(named name: String, in tools: [MCPTool] = all) -> MCPTool? {
        tools.first { $0.name == name }
    }
}
