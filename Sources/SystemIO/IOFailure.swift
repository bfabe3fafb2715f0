/// A failure of the machine rather than of the input: a system call, the
/// storage engine. Callers report it as an I/O error (exit 74 for the CLI).
public protocol IOFailure: Error, CustomStringConvertible {}

extension SystemError: IOFailure {}
