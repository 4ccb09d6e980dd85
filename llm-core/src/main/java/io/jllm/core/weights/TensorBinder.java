package io.jllm.core.weights;

import io.jllm.core.ModelLoadException;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.quant.kernel.Kernels;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Finds tensors by name and checks their exact shape and type, for the blocks whose tensors are
 * not plain 2-D matrices (expert stacks, per-head MLA matrices). Errors name the file, the
 * tensor and what the hyperparameters imply.
 */
final class TensorBinder {
    private final GgufFile file;
    private final String where;
    private final String arch;
    private final Function<GgufTensor, MemorySegment> data;

    TensorBinder(GgufFile file, String arch, Function<GgufTensor, MemorySegment> data) {
        this.file = file;
        this.where = file.path().getFileName().toString();
        this.arch = arch;
        this.data = data;
    }

    boolean has(String name) {
        return file.findTensor(name) != null;
    }

    private GgufTensor require(String name) {
        GgufTensor t = file.findTensor(name);
        if (t == null) {
            throw new ModelLoadException(where + ": tensor '" + name + "' is missing (required by architecture "
                    + arch + ")");
        }
        return t;
    }

    /** The tensor with exactly {@code shape} (ne0 first) whose type has a matrix kernel; its bytes. */
    GgufTensor tensor(String name, long... shape) {
        GgufTensor t = require(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelLoadException(where + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " but the hyperparameters imply " + Arrays.toString(shape));
        }
        if (!Kernels.supports(t.type())) {
            throw new ModelLoadException(where + ": tensor '" + name + "' has type " + t.type()
                    + ", which has no matrix kernel in this build");
        }
        return t;
    }

    MemorySegment data(GgufTensor t) {
        return data.apply(t);
    }

    /** A 2-D matrix {@code {cols, rows}}. */
    Matrix matrix(String name, int cols, int rows) {
        GgufTensor t = tensor(name, cols, rows);
        return new Matrix(name, t.type(), data(t), rows, cols);
    }

    /**
     * A stack {@code {cols, rows, count}} split into its {@code count} matrices (views, no copy):
     * matrix i starts at byte {@code i · rows · rowBytes}.
     */
    Matrix[] stack(String name, int cols, int rows, int count) {
        GgufTensor t = tensor(name, cols, rows, count);
        MemorySegment all = data(t);
        long bytes = (long) rows * t.type().bytes(cols);
        Matrix[] m = new Matrix[count];
        for (int i = 0; i < count; i++) {
            m[i] = new Matrix(name + "[" + i + "]", t.type(), all.asSlice(i * bytes, bytes), rows, cols);
        }
        return m;
    }

    /** A 1-D tensor of n values decoded to f32. */
    float[] vector(String name, int n) {
        GgufTensor t = require(name);
        if (t.elementCount() != n || t.nDims() != 1) {
            throw new ModelLoadException(where + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " but the hyperparameters imply [" + n + "]");
        }
        if (!TensorRows.supports(t.type())) {
            throw new ModelLoadException(where + ": tensor '" + name + "' has type " + t.type()
                    + ", which cannot be decoded to f32");
        }
        return TensorRows.toArray(t.type(), t.data(), n);
    }

    float @Nullable [] optionalVector(String name, int n) {
        return has(name) ? vector(name, n) : null;
    }
}
