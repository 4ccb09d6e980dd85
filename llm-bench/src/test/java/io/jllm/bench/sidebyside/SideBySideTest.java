package io.jllm.bench.sidebyside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SideBySideTest {
    private static final String NODE_LINE = "{\"engine\":\"llama.cpp\",\"pp\":{\"tokens\":512,\"tokens_per_s\":95.5,"
            + "\"spread\":0.02,\"runs\":[94.1,95.5,96]},\"tg\":{\"tokens\":128,\"tokens_per_s\":33.25,\"spread\":0.1},"
            + "\"load_s\":0.5,\"rss_bytes\":123456789,\"cpu\":\"AMD \\\"EPYC\\\"\"}";

    @Test
    void readsBenchJson() {
        Object j = MiniJson.parse(NODE_LINE);
        assertEquals(95.5, MiniJson.number(j, "pp.tokens_per_s"));
        assertEquals(33.25, MiniJson.number(j, "tg.tokens_per_s"));
        assertEquals(123456789.0, MiniJson.number(j, "rss_bytes"));
        assertEquals("AMD \"EPYC\"", ((Map<?, ?>) j).get("cpu"));
        assertEquals(List.of(94.1, 95.5, 96.0), ((Map<?, ?>) ((Map<?, ?>) j).get("pp")).get("runs"));
        assertTrue(Double.isNaN(MiniJson.number(j, "pp.nothing")));
        assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("{\"a\": 1"));
        assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("{} x"));
    }

    @Test
    void loadIsTheMedianOfTheColdLoads() {
        SideBySide.Run main = new SideBySide.Run(MiniJson.parse(NODE_LINE), null);
        SideBySide.Run slow = new SideBySide.Run(MiniJson.parse("{\"load_s\":2.5}"), null);
        SideBySide.Run fast = new SideBySide.Run(MiniJson.parse("{\"load_s\":0.25}"), null);
        SideBySide.Run failed = new SideBySide.Run(null, "exit status 1");
        SideBySide.Run m = main.withMedianLoad(List.of(slow, fast, failed));
        assertEquals(0.5, m.loadS());
        assertEquals(2.5, main.withMedianLoad(List.of(slow, slow)).loadS());
        assertEquals(1.5, main.withMedianLoad(List.of(slow)).loadS());
        assertEquals(95.5, m.pp(), "the rest of the run is kept");
        assertEquals(List.of(0.25, 0.5, 2.5), ((Map<?, ?>) m.json()).get("load_s_runs"));
        assertEquals(0.5, MiniJson.number(main.json(), "load_s"), "the original is not modified");
        assertEquals(List.of("bench", "-p", "1", "-n", "1", "-r", "1", "-t", "2"),
                SideBySide.loadOnly(List.of("bench", "-p", "512", "-n", "128", "-r", "3", "-t", "2")));
    }

    @Test
    void reportTableAndDocSection() {
        Object node = MiniJson.parse(NODE_LINE);
        Object jllm = MiniJson.parse("{\"pp\":{\"tokens_per_s\":47.75,\"spread\":0},\"tg\":{\"tokens_per_s\":16.625},"
                + "\"load_s\":1.25}");
        Machine m = new Machine("cpu", 2, 1L << 30, "Linux", "JDK 25", "v20", "abc123", "2026-01-01 00:00 UTC", "0.1");
        SideBySide.Row row = new SideBySide.Row(Path.of("out/tinyllama-1.1b.q4_k_m.gguf"), 700L << 20,
                new SideBySide.Run(jllm, null), new SideBySide.Run(node, null));
        SideBySide.Row failed = new SideBySide.Row(Path.of("x.f16.gguf"), 1L << 20,
                new SideBySide.Run(null, "llm: error: no engine | here"), new SideBySide.Run(node, null));
        Report r = new Report(m, 2, 3, 512, 128, List.of(row, failed));
        String md = r.markdown("chart.svg");
        assertTrue(md.contains("| tinyllama-1.1b | Q4_K_M | 700 MiB | 47.8 ±0% | 95.5 ±2% | 0.50 | 16.6 | 33.3 ±10% | 0.50 |"
                + " 1.3 / 0.5 |"), md);
        assertTrue(md.contains("| x | F16 | 1 MiB | n/a | 95.5 ±2% | – |"), md);
        assertTrue(md.contains("- n/a: jllm on x.f16.gguf: llm: error: no engine \\| here"), md);
        String doc = "# P\n\nintro\n\n" + Report.BEGIN + "\nold\n" + Report.END + "\n\nafter\n";
        String updated = r.insertInto(doc, "NEW\n");
        assertEquals("# P\n\nintro\n\n" + Report.BEGIN + "\nNEW\n" + Report.END + "\n\nafter\n", updated);
        assertTrue(r.insertInto("# P\n", "NEW\n").endsWith(Report.BEGIN + "\nNEW\n" + Report.END + "\n"));
        String svg = r.svg();
        assertTrue(svg.startsWith("<svg ") && svg.endsWith("</svg>\n"));
        assertTrue(svg.contains("<title>Q4_K_M jllm: 47.8 tokens/s</title>"), svg);
        assertTrue(r.rawJson().contains("\"jllm\": null"));
        MiniJson.parse(r.rawJson());
    }

    @Test
    void nativeReferenceTable() {
        Object node = MiniJson.parse(NODE_LINE);
        Object jllm = MiniJson.parse("{\"pp\":{\"tokens_per_s\":48.5},\"tg\":{\"tokens_per_s\":10.1}}");
        Object ref = MiniJson.parse("{\"threads\": 2, \"p\": 512, \"n\": 128, \"models\": "
                + "{\"tinyllama-1.1b.Q4_0\": {\"pp\": 97.0, \"tg\": 50.5}}}");
        Machine m = new Machine("cpu", 2, 1L << 30, "Linux", "JDK 25", "v20", "abc123", "2026-01-01 00:00 UTC", "0.1");
        SideBySide.Row row = new SideBySide.Row(Path.of("tinyllama-1.1b.q4_0.gguf"), 1L << 20,
                new SideBySide.Run(jllm, null), new SideBySide.Run(node, null));
        SideBySide.Row other = new SideBySide.Row(Path.of("tinyllama-1.1b.q2_k.gguf"), 1L << 20,
                new SideBySide.Run(jllm, null), new SideBySide.Run(node, null));
        String md = new Report(m, 2, 3, 512, 128, List.of(row, other)).withNativeReference(ref).markdown("c.svg");
        assertTrue(md.contains("| Q4_0 | 97.0 | 50.5 | 0.50 | 0.20 | 0.98 | 0.66 |"), md);
        assertTrue(!md.contains("| Q2_K | n/a"), md);
        String other4 = new Report(m, 4, 3, 512, 128, List.of(row)).withNativeReference(ref).markdown("c.svg");
        assertTrue(!other4.contains("native pp512"), "another thread count is not compared");
    }

    @Test
    void fileNames() {
        assertEquals("Q4_0", SideBySide.typeOf(Path.of("a/tinyllama-1.1b.q4_0.gguf")));
        assertEquals("tinyllama-1.1b", SideBySide.nameOf(Path.of("a/tinyllama-1.1b.q4_0.gguf")));
        assertEquals(250, BarChart.niceCeiling(201));
        assertEquals(50, BarChart.niceCeiling(41));
    }
}
