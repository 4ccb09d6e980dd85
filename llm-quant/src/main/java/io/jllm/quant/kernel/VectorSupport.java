package io.jllm.quant.kernel;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Decides once whether the SIMD kernels run: the {@code jdk.incubator.vector} module must be
 * present, the preferred float vector at least 128 bits, and the JIT on (no {@code -Xint}, no
 * tiered stop below C2), otherwise the Vector API would be interpreted and far slower than
 * plain scalar code. System property {@code jllm.vector=false} forces the scalar path. When the
 * scalar path is chosen for a reason other than that property, one line goes to stderr unless
 * the environment variable {@code JLLM_QUIET_VECTOR_NOTICE} is set.
 */
final class VectorSupport {
    static final boolean ENABLED = decide();

    private VectorSupport() {}

    private static boolean decide() {
        if ("false".equalsIgnoreCase(System.getProperty("jllm.vector"))) {
            return false;
        }
        String why = reasonDisabled();
        if (why == null) {
            return true;
        }
        if (System.getenv("JLLM_QUIET_VECTOR_NOTICE") == null) {
            System.err.println("jllm: SIMD kernels disabled (" + why + "); using scalar kernels");
        }
        return false;
    }

    private static String reasonDisabled() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "run with --add-modules jdk.incubator.vector";
        }
        try {
            List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
            for (String a : args) {
                if (a.equals("-Xint") || a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4")
                        || a.equals("-XX:-UseCompiler")) {
                    return "JIT compiler limited by " + a + ", the Vector API would not be intrinsified";
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // no management module: assume a normal JIT
        }
        try {
            if (!SimdKernels.usable()) {
                return "preferred vector shape too small";
            }
        } catch (LinkageError e) {
            return "Vector API unavailable: " + e;
        }
        return null;
    }
}
