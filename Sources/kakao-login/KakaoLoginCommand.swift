import ArgumentParser

/// `kakao-login`: one executable, one subcommand per process role.
@main
struct KakaoLoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kakao-login",
        abstract: "Login with Kakao, as a job-queue login worker on PostgreSQL.",
        subcommands: [
            APICommand.self,
            WorkerCommand.self,
            MigrateCommand.self,
            EmulatorCommand.self,
            QueueCommand.self,
            SessionsCommand.self,
            AuditCommand.self,
            DevCommand.self,
            ConfigCommand.self,
            BenchCommand.self,
        ]
    )
}
