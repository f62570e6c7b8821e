/** How the deployment stops: refuse new requests, let those in flight finish, then close agent connections. */
package io.wsp.server.lifecycle;
