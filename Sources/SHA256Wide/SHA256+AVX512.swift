import LedgerContract

/// `SHA256.Lanes.hashLanes` compiled for x86-64 CPUs with AVX-512: this
/// module alone is built with `-target-cpu skylake-avx512` (Package.swift),
/// so its copy of the inlinable kernel uses 512-bit vectors and vector
/// rotates — about three times the portable kernel's speed.
///
/// Every instruction of this module may need AVX-512: call it only on a CPU
/// whose flags include `SHA256.Lanes.Kernel.avx512Requirements`, or the
/// process stops with an illegal instruction. That check is made outside
/// this module, by code built for the baseline (`SHA256.Lanes.Kernel.avx512`
/// in LedgerStore).
public func hashLanesAVX512(_ batch: SHA256.Lanes.Batch) -> SHA256.Lanes.LaneStates {
    SHA256.Lanes.hashLanes(batch)
}
