package io.wsp.server.metrics;

/**
 * Writes metrics in the Prometheus text exposition format 0.0.4, which every Prometheus-compatible
 * scraper reads, with no client library in the WAR. Each family is named {@code wsp_<name>};
 * counters end in {@code _total}. Open a family with {@link #counter} or {@link #gauge}, then add
 * its samples. Not thread safe: one writer per scrape.
 */
public final class PrometheusWriter {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PREFIX = "wsp_";

    private final StringBuilder out = new StringBuilder(4096);
    private String family;

    /** Opens a counter family {@code wsp_<name>_total}. */
    public PrometheusWriter counter(String name, String help) {
        return open(PREFIX + name + "_total", "counter", help);
    }

    public PrometheusWriter gauge(String name, String help) {
        return open(PREFIX + name, "gauge", help);
    }

    /**
     * One sample of the open family; {@code labels} are name, value pairs. Values are escaped,
     * so agent ids and reasons may hold any character.
     */
    public PrometheusWriter sample(double value, String... labels) {
        return line(family, labels, value);
    }

    /** A whole histogram family {@code wsp_<name>} with no labels of its own. */
    public PrometheusWriter histogram(String name, String help, DurationHistogram.Snapshot h) {
        String base = PREFIX + name;
        open(base, "histogram", help);
        double[] bounds = h.bounds();
        for (int i = 0; i < bounds.length; i++) {
            line(base + "_bucket", new String[] {"le", number(bounds[i])}, h.cumulative()[i]);
        }
        line(base + "_bucket", new String[] {"le", "+Inf"}, h.count());
        line(base + "_sum", new String[0], h.sumSeconds());
        return line(base + "_count", new String[0], h.count());
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private PrometheusWriter open(String name, String type, String help) {
        family = name;
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    private PrometheusWriter line(String name, String[] labels, double value) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escapeLabel(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** Whole numbers without a fraction, so counters read as counts. */
    static String number(double value) {
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
