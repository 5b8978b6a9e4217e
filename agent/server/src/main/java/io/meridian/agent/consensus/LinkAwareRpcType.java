package io.meridian.agent.consensus;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/** The Ratis RPC type naming {@link LinkAwareGrpcFactory}; Ratis instantiates it by class name. */
public final class LinkAwareRpcType implements RpcType {
  /** Called by Ratis through reflection. */
  public LinkAwareRpcType() {}

  @Override
  public String name() {
    return LinkAwareRpcType.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new LinkAwareGrpcFactory(parameters);
  }
}
