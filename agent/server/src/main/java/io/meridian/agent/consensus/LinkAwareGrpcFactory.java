package io.meridian.agent.consensus;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcService;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * Ratis' gRPC transport with Meridian's link faults applied to server-to-server Raft messages
 * (append entries, votes, snapshots, read index, leader election): a message from a peer whose
 * link is cut fails at once, as a lost message would; a message from a peer with an emulated
 * delay is handled after it. Both ends of a cut refuse each other's messages, so together they
 * make a partition. Ratis 3.1.3 has no hook on its gRPC channels, so the hook is a proxy of the
 * server that the gRPC services call. Selected by class name in {@link RatisHost}.
 */
public final class LinkAwareGrpcFactory extends GrpcFactory {
  /**
   * The {@link Parameters} key under which {@link RatisHost} and the failover group pass the
   * {@link RaftLinks}.
   */
  public static final String LINKS_KEY = "meridian.raft.links";

  private final RaftLinks links;

  /** Called by Ratis through reflection. */
  public LinkAwareGrpcFactory(Parameters parameters) {
    super(parameters);
    RaftLinks given = parameters.get(LINKS_KEY, RaftLinks.class);
    this.links = given == null ? new RaftLinks() : given;
  }

  @Override
  public GrpcService newRaftServerRpc(RaftServer server) {
    return super.newRaftServerRpc((RaftServer) Proxy.newProxyInstance(RaftServer.class.getClassLoader(),
        new Class<?>[] {RaftServer.class}, new Gate(server, links)));
  }

  /** Applies the links to each request that carries a requesting peer. */
  private static final class Gate implements InvocationHandler {
    private final RaftServer server;
    private final RaftLinks links;
    // One thread keeps delayed messages in arrival order (equal delays, scheduled in order).
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "meridian-raft-link-delay");
      thread.setDaemon(true);
      return thread;
    });

    Gate(RaftServer server, RaftLinks links) {
      this.server = server;
      this.links = links;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
      String peer = arguments != null && arguments.length == 1 ? requestor(arguments[0], links) : null;
      if (peer == null) {
        return call(method, arguments);
      }
      boolean async = CompletableFuture.class.isAssignableFrom(method.getReturnType());
      if (links.isCut(peer)) {
        IOException lost = new IOException("the link from " + peer + " is cut (meridian fault cut)");
        if (async) {
          return CompletableFuture.failedFuture(lost);
        }
        throw lost;
      }
      long delay = links.delayMillis(peer);
      if (delay == 0) {
        return call(method, arguments);
      }
      if (!async) {
        Thread.sleep(delay);
        return call(method, arguments);
      }
      CompletableFuture<Object> result = new CompletableFuture<>();
      delayer.schedule(() -> {
        try {
          ((CompletableFuture<?>) call(method, arguments)).whenComplete((value, error) -> {
            if (error != null) {
              result.completeExceptionally(error);
            } else {
              result.complete(value);
            }
          });
        } catch (Throwable error) {
          result.completeExceptionally(error);
        }
      }, delay, TimeUnit.MILLISECONDS);
      return result;
    }

    private Object call(Method method, Object[] arguments) throws Throwable {
      try {
        return method.invoke(server, arguments);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    /** The peer a server-to-server or client request comes from, or null for anything else. */
    private static String requestor(Object request, RaftLinks links) {
      if (request instanceof org.apache.ratis.protocol.RaftClientRequest client) {
        return RaftLinks.regionOfClient(client.getClientId(), links.knownRegions());
      }
      try {
        Method header = request.getClass().getMethod("getServerRequest");
        if (header.getReturnType() != RaftRpcRequestProto.class) {
          return null;
        }
        RaftRpcRequestProto rpc = (RaftRpcRequestProto) header.invoke(request);
        return RaftPeerId.valueOf(rpc.getRequestorId()).toString();
      } catch (ReflectiveOperationException e) {
        return null;
      }
    }
  }
}
