package io.jllm.synth;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Access to the reference quantizers of {@code io.jllm.quant}. */
final class QuantBridge {
    private QuantBridge() {}

    static boolean canQuantize(GgmlType type) {
        return false;
    }

    static void quantize(GgmlType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        throw new UnsupportedOperationException("no quantizer for tensor type " + type
                + " in this build (io.jllm.quant quantizers not available yet)");
    }
}
