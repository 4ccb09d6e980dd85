package io.jllm.bench.sidebyside;

import java.util.List;
import java.util.Locale;

/**
 * A grouped horizontal-free bar chart as SVG: one group per model, one bar per engine and
 * figure (pp, tg), values in tokens/s, each panel with its own scale. Plain SVG 1.1, no scripts.
 */
final class BarChart {
    /** One bar. {@code value} NaN draws "n/a". */
    record Bar(String group, String series, double value) {}

    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759"};

    private BarChart() {}

    /**
     * Two panels side by side (e.g. pp and tg), each with groups × series bars.
     *
     * @param titles   panel titles
     * @param panels   bars per panel
     * @param series   series names in legend order
     */
    static String svg(String heading, List<String> titles, List<List<Bar>> panels, List<String> series) {
        int panelW = 420;
        int panelH = 300;
        int top = 60;
        int left = 50;
        int width = left + panels.size() * (panelW + 30);
        int height = top + panelH + 70;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                left, esc(heading)));
        for (int s = 0; s < series.size(); s++) {
            int x = left + s * 190;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"43\">%s</text>%n", x, COLORS[s % COLORS.length], x + 16, esc(series.get(s))));
        }
        for (int p = 0; p < panels.size(); p++) {
            int x0 = left + p * (panelW + 30);
            panel(sb, x0, top, panelW, panelH, titles.get(p), panels.get(p), series);
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void panel(StringBuilder sb, int x0, int y0, int w, int h, String title, List<Bar> bars,
                              List<String> series) {
        List<String> groups = bars.stream().map(Bar::group).distinct().toList();
        double max = bars.stream().mapToDouble(Bar::value).filter(v -> !Double.isNaN(v)).max().orElse(1);
        double scale = niceCeiling(max);
        int plotTop = y0 + 24;
        int plotH = h - 40;
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", x0,
                y0 + 12, esc(title)));
        for (int k = 0; k <= 4; k++) {
            double v = scale * k / 4;
            int y = plotTop + plotH - (int) Math.round(plotH * k / 4.0);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%s</text>%n", x0, y, x0 + w, y,
                    x0 - 4, y + 4, tick(v)));
        }
        int groupW = w / Math.max(1, groups.size());
        int barW = Math.max(6, (groupW - 16) / Math.max(1, series.size()));
        for (int g = 0; g < groups.size(); g++) {
            int gx = x0 + g * groupW + 8;
            for (int s = 0; s < series.size(); s++) {
                String gs = groups.get(g);
                String ss = series.get(s);
                double v = bars.stream().filter(b -> b.group().equals(gs) && b.series().equals(ss))
                        .mapToDouble(Bar::value).findFirst().orElse(Double.NaN);
                int bx = gx + s * barW;
                if (Double.isNaN(v)) {
                    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\" fill=\"#999\""
                            + " text-anchor=\"middle\">n/a</text>%n", bx + barW / 2, plotTop + plotH - 4));
                    continue;
                }
                int bh = (int) Math.round(plotH * v / scale);
                sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                                + "<title>%s %s: %s tokens/s</title></rect>%n", bx, plotTop + plotH - bh, barW - 2, bh,
                        COLORS[s % COLORS.length], esc(gs), esc(ss), fmt(v)));
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">"
                        + "%s</text>%n", bx + (barW - 2) / 2, plotTop + plotH - bh - 3, fmt(v)));
            }
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    gx + (barW * series.size()) / 2, plotTop + plotH + 16, esc(groups.get(g))));
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                x0, plotTop + plotH, x0 + w, plotTop + plotH));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">tokens/s</text>%n", x0,
                plotTop + plotH + 34));
    }

    /** 1, 2, 2.5 or 5 × 10^k at or above {@code v}. */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String tick(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                : java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
