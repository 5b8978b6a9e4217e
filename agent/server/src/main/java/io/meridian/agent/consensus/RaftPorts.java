package io.meridian.agent.consensus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks a Raft server's port before Ratis binds it. Ratis' gRPC service ends the whole JVM with
 * {@code System.exit(1)} when its server cannot bind ({@code GrpcService.startImpl} calls {@code
 * ExitUtils.terminate}), which in an agent kills the process without a word of ours; turning that
 * off ({@code ExitUtils.disableSystemExit}) would change every other fatal path of Ratis too. So
 * the agent binds the port itself first and, when that fails, refuses to start with a message that
 * names the port and what to do. A process that takes the port in the moment between the check and
 * Ratis' own bind still meets Ratis' exit; the check covers the cases operators meet (an agent of
 * the region still running, another deployment, a fixed port already taken).
 */
public final class RaftPorts {
  private RaftPorts() {}

  /**
   * Throws when {@code port} cannot be bound on {@code host} now.
   *
   * @param region the agent's region, for the message
   * @param server what the Raft server is for ("the Raft server of its consensus datasets")
   * @param host the address Ratis will listen on, or null for every interface
   * @param port the port Ratis will listen on; 0 (any free port) is not checked
   * @param configured where the port is set in the agent's configuration file, for the fix
   * @throws UncheckedIOException with a {@link BindException} saying what is wrong and what to do
   */
  public static void requireBindable(String region, String server, String host, int port, String configured) {
    if (port == 0) {
      return;
    }
    InetSocketAddress address = host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(address);
    } catch (IOException e) {
      String where = host == null ? "port " + port : "port " + port + " on " + host;
      BindException refused = new BindException("region " + region + ": cannot start " + server + ": " + where
          + " cannot be bound (" + e.getMessage() + "). Another process holds it, often an agent of this region"
          + " still running or another deployment: stop it (`ss -ltnp 'sport = :" + port + "'` shows which), or"
          + " give this region a free port in its configuration (" + configured + "); a local deployment picks"
          + " free ports when it is deployed again.");
      refused.initCause(e);
      throw new UncheckedIOException(refused.getMessage(), refused);
    }
  }
}
