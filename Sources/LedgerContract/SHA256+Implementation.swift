#if arch(x86_64)
import _Builtin_intrinsics.intel.cpuid
#endif

extension SHA256 {
    /// The code that compresses SHA-256's blocks. Every implementation gives
    /// the same digests; they differ in speed and in the CPUs they run on.
    public enum Implementation: String, Sendable, CaseIterable {
        /// Swift for any CPU.
        case portable
        /// The x86 SHA extensions (`SHA256NI`): several times `portable`'s
        /// speed, on the CPUs that have them (x86-64 since about 2017).
        case shaExtensions = "sha-extensions"

        /// Whether this machine runs it.
        public var isAvailable: Bool {
            switch self {
            case .portable: true
            case .shaExtensions: Self.cpuHasSHAExtensions
            }
        }

        /// The fastest implementation this machine runs.
        public static let fastest: Implementation = cpuHasSHAExtensions ? .shaExtensions : .portable

        /// What `SHA256NI` is built for, from CPUID: the SHA extensions
        /// (leaf 7, EBX bit 29), SSE4.1 and SSSE3 (leaf 1, ECX bits 19 and 9).
        /// This code is built for the baseline, so it runs on any x86-64 CPU.
        private static let cpuHasSHAExtensions: Bool = {
            #if arch(x86_64)
            var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
            guard __get_cpuid(1, &a, &b, &c, &d) != 0, c & (1 << 19) != 0, c & (1 << 9) != 0 else { return false }
            guard __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 else { return false }
            return b & (1 << 29) != 0
            #else
            return false
            #endif
        }()
    }
}
