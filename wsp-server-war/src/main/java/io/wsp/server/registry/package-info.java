/** Which agent connections exist and which are free: the pool registry and its local implementation. */
package io.wsp.server.registry;
