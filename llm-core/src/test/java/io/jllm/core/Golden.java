package io.jllm.core;

import io.jllm.testing.JsonReader;
import io.jllm.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One golden file of llama.cpp's results (see shared/README.md, "golden/"). */
record Golden(String name, String prompt, int[] tokens, int nVocab, int[][] topIds, float[][] topLogits,
              int[] greedy, int[][] greedyTopIds, float[][] greedyTopLogits, double[] greedyGap) {

    static Golden load(String name) throws IOException {
        Map<String, Object> m = JsonReader.parseObject(TestData.path("golden", name + ".json"));
        List<?> top = (List<?>) m.get("top");
        List<?> gtop = (List<?>) m.get("greedy_top");
        int[][] ti = new int[top.size()][];
        float[][] tl = new float[top.size()][];
        fill(top, ti, tl);
        int[][] gi = new int[gtop.size()][];
        float[][] gl = new float[gtop.size()][];
        fill(gtop, gi, gl);
        List<?> gap = (List<?>) m.get("greedy_gap");
        double[] g = new double[gap.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = ((Number) gap.get(i)).doubleValue();
        }
        return new Golden(name, (String) m.get("prompt"), ints(m.get("tokens")), ((Number) m.get("n_vocab")).intValue(),
                ti, tl, ints(m.get("greedy")), gi, gl, g);
    }

    private static void fill(List<?> rows, int[][] ids, float[][] logits) {
        for (int i = 0; i < rows.size(); i++) {
            List<?> row = (List<?>) rows.get(i);
            ids[i] = new int[row.size()];
            logits[i] = new float[row.size()];
            for (int k = 0; k < row.size(); k++) {
                List<?> pair = (List<?>) row.get(k);
                ids[i][k] = ((Number) pair.get(0)).intValue();
                logits[i][k] = ((Number) pair.get(1)).floatValue();
            }
        }
    }

    private static int[] ints(Object o) {
        List<?> l = (List<?>) o;
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = ((Number) l.get(i)).intValue();
        }
        return a;
    }

    /** The model file this golden was computed from. */
    Path modelPath() {
        return name.startsWith("kjv-5m") ? TestData.path("demo", name + ".gguf") : TestData.model(name + ".gguf");
    }

    /** The comparison tolerance of the file's type (README: f32 0.02, f16 0.05, else 0.25). */
    double tolerance() {
        if (name.endsWith(".f32")) {
            return 0.02;
        }
        if (name.endsWith(".f16")) {
            return 0.05;
        }
        return 0.25;
    }
}
