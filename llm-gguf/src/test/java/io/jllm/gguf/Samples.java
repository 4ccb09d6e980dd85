package io.jllm.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;

/** Small GGUF files for tests, built with {@link GgufWriter}: every value type and a few tensor types. */
final class Samples {
    private Samples() {}

    /** A writer with one value of each of the 13 types, arrays of every element type, and 4 tensors. */
    static GgufWriter allTypes() {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        w.put("general.name", GgufValue.string("sample – ünïcode ✓ 🦙"));
        w.put("t.u8", GgufValue.of(GgufValueType.UINT8, 255));
        w.put("t.i8", GgufValue.of(GgufValueType.INT8, -128));
        w.put("t.u16", GgufValue.of(GgufValueType.UINT16, 65535));
        w.put("t.i16", GgufValue.of(GgufValueType.INT16, -32768));
        w.put("t.u32", GgufValue.uint32(0xFFFF_FFFFL));
        w.put("t.i32", GgufValue.int32(Integer.MIN_VALUE));
        w.put("t.f32", GgufValue.float32(Float.NaN));
        w.put("t.bool", GgufValue.bool(true));
        w.put("t.u64", GgufValue.uint64(-1L));
        w.put("t.i64", GgufValue.of(GgufValueType.INT64, Long.MIN_VALUE));
        w.put("t.f64", GgufValue.of(GgufValueType.FLOAT64, Double.NEGATIVE_INFINITY));
        w.put("t.empty", GgufValue.string(""));
        w.put("a.u8", GgufValue.ofArray(GgufValueType.UINT8, new byte[] {0, 1, (byte) 255}));
        w.put("a.i8", GgufValue.ofArray(GgufValueType.INT8, new byte[] {-1, 2}));
        w.put("a.u16", GgufValue.ofArray(GgufValueType.UINT16, new short[] {(short) 65535, 7}));
        w.put("a.i16", GgufValue.ofArray(GgufValueType.INT16, new short[] {-5}));
        w.put("a.u32", GgufValue.ofArray(GgufValueType.UINT32, new int[] {-1, 0, 42}));
        w.put("a.i32", GgufValue.ofArray(GgufValueType.INT32, new int[] {4, 4, 8, 8}));
        w.put("a.f32", GgufValue.ofArray(GgufValueType.FLOAT32, new float[] {1.5f, Float.POSITIVE_INFINITY, -0.0f}));
        w.put("a.bool", GgufValue.ofArray(GgufValueType.BOOL, new boolean[] {true, false, true}));
        w.put("a.u64", GgufValue.ofArray(GgufValueType.UINT64, new long[] {-1L, 1L << 53 | 1}));
        w.put("a.i64", GgufValue.ofArray(GgufValueType.INT64, new long[] {Long.MAX_VALUE}));
        w.put("a.f64", GgufValue.ofArray(GgufValueType.FLOAT64, new double[] {Math.PI, Double.NaN}));
        w.put("a.str", GgufValue.stringArray("<s>", "", "▁the", "\n", "日本"));
        w.put("a.empty", GgufValue.ofArray(GgufValueType.INT32, new int[0]));
        w.put("a.emptystr", GgufValue.stringArray());
        Random r = new Random(42);
        w.addTensor("token_embd.weight", GgmlType.F32, new long[] {8, 6}, random(r, 8 * 6 * 4));
        w.addTensor("blk.0.attn_q.weight", GgmlType.Q4_0, new long[] {64, 3}, random(r, 2 * 3 * 18));
        w.addTensor("blk.0.ffn.weight", GgmlType.Q6_K, new long[] {256, 2, 1, 1}, random(r, 2 * 210));
        w.addTensor("output_norm.weight", GgmlType.F16, new long[] {3}, random(r, 6));
        return w;
    }

    static MemorySegment random(Random r, int bytes) {
        byte[] b = new byte[bytes];
        r.nextBytes(b);
        return MemorySegment.ofArray(b);
    }

    static Path write(GgufWriter w, Path file) throws IOException {
        w.write(file);
        return file;
    }
}
