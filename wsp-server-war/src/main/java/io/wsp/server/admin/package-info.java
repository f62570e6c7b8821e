/** What operators and orchestrators look at: the status page and health probes. */
package io.wsp.server.admin;
