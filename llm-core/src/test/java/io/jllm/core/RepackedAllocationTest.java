package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.synth.FileType;
import io.jllm.synth.ModelShape;
import io.jllm.synth.Presets;
import io.jllm.synth.Synthesizer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The repacked-weight paths (Q4_0, Q4_K and Q6_K copies, their token-generation rows and the
 * GEMM that decodes them) allocate nothing per token after warm-up. The shared test models'
 * rows (256 and 768 columns) are too short to be repacked on 512-bit vectors, so this
 * synthesizes TinyLlama-shaped models with 512-column rows (random weights, real layout); in
 * a JVM of its own, as the other allocation tests.
 */
class RepackedAllocationTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = FileType.class, names = {"Q4_0", "Q4_K_M"})
    void repackedModelsAllocateNothingPerToken(FileType ft) throws Exception {
        ModelShape shape = Presets.get("tinyllama-1.1b").withDim(512).withHeads(8, 2).withLayers(2).withFfn(1024)
                .withVocab(1024).withContext(256);
        Path file = dir.resolve("repack-" + ft.name().toLowerCase() + ".gguf");
        Synthesizer.Result r = Synthesizer.write(new Synthesizer.Options(shape, ft, false, 7, "repack", null, 2), file,
                (done, total, tensor) -> { });
        Map<String, GgmlType> types = r.types();
        try (Model m = Model.load(file, ModelOptions.builder().threads(2).contextLength(128).build())) {
            long packable = 0;
            for (Map.Entry<String, GgmlType> e : types.entrySet()) {
                GgmlType t = e.getValue();
                if (e.getKey().startsWith("blk.") && e.getKey().endsWith(".weight") && !e.getKey().contains("norm")
                        && (t == GgmlType.Q4_0 || t == GgmlType.Q4_K || t == GgmlType.Q6_K)) {
                    packable++;
                }
            }
            assertTrue(packable > 0, "no repackable matrix in " + types);
            if (io.jllm.quant.kernel.Numerics.current() == io.jllm.quant.kernel.Numerics.FAST
                    && io.jllm.quant.kernel.MatMul.packedBytes(GgmlType.Q4_0, 1, 512) > 0) {
                assertTrue(m.repackedBytes() > 0, "nothing was repacked");
            } else {
                assertEquals(0, m.repackedBytes());
            }
        }
        AllocationTest.assertNoAllocationAfterWarmUp(file);
    }
}
