/**
 * Deployment: compiling a topology into one agent configuration per data region
 * ({@link io.meridian.app.deploy.DeploymentCompiler}, pure), starting and stopping those agents
 * as local processes ({@link io.meridian.app.deploy.LocalDeployer}), and the state directory
 * that records a running deployment so later commands find its agents
 * ({@link io.meridian.app.deploy.DeploymentState},
 * {@link io.meridian.app.deploy.StateDirectories}).
 */
package io.meridian.app.deploy;
