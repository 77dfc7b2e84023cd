import ArgumentParser

/// `kakao-login config …`: the settings, without starting anything.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the settings without starting anything.",
        subcommands: [ConfigCheckCommand.self]
    )
}
