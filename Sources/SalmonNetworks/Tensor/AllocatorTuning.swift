internal import COpenBLAS

/// Process-wide tuning of glibc's `malloc` for this package's work: keep freed memory for reuse
/// instead of handing it back to the kernel after every training step or audit unit.
///
/// By default glibc maps every block above a threshold that starts at 128 KiB afresh and trims an
/// arena's free top beyond 2× that threshold, so a loop that frees and reallocates its activation
/// buffers — every forward and backward pass here, and above all passes on worker threads, whose
/// arenas are trimmed eagerly — pays a page fault per 4 KiB page each time (about 10,000 per step
/// of the benchmark transformer, 20 % of its time). ``retainFreedMemory()`` sets
/// `M_MMAP_THRESHOLD` to 32 MiB (glibc's maximum for the dynamic threshold) and `M_TRIM_THRESHOLD`
/// to 256 MiB (mallopt(3)): the process keeps up to that much freed memory mapped.
///
/// Measured on this machine (release): the benchmark transformer step 56 → 40 ms; `salmon demo`
/// 30–33 → 27 s with the peak resident size 1.5 MB higher. The `salmon` executable calls it at
/// start; a program of your own that trains or audits in a loop can call it once, before it
/// allocates. It changes no result, only where memory comes from. Elsewhere than glibc it does
/// nothing.
public enum AllocatorTuning {
    /// Keeps freed memory for reuse (see the type's comment). Returns whether glibc accepted it.
    @discardableResult
    public static func retainFreedMemory() -> Bool {
        #if os(Linux)
        return salmon_mallopt(Int32(SALMON_M_MMAP_THRESHOLD), 32 << 20) == 1
            && salmon_mallopt(Int32(SALMON_M_TRIM_THRESHOLD), 256 << 20) == 1
        #else
        return false
        #endif
    }
}
