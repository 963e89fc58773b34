#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the process's standard streams are connected to.
enum Terminal {
    /// Whether standard output is a terminal (not a pipe, a file or a CI log).
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Writes `text` through the same buffer as `print` (so it stays in order with it) and flushes
    /// it, so a bar redrawn without a newline shows at once.
    static func writeToStandardOutput(_ text: String) {
        print(text, terminator: "")
        fflush(stdout)
    }
}
