package io.pipelit.pipelitd.launcher;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table for the command line: columns padded to their widest cell, "-" for a null. */
final class TextTable {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  TextTable row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(cell == null ? "-" : String.valueOf(cell));
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintStream out) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    line(out, headers, widths);
    List<String> rule = new ArrayList<>();
    for (int width : widths) {
      rule.add("-".repeat(width));
    }
    line(out, rule, widths);
    rows.forEach(row -> line(out, row, widths));
  }

  private static void line(PrintStream out, List<String> cells, int[] widths) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      text.append(i == cells.size() - 1 ? cells.get(i) : String.format("%-" + widths[i] + "s  ", cells.get(i)));
    }
    out.println(text.toString().stripTrailing());
  }
}
