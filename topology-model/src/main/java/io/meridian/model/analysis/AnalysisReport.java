package io.meridian.model.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Renders a {@link TopologyAnalysis} as plain text for a terminal: a links table, then per dataset
 * a latency table, a staleness table, what is not offered or not available and why, and RPO/RTO.
 */
public final class AnalysisReport {
  private AnalysisReport() {}

  /** The report, lines ending in {@code \n}. */
  public static String render(TopologyAnalysis analysis) {
    StringBuilder out = new StringBuilder();
    AnalysisOptions o = analysis.options();
    String whatIf = o.hasFailures()
        ? "what-if: " + java.util.stream.Stream.concat(
            o.failedRegions().stream().map(r -> r + " down"),
            o.cutLinks().stream().map(l -> l + " cut")).collect(Collectors.joining(", "))
        : "what-if: no failures";
    line(out, "Topology %s at %s writes/s of %d bytes per dataset; %s", analysis.topology(),
        DatasetAnalyzer.fmt(o.writeRatePerSecond()), o.valueBytes(), whatIf);
    MonteCarlo mc = analysis.monteCarlo();
    line(out, "Monte Carlo: %d samples, seed %d, %s hop delays; 95%% intervals and curve error "
        + "(+/-%.3f) in the JSON output", mc.samples(), mc.seed(), mc.delayModel(),
        mc.curveErrorBound());
    out.append('\n');
    links(out, analysis.links());
    for (DatasetAnalysis d : analysis.datasets()) {
      out.append('\n');
      dataset(out, d);
    }
    if (!analysis.warnings().isEmpty()) {
      out.append('\n');
      line(out, "Warnings");
      for (String warning : analysis.warnings()) {
        line(out, "  ! %s", warning);
      }
    }
    return out.toString();
  }

  private static void links(StringBuilder out, List<LinkAnalysis> links) {
    line(out, "Links (round trips in ms; floor = light in fibre over the great circle)");
    Table table = new Table("link", "rtt", "jitter", "floor", "x floor", "a>b Mbit/s",
        "b>a Mbit/s", "capacity", "use", "status");
    for (LinkAnalysis l : links) {
      table.row(l.name() + (l.cut() ? " (cut)" : ""), num(l.rttMs()), num(l.jitterMs()),
          num(l.floorRttMs()), String.format(Locale.ROOT, "%.2f", l.rttOverFloor()),
          num(l.trafficAToBMbps()), num(l.trafficBToAMbps()), num(l.bandwidthMbps()),
          String.format(Locale.ROOT, "%.1f%%", l.utilisation() * 100),
          l.fasterThanLight() ? "FASTER THAN LIGHT" : l.status().name().toLowerCase(Locale.ROOT)
              .replace('_', ' '));
    }
    table.render(out, "  ");
  }

