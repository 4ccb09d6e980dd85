package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class PageMemoryTest {
    @Test
    void freshMemoryIsZeroWritableAndSizedExactly() {
        long n = 3L * 1024 * 1024 + 17; // not a multiple of any page size
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = PageMemory.allocate(n, arena);
            assertEquals(n, s.byteSize());
            assertEquals(0, s.address() % 64, "aligned for vector loads");
            for (long i = 0; i < n; i += 4093) {
                assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i));
            }
            for (long i = 0; i + 8 <= n; i += 8) {
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 31);
            }
            for (long i = 0; i + 8 <= n; i += 8) {
                assertEquals(i * 31, s.get(ValueLayout.JAVA_LONG_UNALIGNED, i));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> s.get(ValueLayout.JAVA_BYTE, n));
        }
    }

    @Test
    void memoryIsReleasedWithItsArena() {
        MemorySegment s;
        try (Arena arena = Arena.ofConfined()) {
            s = PageMemory.allocate(1 << 20, arena);
            s.set(ValueLayout.JAVA_INT, 0, 7);
        }
        assertTrue(!s.scope().isAlive());
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void rejectsNonPositiveSizes() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> PageMemory.allocate(0, arena));
        }
    }
}
