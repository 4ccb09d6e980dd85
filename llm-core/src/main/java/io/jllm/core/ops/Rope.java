package io.jllm.core.ops;

import io.jllm.core.arch.RopeKind;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Rotary position embedding as {@code ggml_rope_ext} computes it (reference section 5): theta
 * starts at the position and is multiplied by {@code base^(−2/n_rot)} after each pair, in float;
 * optional frequency factors divide theta; linear scaling and YaRN mix interpolated and
 * extrapolated angles. Immutable; {@link #cache} fills a per-position cos/sin table.
 */
public final class Rope {
    private final RopeKind kind;
    private final int nRot;
    private final float thetaScale;
    private final float freqScale;
    private final float extFactor;
    private final float attnFactor;
    private final float corrLow;
    private final float corrHigh;
    private final float @Nullable [] freqFactors;

    /**
     * @param extFactor YaRN extrapolation mix (0 = off, 1 for YaRN scaling)
     * @param origContext the training context YaRN's correction dims are computed from
     */
    public Rope(RopeKind kind, int nRot, float freqBase, float freqScale, float extFactor, float attnFactor,
                int origContext, float betaFast, float betaSlow, float @Nullable [] freqFactors) {
        this.kind = kind;
        this.nRot = nRot;
        this.thetaScale = (float) Math.pow(freqBase, -2.0f / nRot);
        this.freqScale = freqScale;
        this.extFactor = extFactor;
        this.attnFactor = attnFactor;
        float start = (float) Math.floor(corrDim(nRot, origContext, betaFast, freqBase));
        float end = (float) Math.ceil(corrDim(nRot, origContext, betaSlow, freqBase));
        this.corrLow = Math.max(0, start);
        this.corrHigh = Math.min(nRot - 1, end);
        this.freqFactors = freqFactors == null ? null : freqFactors.clone();
    }

    private static float corrDim(int nDims, int nCtxOrig, float nRot, float base) {
        return nDims * (float) Math.log(nCtxOrig / (nRot * 2 * (float) Math.PI)) / (2 * (float) Math.log(base));
    }

    public RopeKind kind() {
        return kind;
    }

    public int dims() {
        return nRot;
    }

    /** Fills {@code cache[ci .. ci+nRot)} with (cos, sin) per pair for position {@code pos}. */
    public void cache(int pos, MemorySegment cache, long ci) {
        float theta = (float) pos;
        for (int i0 = 0; i0 < nRot; i0 += 2) {
            float ff = freqFactors == null ? 1.0f : freqFactors[i0 / 2];
            float thetaExtrap = theta / ff;
            float thetaInterp = freqScale * thetaExtrap;
            float t = thetaInterp;
            float mscale = attnFactor;
            if (extFactor != 0.0f) {
                float y = (i0 / 2 - corrLow) / Math.max(0.001f, corrHigh - corrLow);
                float ramp = 1 - Math.min(1, Math.max(0, y));
                float mix = ramp * extFactor;
                t = thetaInterp * (1 - mix) + thetaExtrap * mix;
                mscale *= 1.0f + 0.1f * (float) Math.log(1.0f / freqScale);
            }
            F32.set(cache, ci + i0, (float) Math.cos(t) * mscale);
            F32.set(cache, ci + i0 + 1, (float) Math.sin(t) * mscale);
            theta *= thetaScale;
        }
    }

    /** Rotates {@code heads} heads of width {@code headDim} at float index {@code xi} with a filled cache. */
    public void apply(MemorySegment x, long xi, int heads, int headDim, MemorySegment cache, long ci) {
        for (int h = 0; h < heads; h++) {
            long base = xi + (long) h * headDim;
            if (kind == RopeKind.NORM) {
                for (int i0 = 0; i0 < nRot; i0 += 2) {
                    rotate(x, base + i0, base + i0 + 1, F32.get(cache, ci + i0), F32.get(cache, ci + i0 + 1));
                }
            } else if (kind == RopeKind.NEOX) {
                int half = nRot / 2;
                for (int i0 = 0; i0 < nRot; i0 += 2) {
                    int i = i0 / 2;
                    rotate(x, base + i, base + i + half, F32.get(cache, ci + i0), F32.get(cache, ci + i0 + 1));
                }
            }
        }
    }

    private static void rotate(MemorySegment x, long a, long b, float c, float s) {
        float x0 = F32.get(x, a);
        float x1 = F32.get(x, b);
        F32.set(x, a, x0 * c - x1 * s);
        F32.set(x, b, x0 * s + x1 * c);
    }
}
