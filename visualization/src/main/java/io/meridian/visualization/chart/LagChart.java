package io.meridian.visualization.chart;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * Replication lag of one flow over the last minutes: the measured lag in time (solid) and in
 * versions (thin, right axis), the analysis' predicted lag (dashed), the dataset's bound
 * (dotted red), and fault windows shaded behind, as Jepsen shades nemesis periods. Drawn on one
 * canvas, redrawn only when its data or size change, so a 10 Hz feed costs one repaint per tick.
 *
 * <p>Styling: style class {@value #STYLE_CLASS}; add {@code dark} for the dark palette.
 */
public class LagChart extends Region {

  /** The style class of every lag chart. */
  public static final String STYLE_CLASS = "lag-chart";

  /**
   * What the chart draws.
   *
   * @param title what flow this is, e.g. {@code orders: us-east → eu-central}
   * @param startMillis left edge, epoch milliseconds
   * @param endMillis right edge
   * @param atMillis sample times, ascending
   * @param lagMillis measured lag in time per sample, negative when unknown
   * @param lagVersions measured lag in versions per sample
   * @param predictedMillis the predicted lag, or NaN for none
   * @param boundMillis the dataset's bound, or NaN for none
   * @param faults fault windows as start/end pairs (end may be Long.MAX_VALUE)
   */
  public record Data(String title, long startMillis, long endMillis, long[] atMillis,
      long[] lagMillis, long[] lagVersions, double predictedMillis, double boundMillis,
      List<long[]> faults) {
    /** Checks the arrays line up. */
    public Data {
      Objects.requireNonNull(title, "title");
      if (atMillis.length != lagMillis.length || atMillis.length != lagVersions.length) {
        throw new IllegalArgumentException("lag chart arrays differ in length: " + atMillis.length
            + ", " + lagMillis.length + ", " + lagVersions.length);
      }
      faults = List.copyOf(faults);
    }

    /** Nothing to draw. */
    public static final Data EMPTY = new Data("no flow selected", 0, 1, new long[0], new long[0],
        new long[0], Double.NaN, Double.NaN, List.of());
  }

  private static final double MARGIN_LEFT = 58;
  private static final double MARGIN_RIGHT = 54;
  private static final double MARGIN_TOP = 22;
  private static final double MARGIN_BOTTOM = 22;

  private final Canvas canvas = new Canvas();
  private final ObjectProperty<Data> data = new SimpleObjectProperty<>(this, "data", Data.EMPTY);

  /** Creates an empty chart. */
  public LagChart() {
    getStyleClass().add(STYLE_CLASS);
    getChildren().add(canvas);
    data.addListener(o -> draw());
    getStyleClass().addListener((javafx.collections.ListChangeListener<String>) c -> draw());
    setMinSize(200, 120);
    setPrefSize(640, 220);
  }

  /** @return what is drawn */
  public ObjectProperty<Data> dataProperty() {
    return data;
  }

  /** @return what is drawn */
  public Data getData() {
    return data.get();
  }

  /** @param value what to draw */
  public void setData(Data value) {
    data.set(value == null ? Data.EMPTY : value);
  }

  @Override
  protected void layoutChildren() {
    double w = getWidth();
    double h = getHeight();
    if (canvas.getWidth() != w || canvas.getHeight() != h) {
      canvas.setWidth(w);
      canvas.setHeight(h);
      draw();
    }
  }

  private void draw() {
    double w = canvas.getWidth();
    double h = canvas.getHeight();
    if (w <= MARGIN_LEFT + MARGIN_RIGHT || h <= MARGIN_TOP + MARGIN_BOTTOM) {
      return;
    }
    boolean dark = getStyleClass().contains("dark");
    Color background = dark ? Color.web("#0d1117") : Color.WHITE;
    Color ink = dark ? Color.web("#c9d1d9") : Color.web("#334e68");
    Color grid = dark ? Color.web("#30363d") : Color.web("#e4e7eb");
    Color measured = dark ? Color.web("#58a6ff") : Color.web("#0066cc");
    Color versions = dark ? Color.web("#8b949e") : Color.web("#9aa5b1");
    Color predicted = dark ? Color.web("#d2a8ff") : Color.web("#8e44ad");
    Color bound = dark ? Color.web("#ff6b5b") : Color.web("#c9190b");
    Color fault = dark ? Color.web("#ff6b5b", 0.18) : Color.web("#c9190b", 0.12);

    GraphicsContext g = canvas.getGraphicsContext2D();
    g.setFill(background);
    g.fillRect(0, 0, w, h);
    Data d = data.get();
    double left = MARGIN_LEFT;
    double right = w - MARGIN_RIGHT;
    double top = MARGIN_TOP;
    double bottom = h - MARGIN_BOTTOM;
    double span = Math.max(1, d.endMillis() - d.startMillis());

    double maxLag = 1;
    long maxVersions = 1;
    for (int i = 0; i < d.atMillis().length; i++) {
      maxLag = Math.max(maxLag, d.lagMillis()[i]);
      maxVersions = Math.max(maxVersions, d.lagVersions()[i]);
    }
    if (!Double.isNaN(d.predictedMillis())) {
      maxLag = Math.max(maxLag, d.predictedMillis());
    }
    if (!Double.isNaN(d.boundMillis())) {
      maxLag = Math.max(maxLag, d.boundMillis());
    }
    maxLag = niceCeiling(maxLag * 1.1);
    double lagScale = (bottom - top) / maxLag;
    double versionScale = (bottom - top) / niceCeiling(maxVersions * 1.1);

    // Fault windows first, behind everything.
    g.setFill(fault);
    for (long[] window : d.faults()) {
      double x0 = Math.max(left, left + (window[0] - d.startMillis()) / span * (right - left));
      double x1 = Math.min(right, window[1] == Long.MAX_VALUE ? right
          : left + (window[1] - d.startMillis()) / span * (right - left));
      if (x1 > x0) {
        g.fillRect(x0, top, x1 - x0, bottom - top);
      }
    }

    g.setStroke(grid);
    g.setLineWidth(1);
    g.setLineDashes();
    g.setFont(javafx.scene.text.Font.font(10));
    g.setFill(ink);
    g.setTextBaseline(VPos.CENTER);
    for (int i = 0; i <= 4; i++) {
      double y = bottom - (bottom - top) * i / 4;
      g.strokeLine(left, y, right, y);
      g.setTextAlign(TextAlignment.RIGHT);
      g.fillText(millisText(maxLag * i / 4), left - 6, y);
      g.setTextAlign(TextAlignment.LEFT);
      g.fillText(String.format(Locale.ROOT, "%.0f v", (bottom - top) / versionScale * i / 4),
          right + 6, y);
    }
    g.setTextAlign(TextAlignment.LEFT);
    g.setTextBaseline(VPos.TOP);
    g.fillText(d.title(), left, 4);
    g.setTextBaseline(VPos.TOP);
    g.setTextAlign(TextAlignment.RIGHT);
    g.fillText(String.format(Locale.ROOT, "last %.0f s", span / 1000), right, bottom + 5);

    if (!Double.isNaN(d.boundMillis())) {
      g.setStroke(bound);
      g.setLineDashes(2, 3);
      double y = bottom - d.boundMillis() * lagScale;
      g.strokeLine(left, y, right, y);
      g.setFill(bound);
      g.setTextBaseline(VPos.BOTTOM);
      g.fillText("bound " + millisText(d.boundMillis()), right - 2, y - 1);
    }
    if (!Double.isNaN(d.predictedMillis())) {
      g.setStroke(predicted);
      g.setLineWidth(1.5);
      g.setLineDashes(8, 5);
      double y = bottom - d.predictedMillis() * lagScale;
      g.strokeLine(left, y, right, y);
      g.setFill(predicted);
      g.setTextAlign(TextAlignment.LEFT);
      g.setTextBaseline(VPos.BOTTOM);
      g.fillText("predicted p99 " + millisText(d.predictedMillis()), left + 4, y - 1);
    }
    g.setLineDashes();
    polyline(g, d, versions, 1, left, right, bottom, span, versionScale, true);
    polyline(g, d, measured, 2, left, right, bottom, span, lagScale, false);
  }

  private static void polyline(GraphicsContext g, Data d, Color color, double width, double left,
      double right, double bottom, double span, double scale, boolean versions) {
    g.setStroke(color);
    g.setLineWidth(width);
    g.beginPath();
    boolean open = false;
    for (int i = 0; i < d.atMillis().length; i++) {
      double value = versions ? d.lagVersions()[i] : d.lagMillis()[i];
      if (d.atMillis()[i] < d.startMillis() || value < 0) {
        open = false;
        continue;
      }
      double x = left + (d.atMillis()[i] - d.startMillis()) / span * (right - left);
      double y = bottom - value * scale;
      if (open) {
        g.lineTo(x, y);
      } else {
        g.moveTo(x, y);
        open = true;
      }
    }
    g.stroke();
  }

  private static double niceCeiling(double value) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(value, 1e-9))));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= value) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String millisText(double millis) {
    if (millis > 0 && millis < 10) {
      return String.format(Locale.ROOT, "%.1f ms", millis);
    }
    return millis < 1000 ? String.format(Locale.ROOT, "%.0f ms", millis)
        : String.format(Locale.ROOT, "%.1f s", millis / 1000);
  }
}
