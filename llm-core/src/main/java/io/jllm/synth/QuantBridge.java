package io.jllm.synth;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.Quantizer;
import java.lang.foreign.MemorySegment;

/** The reference quantizers of {@code io.jllm.quant} (byte-exact with ggml's {@code quantize_row_*_ref}). */
final class QuantBridge {
    private QuantBridge() {}

    static boolean canQuantize(GgmlType type) {
        return Quantizer.supports(type);
    }

    static void quantize(GgmlType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Quantizer.quantize(type, src, srcOff, n, dst, dstOff);
    }
}
