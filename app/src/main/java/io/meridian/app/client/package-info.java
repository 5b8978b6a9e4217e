/**
 * Talking to running agents over gRPC: a channel per agent with the generated KV, control and
 * watch stubs ({@link io.meridian.app.client.AgentClient}), and how version metadata reads to a
 * person ({@link io.meridian.app.client.VersionText}).
 */
package io.meridian.app.client;
