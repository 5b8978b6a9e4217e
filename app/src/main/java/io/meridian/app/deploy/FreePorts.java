package io.meridian.app.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Hands out ports that were free on 127.0.0.1 when asked, never the same one twice. The
 * operating system picks each (bind to port 0); another program may take one before the agent
 * binds it, in which case that agent fails to start and the deployment says so.
 */
public final class FreePorts implements IntSupplier {
  /** Attempts to find a port not handed out before; the OS rarely repeats one. */
  private static final int ATTEMPTS_MAX = 100;

  private final Set<Integer> handedOut = new HashSet<>();

  /** Creates a source of free ports. */
  public FreePorts() {}

  @Override
  public int getAsInt() {
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        int port = socket.getLocalPort();
        if (handedOut.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not find a free port on 127.0.0.1", e);
      }
    }
    throw new IllegalStateException("no new free port on 127.0.0.1 after " + ATTEMPTS_MAX
        + " attempts");
  }
}
