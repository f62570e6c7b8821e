/** What operators and orchestrators look at: status, metrics, health probes and the dashboard's way in. */
package io.wsp.server.admin;
