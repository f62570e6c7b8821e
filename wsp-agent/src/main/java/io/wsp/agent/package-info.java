/** The wsp agent: dials out to wsp servers and performs the HTTP requests they send. {@link io.wsp.agent.Agent} is the programmatic entry point, {@link io.wsp.agent.Main} the command line. */
package io.wsp.agent;
