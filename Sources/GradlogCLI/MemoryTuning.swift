import CMalloc

/// How the process asks glibc for memory, set once before anything is allocated.
///
/// A tape's arenas grow by doubling as a program is parsed: each growth allocates a larger
/// block, copies, and frees the old one. By default glibc serves blocks over 128 KB with a fresh
/// `mmap` and returns them with `munmap`, so every growth faults its pages in anew from the
/// kernel: `perf record` of a 784-256-256-10 MLP step (bench/gen_mlp.py) put a quarter of the
/// process's time in page faults. Served from the heap and kept when freed, those pages are
/// reused by the next growth and by the backward pass's arenas. Measured on that step, one
/// thread, best of 3: 28% fewer page faults (12,630 -> 9,137), forward + backward from 27 to
/// 19 ms, the whole `record --capture stats` from 58 to 41 ms. Peak memory is about the same
/// (the old and the new block of a growth are alive together either way); freed memory stays
/// with the process until it exits, which for a gradlog command is soon.
enum MemoryTuning {
    static func apply() {
        _ = mallopt(M_MMAP_THRESHOLD, 512 << 20)  // blocks up to 512 MB come from the heap
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)    // and freed ones are not given back early
        _ = mallopt(M_TOP_PAD, 64 << 20)          // grow the heap 64 MB at a time
    }
}
