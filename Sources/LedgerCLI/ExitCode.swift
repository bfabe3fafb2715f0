/// Exit codes, after `sysexits.h`.
public enum ExitCode: Int32, Sendable {
    case ok = 0
    /// A check found a problem (verify) or a general failure.
    case failure = 1
    /// Bad command line.
    case usage = 64
    /// Bad input data: refused, nothing written.
    case dataError = 65
    /// Input file or ledger missing.
    case noInput = 66
    /// Internal error.
    case software = 70
    /// Cannot create the ledger.
    case cannotCreate = 73
    /// Read or write failure.
    case ioError = 74
    /// Temporary failure: an expectedVersion conflict; re-read and retry.
    case temporaryFailure = 75
    /// The ledger's files are world-writable.
    case noPermission = 77
}

/// A failure the CLI reports on stderr with an exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let code: ExitCode
    let message: String
    init(_ code: ExitCode, _ message: String) { self.code = code; self.message = message }
    var description: String { message }
}
