package io.jllm.cli;

import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.quant.Dequantizer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code llm tensor FILE NAME --f32 OUT}: writes one tensor's values dequantized to
 * little-endian f32, ne0 fastest, streamed in chunks (no whole-tensor array).
 */
public final class TensorCommand implements CliCommand, Main.ValuedOptions {
    /** Elements per write (a multiple of every block size). */
    private static final int CHUNK = 1 << 18;

    @Override
    public String usage() {
        return "llm tensor FILE NAME --f32 OUT [--json]   write a tensor's values as little-endian f32";
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("--f32");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path file = Path.of(args.positional(0, "FILE"));
        String name = args.positional(1, "NAME");
        String outPath = args.requireOption("--f32");
        boolean json = args.flag("--json");
        args.finish();
        if (args.positionals().size() > 2) {
            throw new CliException("unexpected argument '" + args.positionals().get(2) + "'");
        }
        try (GgufFile f = open(file)) {
            GgufTensor t = f.findTensor(name);
            if (t == null) {
                throw new CliException(file + ": no tensor named '" + name + "'" + hint(f, name));
            }
            if (!Dequantizer.supports(t.type())) {
                throw new CliException(file + ": tensor '" + name + "' has type " + t.type()
                        + ", which cannot be dequantized yet");
            }
            long n = t.elementCount();
            write(t, Path.of(outPath));
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("type", t.type().ggmlName());
                m.put("shape", t.shape());
                m.put("n", n);
                m.put("out", outPath);
                m.put("bytes", 4 * n);
                out.println(Json.write(m));
            } else {
                out.println("wrote " + n + " f32 values of " + t + " to " + outPath);
            }
        }
        return 0;
    }

    private static GgufFile open(Path file) throws IOException {
        try {
            return GgufFile.open(file);
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no such file");
        }
    }

    /** Streams the dequantized tensor to {@code out} through a fixed-size buffer. */
    static void write(GgufTensor t, Path out) throws IOException {
        long n = t.elementCount();
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            MemorySegment buf = arena.allocate(4L * CHUNK, 64);
            for (long done = 0; done < n; done += CHUNK) {
                long m = Math.min(CHUNK, n - done);
                Dequantizer.dequantize(t.type(), t.data(), t.type().bytes(done), m, buf, 0);
                ByteBuffer bb = buf.asSlice(0, 4 * m).asByteBuffer();
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
            }
        }
    }

    private static String hint(GgufFile f, String name) {
        List<String> close = new ArrayList<>();
        for (GgufTensor t : f.tensors()) {
            if (close.size() < 3 && (t.name().contains(name) || name.contains(t.name()))) {
                close.add(t.name());
            }
        }
        return close.isEmpty() ? " (" + f.tensors().size() + " tensors; see llm inspect)"
                : " (did you mean " + String.join(", ", close) + "?)";
    }
}
