package io.pipelit.pipelitd.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Two line charts side by side, drawn with Java2D and written with ImageIO (no charting library):
 * successful writes/s and error rate against connections, one line per mode. Connections are on a log
 * scale (1, 4, 16, 64, 256: evenly spaced).
 */
final class Chart {
  private static final int PANEL_WIDTH = 560;
  private static final int HEIGHT = 420;
  private static final int LEFT = 80;
  private static final int RIGHT = 20;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;
  /** Blues and greens for pipelitd, reds and oranges for the naive mode, in the order the series come. */
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xd62728),
      new Color(0xff7f0e), new Color(0x9467bd)};

  /** One mode's points: y per connection count, in the order of {@code connections}. */
  record Series(String name, double[] writesPerSecond, double[] errorRate) {}

  private Chart() {}

  static void write(Path png, String title, List<Integer> connections, List<Series> series) throws Exception {
    BufferedImage image = new BufferedImage(PANEL_WIDTH * 2, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, LEFT, 22);
    Map<String, double[]> writes = new LinkedHashMap<>();
    Map<String, double[]> errors = new LinkedHashMap<>();
    for (Series s : series) {
      writes.put(s.name(), s.writesPerSecond());
      double[] percent = new double[s.errorRate().length];
      for (int i = 0; i < percent.length; i++) {
        percent[i] = s.errorRate()[i] * 100;
      }
      errors.put(s.name(), percent);
    }
    panel(g, 0, "successful writes/s", connections, writes, false);
    panel(g, PANEL_WIDTH, "errors (% of answered requests)", connections, errors, true);
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  private static void panel(Graphics2D g, int x0, String yLabel, List<Integer> connections,
      Map<String, double[]> lines, boolean percent) {
    int plotWidth = PANEL_WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    double max = percent ? 100 : 0;
    for (double[] ys : lines.values()) {
      for (double y : ys) {
        if (!Double.isNaN(y)) {
          max = Math.max(max, y);
        }
      }
    }
    max = niceCeiling(max);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int tick = 0; tick <= 5; tick++) {
      int y = TOP + plotHeight - tick * plotHeight / 5;
      g.setColor(new Color(0xdddddd));
      g.drawLine(x0 + LEFT, y, x0 + LEFT + plotWidth, y);
      g.setColor(Color.DARK_GRAY);
      String label = String.format("%,.0f", max * tick / 5);
      g.drawString(label, x0 + LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
    }
    g.setColor(Color.BLACK);
    g.drawRect(x0 + LEFT, TOP, plotWidth, plotHeight);
    int n = connections.size();
    for (int i = 0; i < n; i++) {
      int x = xOf(x0, i, n, plotWidth);
      String label = Integer.toString(connections.get(i));
      g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + plotHeight + 16);
    }
    g.drawString("concurrent HTTP connections", x0 + LEFT + plotWidth / 2 - 80, TOP + plotHeight + 34);
    g.drawString(yLabel, x0 + LEFT, TOP - 8);
    int legendY = TOP + plotHeight + 52;
    int legendX = x0 + 12;
    int colour = 0;
    g.setStroke(new BasicStroke(2.2f));
    for (Map.Entry<String, double[]> line : lines.entrySet()) {
      g.setColor(COLORS[colour++ % COLORS.length]);
      int[] xs = new int[n];
      int[] ys = new int[n];
      for (int i = 0; i < n; i++) {
        double value = Double.isNaN(line.getValue()[i]) ? 0 : line.getValue()[i];
        xs[i] = xOf(x0, i, n, plotWidth);
        ys[i] = TOP + plotHeight - (int) Math.round(value / max * plotHeight);
        g.fillOval(xs[i] - 3, ys[i] - 3, 7, 7);
      }
      g.drawPolyline(xs, ys, n);
      g.drawLine(legendX, legendY - 4, legendX + 18, legendY - 4);
      g.drawString(line.getKey(), legendX + 22, legendY);
      legendX += 26 + g.getFontMetrics().stringWidth(line.getKey()) + 14;
    }
    g.setStroke(new BasicStroke(1f));
  }

  private static int xOf(int x0, int i, int n, int plotWidth) {
    return x0 + LEFT + (n == 1 ? plotWidth / 2 : 20 + i * (plotWidth - 40) / (n - 1));
  }

  private static double niceCeiling(double value) {
    if (value <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= value) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }
}
