/**
 * The gRPC adapter around the runtime: peer replication streams (one per peer and dataset,
 * opened by the replica), the client KV API, the control API, the watch stream, and link cut and
 * heal for rehearsals.
 */
package io.meridian.agent.transport;
