package io.meridian.agent.transport;

import io.grpc.stub.ServerCallStreamObserver;
import io.meridian.agent.api.v1.WatchEvent;
import java.util.ArrayList;
import java.util.List;

/** A watcher's end of the stream whose readiness the test controls. */
final class SlowWatcher extends ServerCallStreamObserver<WatchEvent> {
  final List<WatchEvent> received = new ArrayList<>();
  volatile boolean ready;
  Runnable onReady = () -> {};

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public void setOnCancelHandler(Runnable onCancelHandler) {}

  @Override
  public void setCompression(String compression) {}

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public void setOnReadyHandler(Runnable onReadyHandler) {
    onReady = onReadyHandler;
  }

  @Override
  public void request(int count) {}

  @Override
  public void setMessageCompression(boolean enable) {}

  @Override
  public void disableAutoInboundFlowControl() {}

  @Override
  public synchronized void onNext(WatchEvent value) {
    received.add(value);
  }

  @Override
  public void onError(Throwable t) {}

  @Override
  public void onCompleted() {}
}
