package io.meridian.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Loopback ports for tests whose servers must know each other's ports before they start (agents'
 * peers, Raft groups), so cannot simply bind port 0. A port found free may be taken by another
 * process (another build on the same CI box) before the server binds it: such a start is retried
 * on new ports, a bounded number of times, instead of failing the test.
 */
public final class FreePorts {
  /** Starts tried before a port conflict fails the test. */
  public static final int START_ATTEMPTS_MAX = 5;

  private FreePorts() {}

  /** {@code count} distinct ports that were free on the loopback address a moment ago. */
  public static int[] pick(int count) {
    Set<Integer> ports = new LinkedHashSet<>();
    while (ports.size() < count) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        ports.add(socket.getLocalPort());
      } catch (IOException e) {
        throw new UncheckedIOException("no free loopback port: " + e.getMessage(), e);
      }
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Runs {@code start}, which picks its ports itself; when it fails because a port was taken,
   * runs {@code undo} (closing what it started) and tries again, at most {@link
   * #START_ATTEMPTS_MAX} times in all.
   *
   * @param start picks ports and starts the servers; given the attempt, from 1
   */
  public static void startRetryingTakenPorts(java.util.function.IntConsumer start, Runnable undo) {
    for (int attempt = 1; ; attempt++) {
      try {
        start.accept(attempt);
        return;
      } catch (RuntimeException failure) {
        if (!isBindFailure(failure) || attempt >= START_ATTEMPTS_MAX) {
          throw failure;
        }
        System.out.printf("a picked port was taken meanwhile (%s); starting again on new ports%n",
            failure.getMessage());
        undo.run();
      }
    }
  }

  /** Whether {@code failure} comes from a port another process holds. */
  public static boolean isBindFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      // Netty's native (epoll) transport reports it as its own IOException, not a BindException.
      if (cause instanceof BindException
          || (cause.getMessage() != null && cause.getMessage().contains("Address already in use"))) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}
