package org.headlab.core.figure;

import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import org.headlab.core.figure.FigureStyle.Anchor;

/**
 * Curves over training stacked one above the other on one step axis, each with its own y axis: the way to read
 * when one quantity turns relative to another (an induction head's rLLC against its induction score and the loss).
 * Every row is a {@link TrajectoryFigure} drawn in a shared frame, so a step falls at the same x in every row.
 */
public final class StackedFigure implements Figure {
    private static final double MARGIN = 8;
    private static final double TITLE_H = 34;

    private final String title;
    private final List<TrajectoryFigure> rows;
    private final Provenance provenance;

    public StackedFigure(String title, List<TrajectoryFigure> rows, Provenance provenance) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a stacked figure needs at least one row");
        }
        this.title = title;
        this.rows = List.copyOf(rows);
        this.provenance = provenance;
    }

    public List<TrajectoryFigure> rows() {
        return rows;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public Provenance provenance() {
        return provenance;
    }

    public StackedFigure withProvenance(Provenance p) {
        return new StackedFigure(title, rows, p);
    }

    @Override
    public Dimension preferredSize() {
        int width = 0;
        for (TrajectoryFigure r : rows) {
            width = Math.max(width, r.preferredSize().width);
        }
        return new Dimension(Math.max(width, 520), (int) TITLE_H + rows.size() * 190);
    }

    /** Each row's table under a leading "row" column (the row's title); every row has the same columns. */
    @Override
    public DataTable data() {
        List<String> columns = new ArrayList<>();
        columns.add("row");
        columns.addAll(rows.get(0).data().columns());
        DataTable.Builder b = DataTable.builder(columns.toArray(String[]::new));
        for (TrajectoryFigure r : rows) {
            for (List<Object> row : r.data().rows()) {
                List<Object> values = new ArrayList<>();
                values.add(r.title());
                values.addAll(row);
                b.row(values.toArray());
            }
        }
        return b.build();
    }

    @Override
    public void draw(Graphics2D g0, Rectangle2D area) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            FigureStyle.prepare(g);
            FigureStyle.fillBackground(g, area);
            g.setFont(FigureStyle.TITLE);
            g.setPaint(FigureStyle.INK);
            FigureStyle.text(g, title, area.getX() + MARGIN, area.getY() + MARGIN + TITLE_H / 2 - 2, Anchor.LEFT);
            TrajectoryFigure.Frame frame = null;
            for (TrajectoryFigure r : rows) {
                TrajectoryFigure.Frame f = r.naturalFrame(g);
                frame = frame == null ? f : frame.union(f);
            }
            double top = area.getY() + TITLE_H;
            double h = (area.getHeight() - TITLE_H) / rows.size();
            for (int i = 0; i < rows.size(); i++) {
                rows.get(i).draw(g, new Rectangle2D.Double(area.getX(), top + i * h, area.getWidth(), h), frame);
            }
        } finally {
            g.dispose();
        }
    }
}
