/// A failure of the machine rather than of the input: a system call, the
/// storage engine. Callers report it as an I/O error (exit 74 for the CLI),
/// or, when the stored bytes themselves are found damaged (`isDamage`), as
/// damaged data (exit 65, as for a record that does not decode).
public protocol IOFailure: Error, CustomStringConvertible {
    /// The failure is a file's content that is not what was written, not the machine.
    var isDamage: Bool { get }
}

extension IOFailure {
    public var isDamage: Bool { false }
}

extension SystemError: IOFailure {}