  private static void dataset(StringBuilder out, DatasetAnalysis d) {
    line(out, "Dataset %s: %s, policy %s, replicas %s%s", d.name(),
        d.mode() == null ? "unknown mode" : d.mode().fileName(), d.policy(),
        DatasetAnalyzer.set(d.replicas()),
        d.writeLeader() == null ? "" : ", writes led by " + d.writeLeader());
    if (d.cap() != null) {
      line(out, "  CAP %s, PACELC %s: %s", d.cap(), d.pacelc(), d.classification());
    }
    for (String note : d.notes()) {
      line(out, "  note: %s", note);
    }
    if (d.regions().isEmpty()) {
      line(out, "  %s", d.classification());
      return;
    }
    line(out, "  Latency in ms: p50/p99 (floor); '-' not offered, 'DOWN' not available");
    List<String> header = new ArrayList<>(List.of("client", "write"));
    d.regions().get(0).reads().forEach(r -> header.add(r.name()));
    Table latency = new Table(header.toArray(String[]::new));
    for (RegionAnalysis r : d.regions()) {
      List<String> cells = new ArrayList<>(List.of(r.region().value(), cell(r.write())));
      r.reads().forEach(op -> cells.add(cell(op)));
      latency.row(cells.toArray(String[]::new));
    }
    latency.render(out, "  ");

    Map<String, Set<String>> notOffered = new LinkedHashMap<>();
    Map<String, Set<String>> unavailable = new LinkedHashMap<>();
    for (RegionAnalysis r : d.regions()) {
      List<Operation> ops = new ArrayList<>(List.of(r.write()));
      ops.addAll(r.reads());
      for (Operation op : ops) {
        if (!op.offered()) {
          notOffered.computeIfAbsent(op.name(), k -> new LinkedHashSet<>()).add(op.explanation());
        } else if (!op.available()) {
          unavailable.computeIfAbsent(op.explanation(), k -> new LinkedHashSet<>())
              .add(op.name());
        }
      }
    }
    notOffered.forEach((name, why) -> line(out, "  - %s not offered: %s", name,
        String.join("; ", why)));
    unavailable.forEach((why, names) -> line(out, "  DOWN %s: %s", String.join(", ", names),
        why));

    line(out, "  Staleness of reads (PBS): time after commit by which reads see the write");
    Table staleness = null;
    Set<String> inapplicable = new LinkedHashSet<>();
    for (RegionAnalysis r : d.regions()) {
      Staleness s = r.staleness();
      if (!s.applicable() || s.consistent99Ms() == null) {
        inapplicable.add(s.explanation());
        continue;
      }
      if (staleness == null) {
        List<String> h = new ArrayList<>(List.of("client", "99% by", "99.9% by", "P(see at 0)",
            "mean missed"));
        s.versionsBehind().forEach(v -> h.add("P(>" + v.k() + " behind)"));
        staleness = new Table(h.toArray(String[]::new));
      }
      List<String> cells = new ArrayList<>(List.of(r.region().value(),
          num(s.consistent99Ms()) + " ms", num(s.consistent999Ms()) + " ms",
          String.format(Locale.ROOT, "%.3f", s.visibilityAt(0)),
          String.format(Locale.ROOT, "%.3g", s.meanVersionsBehind())));
      s.versionsBehind().forEach(v -> cells.add(String.format(Locale.ROOT, "%.3g",
          v.probabilityMoreThanK())));
      staleness.row(cells.toArray(String[]::new));
    }
    if (staleness != null) {
      staleness.render(out, "  ");
    }
    for (String why : inapplicable) {
      line(out, "    %s", why);
    }

    Recovery recovery = d.recovery();
    if (recovery != null) {
      line(out, "  Recovery when %s", recovery.scenario());
      Rpo rpo = recovery.rpo();
      line(out, "    RPO %s%s: %s", rpo.expectedMs() == null ? "unbounded"
          : num(rpo.expectedMs()) + " ms expected, p99 " + num(rpo.p99Ms()) + " ms",
          target(rpo.targetMs(), rpo.meetsTarget()), rpo.explanation());
      Rto rto = recovery.rto();
      String terms = rto.terms().stream().map(t -> num(t.ms()) + " " + t.name())
          .collect(Collectors.joining(" + "));
      line(out, "    RTO %s%s%s: %s", rto.totalMs() == null ? "none" : num(rto.totalMs()) + " ms",
          terms.isEmpty() ? "" : " = " + terms, target(rto.targetMs(), rto.meetsTarget()),
          rto.explanation());
    }
  }

  private static String target(Long target, Boolean meets) {
    if (target == null) {
      return "";
    }
    return " (target " + target + " ms: " + (Boolean.TRUE.equals(meets) ? "met" : "MISSED") + ")";
  }

  private static String cell(Operation op) {
    if (!op.offered()) {
      return "-";
    }
    if (!op.available()) {
      return "DOWN";
    }
    Latency l = op.latency();
    return num(l.p50Ms()) + "/" + num(l.p99Ms()) + " (" + num(l.floorMs()) + ")";
  }

  private static String num(double value) {
    return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
  }

  private static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  /** A left-aligned text table. */
  private static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    void row(String... cells) {
      rows.add(cells);
    }

    void render(StringBuilder out, String indent) {
      int columns = rows.get(0).length;
      int[] width = new int[columns];
      for (String[] row : rows) {
        for (int c = 0; c < columns; c++) {
          width[c] = Math.max(width[c], row[c].length());
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder(indent);
        for (int c = 0; c < columns; c++) {
          line.append(row[c]);
          if (c < columns - 1) {
            line.append(" ".repeat(width[c] - row[c].length() + 2));
          }
        }
        out.append(line.toString().stripTrailing()).append('\n');
      }
    }
  }
}
