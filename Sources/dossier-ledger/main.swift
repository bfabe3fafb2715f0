import LedgerCLI
#if canImport(Glibc)
import Glibc
#endif

DossierLedgerCLI.reportFileFaultsAsDamage()
exit(DossierLedgerCLI.run(Array(CommandLine.arguments.dropFirst())))
