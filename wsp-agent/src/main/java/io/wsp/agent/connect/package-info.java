/** WebSocket connections to wsp servers: one pool per server, one object per connection, reconnect backoff. */
package io.wsp.agent.connect;
