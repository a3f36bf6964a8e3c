import ArgumentParser
import ConvKitCore
import Foundation

extension ConvKitCommand {
    /// Parses and runs the command. Argument errors get ArgumentParser's message and the
    /// subcommand's usage; anything the command throws while running is one line,
    /// `Error: ...`, without a usage text that would only suggest the flags were wrong.
    static func main() {
        OpenMPDefaults.reexecuteWithMissingDefaults()
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch where error is ExitCode || exitCode(for: error) == .success {
            exit(withError: error)  // an explicit exit status, or `convkit help`
        } catch {
            FileHandle.standardError.write(Data("Error: \(ErrorMessage.line(for: error))\n".utf8))
            Foundation.exit(error is ValidationError ? ExitCode.validationFailure.rawValue : EXIT_FAILURE)
        }
    }
}
