/** What operators look at: the status page. */
package io.wsp.server.admin;
