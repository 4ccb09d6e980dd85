package io.jllm.quant;

import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.testing.JsonReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Test helper: the reference checksums in {@code testdata/dequant/NAME.TYPE.dequant.json} and
 * a streaming sha256 of a tensor's values as little-endian f32.
 */
final class DequantGolden {
    /** Elements dequantized per step (a multiple of every block size). */
    static final int CHUNK = 1 << 16;

    private DequantGolden() {}

    /** The golden file for a model file name such as {@code llama-gqa.q4_0.gguf}. */
    static Path goldenFor(Path dequantDir, String modelFile) {
        return dequantDir.resolve(modelFile.replaceFirst("\\.gguf$", ".dequant.json"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> load(Path golden) throws IOException {
        return (Map<String, Map<String, Object>>) (Map<String, ?>) JsonReader.parseObject(golden);
    }

    /** sha256 of the tensor dequantized to little-endian f32, streamed through {@code scratch}. */
    static String sha256(GgufTensor t, MemorySegment scratch) {
        MessageDigest md = sha();
        long n = t.elementCount();
        MemorySegment data = t.data();
        long step = Math.min(CHUNK, scratch.byteSize() / 4);
        for (long done = 0; done < n; done += step) {
            long m = Math.min(step, n - done);
            Dequantizer.dequantize(t.type(), data, t.type().bytes(done), m, scratch, 0);
            md.update(scratch.asSlice(0, 4 * m).asByteBuffer());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static MemorySegment scratch(Arena arena) {
        return arena.allocate(4L * CHUNK, 64);
    }

    /** The first {@code k} values of the golden entry as floats. */
    static float[] first(Map<String, Object> entry) {
        List<?> f = (List<?>) entry.get("first");
        float[] r = new float[f.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) ((Number) f.get(i)).doubleValue();
        }
        return r;
    }

    static GgufFile open(Path p) throws IOException {
        return GgufFile.open(p);
    }
}
