package io.jllm.core.engine;

import io.jllm.quant.kernel.PageMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Zeroed, 64-byte aligned session buffers (activations, KV cache) that live as long as
 * {@code arena}. Buffers of at least {@link #PAGE_THRESHOLD} bytes come from {@link PageMemory}
 * (anonymous mappings, huge pages where the kernel gives them, zero without a fill pass), the
 * rest from the arena. Why: {@code Arena.allocate} zero-fills eagerly, and on this project's VM a
 * session's ≈ 100 MB of fresh 4 KiB pages took 0.2–0.5 s to fault in, more than the model load;
 * mapped memory is faulted in by first use, a KV cache only as far as it fills.
 */
final class Workspace {
    /** Buffers at least this large are mapped. */
    static final long PAGE_THRESHOLD = 1L << 20;

    private Workspace() {}

    static MemorySegment allocate(Arena arena, long bytes) {
        return bytes >= PAGE_THRESHOLD ? PageMemory.allocate(bytes, arena) : arena.allocate(bytes, 64);
    }
}
