package io.meridian.model.analysis;

import io.meridian.model.Link;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws Monte Carlo samples of delays along routes, and remembers them.
 *
 * <p>Each sample array is seeded from the run's seed, a purpose (such as {@code client} or
 * {@code inner}) and the ordered pair of end regions, never from the order in which the analysis
 * asks: so a dataset's figures do not depend on which other datasets exist, and a cached array is
 * exactly the array a fresh run would draw. Different purposes give independent streams, so the
 * client's hop and the replicas' acknowledgements are independent even over the same pair.
 *
 * <p>An array of length one is a constant: a route with no jitter and no loss has no randomness,
 * and the combinators in {@link Samples} keep such results exact.
 *
 * <p>How: each link gets one array of independent one-way delays. A route's sample {@code i} is
 * the sum over its hops (and, for a round trip, over both legs) of each link's sample
 * {@code i + offset}, with an offset drawn per route, purpose and hop. Within a route, distinct
 * samples use distinct link draws, so a route's samples are independent draws of its delay; two
 * routes over the same link use different offsets, so their samples at the same index are
 * independent too (unless two offsets coincide, with probability 1/samples per pair). Summing
 * rotated arrays costs one addition per hop and sample, which is what makes a 50-region analysis
 * fast enough to run on every edit.
 *
 * <p>Lost packets: each hop is lost with the link's loss probability, independently, and a lost
 * hop costs a retransmission timeout of {@code max(200 ms, rtt + 4 * jitter)} (the Linux minimum
 * RTO and the RFC 6298 formula); a second loss of the retransmission is ignored.
 */
final class Sampler {
  /** Linux's minimum TCP retransmission timeout, in milliseconds. */
  static final double RETRANSMIT_TIMEOUT_MIN_MS = 200;

  private final int samples;
  private final long seed;
  private final DelayModel model;
  private final Map<Object, double[]> previous;
  private final Map<Object, double[]> current = new HashMap<>();
  private final Map<Link, double[]> links = new HashMap<>();
  private final Map<Link, double[]> previousLinks = new HashMap<>();
  private int drawn;
  private int reused;

  private record Key(String purpose, Route route, boolean roundTrip) {}

  private record Derived(Object key) {}

  /**
   * A sampler that reuses arrays from an earlier run's cache when their key matches.
   *
   * @param previous the cache of the earlier run with the same samples, seed and model, or empty
   */
  Sampler(AnalysisOptions options, Map<Object, double[]> previous) {
    this.samples = options.samples();
    this.seed = options.seed();
    this.model = options.delayModel();
    Map<Object, double[]> typed = new HashMap<>();
    previous.forEach((k, v) -> {
      if (k instanceof Key || k instanceof Derived) {
        typed.put(k, v);
      } else if (k instanceof Link link) {
        previousLinks.put(link, v);
      }
    });
    this.previous = typed;
  }

  /** The arrays drawn or reused in this run, to hand to the next run. */
  Map<Object, double[]> cache() {
    Map<Object, double[]> all = new HashMap<>(current);
    all.putAll(links);
    return all;
  }

  /** Arrays drawn afresh in this run. */
  int drawn() {
    return drawn;
  }

  /** Arrays taken from the previous run's cache. */
  int reused() {
    return reused;
  }

  int samples() {
    return samples;
  }

  /**
   * A value derived from sample arrays (such as the k-th fastest of several acknowledgements),
   * remembered under {@code key} like the arrays themselves. The key must capture everything the
   * value depends on.
   */
  double[] derived(Object key, java.util.function.Supplier<double[]> compute) {
    Derived wrapped = new Derived(key);
    double[] found = current.get(wrapped);
    if (found == null) {
      found = previous.get(wrapped);
      if (found == null) {
        found = compute.get();
      }
      current.put(wrapped, found);
    }
    return found;
  }

  /** One-way delays along the route, in milliseconds. */
  double[] oneWay(String purpose, Route route) {
    return draw(new Key(purpose, route, false));
  }

  /** Round trips along the route and back, in milliseconds. */
  double[] roundTrip(String purpose, Route route) {
    return draw(new Key(purpose, route, true));
  }

  private double[] draw(Key key) {
    double[] found = current.get(key);
    if (found == null) {
      found = previous.get(key);
      if (found == null) {
        found = generate(key);
        drawn++;
      } else {
        reused++;
      }
      current.put(key, found);
    }
    return found;
  }

  private double[] generate(Key key) {
    Route route = key.route();
    int legs = key.roundTrip() ? 2 : 1;
    double constant = 0;
    List<double[]> varying = new ArrayList<>();
    for (int leg = 0; leg < legs; leg++) {
      for (Link hop : route.hops()) {
        double[] delays = link(hop);
        if (delays.length == 1) {
          constant += delays[0];
        } else {
          varying.add(delays);
        }
      }
    }
    if (varying.isEmpty()) {
      return new double[] {constant};
    }
    SplittableRandom offsets = new SplittableRandom(seedOf(key));
    double[] out = new double[samples];
    java.util.Arrays.fill(out, constant);
    for (double[] delays : varying) {
      int offset = offsets.nextInt(samples);
      int split = samples - offset;
      for (int i = 0; i < split; i++) {
        out[i] += delays[i + offset];
      }
      for (int i = split; i < samples; i++) {
        out[i] += delays[i - split];
      }
    }
    return out;
  }

  /**
   * One-way delays of one link: a constant when it has neither jitter nor loss, else
   * {@code samples} independent draws, seeded by the link's ends.
   */
  private double[] link(Link hop) {
    double[] found = links.get(hop);
    if (found != null) {
      return found;
    }
    found = previousLinks.get(hop);
    if (found != null) {
      links.put(hop, found);
      return found;
    }
    double shift = DelayModel.shiftMs(hop.rttMs(), hop.jitterMs());
    if (hop.jitterMs() == 0 && hop.lossPercent() == 0) {
      found = new double[] {shift};
    } else {
      double jitter = hop.jitterMs();
      double loss = hop.lossPercent() / 100;
      double penalty = Math.max(RETRANSMIT_TIMEOUT_MIN_MS, hop.rttMs() + 4 * hop.jitterMs());
      double[] table = model.table();
      SplittableRandom random = new SplittableRandom(
          mix(mix(seed ^ hop.a().value().hashCode()) ^ hop.b().value().hashCode()));
      found = new double[samples];
      for (int i = 0; i < samples; i++) {
        double value = shift;
        if (jitter > 0) {
          value += jitter * table[random.nextInt(DelayModel.TABLE_SIZE)];
        }
        if (loss > 0 && random.nextDouble() < loss) {
          value += penalty;
        }
        found[i] = value;
      }
    }
    links.put(hop, found);
    return found;
  }

  private long seedOf(Key key) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    h = mix(h ^ key.purpose().hashCode());
    h = mix(h ^ key.route().from().value().hashCode());
    h = mix(h ^ ((long) key.route().to().value().hashCode() << 1));
    return mix(h ^ (key.roundTrip() ? 0x5bd1e995L : 0x27d4eb2dL));
  }

  /** A stream seed for a purpose that is not a route, such as choosing a writer per trial. */
  long seedFor(String purpose, String... parts) {
    long h = mix(seed ^ purpose.hashCode());
    for (String part : parts) {
      h = mix(h ^ part.hashCode());
    }
    return h;
  }

  /** MurmurHash3's 64-bit finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
