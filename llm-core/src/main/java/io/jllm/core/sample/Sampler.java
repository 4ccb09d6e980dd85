package io.jllm.core.sample;

import java.util.Arrays;

/**
 * llama.cpp's sampler chain in its order: penalties → top-k → top-p → min-p → temperature →
 * seeded draw ({@code std::discrete_distribution} over {@code std::mt19937}). Greedy when the
 * temperature is ≤ 0: argmax after penalties, ties to the lowest id. One instance per
 * generation; buffers are allocated once, so sampling a token allocates nothing.
 */
public final class Sampler {
    private final SamplerParams p;
    private final Mt19937 rng;
    private final long[] keys;
    private final float[] work;
    private final float[] probs;
    private final int[] ids;
    private final int[] counts;
    private final int[] recent;
    private final int[] mark;
    private int markGen;
    private int recentCount;
    private int recentHead;

    public Sampler(SamplerParams params, int vocab) {
        this.p = params;
        this.rng = new Mt19937(params.seed());
        this.keys = new long[vocab];
        this.work = new float[vocab];
        this.probs = new float[vocab];
        this.ids = new int[vocab];
        this.counts = new int[vocab];
        this.recent = new int[Math.max(0, params.repeatLastN())];
        this.mark = new int[vocab];
    }

    /** Records an accepted token (prompt or generated) for the penalties. */
    public void accept(int token) {
        if (recent.length == 0 || token < 0 || token >= counts.length) {
            return;
        }
        if (recentCount == recent.length) {
            counts[recent[recentHead]]--;
        } else {
            recentCount++;
        }
        recent[recentHead] = token;
        counts[token]++;
        recentHead = (recentHead + 1) % recent.length;
    }

    private boolean penalties() {
        return p.repeatPenalty() != 1.0f || p.frequencyPenalty() != 0.0f || p.presencePenalty() != 0.0f;
    }

    /** Picks the next token from {@code logits} (not modified). */
    public int sample(float[] logits) {
        int n = logits.length;
        System.arraycopy(logits, 0, work, 0, n);
        if (penalties()) {
            markGen++;
            for (int i = 0; i < recentCount; i++) {
                int t = recent[i];
                if (mark[t] != markGen) { // once per distinct token
                    mark[t] = markGen;
                    float l = work[t];
                    l = l <= 0 ? l * p.repeatPenalty() : l / p.repeatPenalty();
                    l -= counts[t] * p.frequencyPenalty() + p.presencePenalty();
                    work[t] = l;
                }
            }
        }
        if (p.temperature() <= 0) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (work[i] > work[best]) {
                    best = i;
                }
            }
            return best;
        }
        // candidates sorted descending (ties: lower id first); with top-k only the k best are
        // selected (a bounded heap, O(n log k)) instead of sorting the whole vocabulary
        int size = p.topK() > 0 && p.topK() < n ? selectTop(n, p.topK()) : sortAll(n);
        for (int i = 0; i < size; i++) {
            ids[i] = (int) keys[i];
        }
        if (p.topP() < 1.0f) {
            softmax(size);
            float cum = 0;
            for (int i = 0; i < size; i++) {
                cum += probs[i];
                if (cum >= p.topP() && i + 1 >= 1) {
                    size = i + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0.0f && size > 1) {
            float min = work[ids[0]] + (float) Math.log(p.minP());
            int keep = 0;
            while (keep < size && work[ids[keep]] >= min) {
                keep++;
            }
            size = Math.max(1, keep);
        }
        for (int i = 0; i < size; i++) {
            work[ids[i]] /= p.temperature();
        }
        softmax(size);
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += probs[i];
        }
        double r = rng.nextCanonical();
        double cum = 0;
        for (int i = 0; i < size - 1; i++) {
            cum += probs[i] / sum;
            if (cum >= r) {
                return ids[i];
            }
        }
        return ids[size - 1];
    }

    /** Sort key: ascending key = descending logit, then ascending id. */
    private static long key(float logit, int id) {
        int bits = Float.floatToIntBits(logit);
        int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~sortable << 32) | id;
    }

    private int sortAll(int n) {
        for (int i = 0; i < n; i++) {
            keys[i] = key(work[i], i);
        }
        Arrays.sort(keys, 0, n);
        return n;
    }

    /** The k smallest keys, sorted, in keys[0..k): a max-heap of size k over the stream of keys. */
    private int selectTop(int n, int k) {
        for (int i = 0; i < k; i++) {
            keys[i] = key(work[i], i);
            siftUp(i);
        }
        for (int i = k; i < n; i++) {
            long kk = key(work[i], i);
            if (kk < keys[0]) {
                keys[0] = kk;
                siftDown(0, k);
            }
        }
        Arrays.sort(keys, 0, k);
        return k;
    }

    private void siftUp(int i) {
        long v = keys[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] >= v) {
                break;
            }
            keys[i] = keys[parent];
            i = parent;
        }
        keys[i] = v;
    }

    private void siftDown(int i, int size) {
        long v = keys[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && keys[c + 1] > keys[c]) {
                c++;
            }
            if (keys[c] <= v) {
                break;
            }
            keys[i] = keys[c];
            i = c;
        }
        keys[i] = v;
    }

    /** llama.cpp's softmax over the first {@code size} sorted candidates (float sums). */
    private void softmax(int size) {
        float max = work[ids[0]];
        float sum = 0;
        for (int i = 0; i < size; i++) {
            float e = (float) Math.exp(work[ids[i]] - max);
            probs[i] = e;
            sum += e;
        }
        for (int i = 0; i < size; i++) {
            probs[i] /= sum;
        }
    }

    /** log p(token) under softmax(logits), computed in double. */
    public static float logProb(float[] logits, int token) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp((double) l - max);
        }
        return (float) ((double) logits[token] - max - Math.log(sum));
    }
}
