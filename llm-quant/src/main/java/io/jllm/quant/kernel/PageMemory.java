package io.jllm.quant.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Large off-heap buffers (the repacked weights) straight from the kernel: an anonymous private
 * {@code mmap}, advised {@code MADV_HUGEPAGE}, unmapped when the arena closes. Unlike
 * {@link Arena#allocate} nothing is zero-filled up front (fresh anonymous pages already read as
 * zero), so the pages are first touched by whoever writes them — the packing threads, in
 * parallel — and with transparent huge pages in "madvise" mode they come as 2 MiB pages (fewer
 * faults at load, fewer TLB misses when the kernels stream them). Where mmap is not available
 * (not Linux, no native access) it falls back to {@link Arena#allocate}.
 */
public final class PageMemory {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (RuntimeException | LinkageError e) {
                mmap = munmap = madvise = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private PageMemory() {}

    /**
     * {@code bytes} of zero-initialised memory (page-aligned when mapped) that lives as long as
     * {@code arena}.
     */
    public static MemorySegment allocate(long bytes, Arena arena) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, got " + bytes);
        }
        if (MMAP != null) {
            MemorySegment m = map(bytes);
            if (m != null) {
                return m.reinterpret(bytes, arena, PageMemory::unmap);
            }
        }
        return arena.allocate(bytes, 64);
    }

    private static MemorySegment map(long bytes) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (p.address() == -1L || p.address() == 0L) {
                return null; // MAP_FAILED: fall back to the arena
            }
            int ignored = (int) MADVISE.invokeExact(p, bytes, MADV_HUGEPAGE); // advice only: failure is fine
            return p.reinterpret(bytes);
        } catch (Throwable e) {
            return null;
        }
    }

    private static void unmap(MemorySegment s) {
        try {
            int ignored = (int) MUNMAP.invokeExact(s, s.byteSize());
        } catch (Throwable e) {
            // nothing to do: the mapping stays until the process exits
        }
    }
}
