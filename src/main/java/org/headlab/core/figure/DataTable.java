package org.headlab.core.figure;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The data of a figure as a table: named columns and rows of plain values (numbers, strings, null for a missing
 * value). Written as RFC 4180 CSV (UTF-8, comma, quotes doubled, CRLF-free: one {@code \n} per row).
 */
public record DataTable(List<String> columns, List<List<Object>> rows) {

    public DataTable {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("row has " + row.size() + " values but the table has "
                        + columns.size() + " columns " + columns);
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(row))); // may hold nulls
        }
        rows = Collections.unmodifiableList(copy);
    }

    /** A table being filled row by row. */
    public static Builder builder(String... columns) {
        return new Builder(List.of(columns));
    }

    public static final class Builder {
        private final List<String> columns;
        private final List<List<Object>> rows = new ArrayList<>();

        private Builder(List<String> columns) {
            this.columns = columns;
        }

        public Builder row(Object... values) {
            List<Object> row = new ArrayList<>(values.length);
            Collections.addAll(row, values);
            rows.add(row);
            return this;
        }

        public DataTable build() {
            return new DataTable(columns, rows);
        }
    }

    public void writeCsv(OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        writeRow(w, new ArrayList<>(columns));
        for (List<Object> row : rows) {
            writeRow(w, row);
        }
        w.flush();
    }

    private static void writeRow(Writer w, List<?> values) throws IOException {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            w.write(cell(values.get(i)));
        }
        w.write('\n');
    }

    static String cell(Object v) {
        if (v == null) {
            return "";
        }
        String s;
        if (v instanceof Double d) {
            s = d.isNaN() ? "NaN" : formatNumber(d);
        } else if (v instanceof Float f) {
            s = f.isNaN() ? "NaN" : f == Math.rint(f) && Math.abs(f) < 1e7 ? formatNumber(f) : Float.toString(f);
        } else {
            s = v.toString();
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
                || (!s.isEmpty() && (Character.isWhitespace(s.charAt(0))
                        || Character.isWhitespace(s.charAt(s.length() - 1))))) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /** Shortest round-tripping form, without locale surprises ("1.0E-4" stays Java's, which Python reads). */
    private static String formatNumber(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) d);
        }
        return Double.toString(d);
    }
}
