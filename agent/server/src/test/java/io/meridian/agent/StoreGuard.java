package io.meridian.agent;

import io.meridian.agent.core.storage.ReplicaStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link ReplicaStore} in front of another that records every use after {@link #close} instead
 * of passing it on: a use of a closed RocksDB store crashes the JVM, so a test that closes stores
 * under load sees the mistake as a list of calls rather than as a dead test run. A call under way
 * when {@link #close} starts finishes first (closing waits for it).
 */
final class StoreGuard implements InvocationHandler {
  private final ReplicaStore target;
  private final Runnable closeTarget;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final List<String> usesAfterClose = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  StoreGuard(ReplicaStore target, Runnable closeTarget) {
    this.target = target;
    this.closeTarget = closeTarget;
  }

  /** The guarded store, to give the agent. */
  ReplicaStore store() {
    return (ReplicaStore) Proxy.newProxyInstance(ReplicaStore.class.getClassLoader(),
        new Class<?>[] {ReplicaStore.class}, this);
  }

  /** Closes the store behind the guard; every later call is recorded and refused. */
  void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        closeTarget.run();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether {@link #close} ran. */
  boolean closed() {
    return closed;
  }

  /** The calls made after {@link #close}: method and thread. */
  List<String> usesAfterClose() {
    return List.copyOf(usesAfterClose);
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return method.invoke(this, args);
    }
    lock.readLock().lock();
    try {
      if (closed) {
        usesAfterClose.add(method.getName() + " on thread " + Thread.currentThread().getName());
        throw new IllegalStateException("store used after close: " + method.getName());
      }
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } finally {
      lock.readLock().unlock();
    }
  }
}
