import LedgerCLI
#if canImport(Glibc)
import Glibc
#endif

exit(DossierLedgerCLI.run(Array(CommandLine.arguments.dropFirst())))
