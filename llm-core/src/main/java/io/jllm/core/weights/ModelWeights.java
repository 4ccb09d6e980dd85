package io.jllm.core.weights;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * All weights of a model: views into the mapped file (matrices) plus small decoded vectors.
 *
 * @param tokenEmbedding {@code token_embd} {n_embd, n_vocab}, read row by row (get_rows)
 * @param positionEmbedding {@code position_embd} {n_embd, n_ctx_train}, or null
 * @param ropeFreqs      {@code rope_freqs} (Llama 3 frequency factors, n_rot/2), or null
 * @param output         the output projection ({@code output}, or {@code token_embd} when tied)
 */
public record ModelWeights(Matrix tokenEmbedding, @Nullable Matrix positionEmbedding, float @Nullable [] ropeFreqs,
                           List<LayerWeights> layers, NormWeights outputNorm, Matrix output, boolean tiedOutput) {
    public ModelWeights {
        layers = List.copyOf(layers);
    }

    /**
     * Bytes of the load-time companions of the matrices ({@link Matrix#packedBytes}: the
     * repacked copies, which replace the file's pages of their matrices in resident memory, and
     * F16's row flags).
     */
    public long packedBytes() {
        long n = output.packedBytes();
        for (LayerWeights l : layers) {
            for (Matrix m : new Matrix[] {l.wq(), l.wk(), l.wv(), l.wqkv(), l.wo(), l.ffnGate(), l.ffnUp(), l.ffnDown()}) {
                if (m != null) {
                    n += m.packedBytes();
                }
            }
        }
        return n;
    }
}
