/**
 * A small full-duplex HTTP/1.1 client: the request body is written on one thread while the
 * response is read on another, so a destination that answers while it still reads the upload (an
 * echo) cannot deadlock the agent. {@code java.net.http.HttpClient} sends the whole HTTP/1.1 body
 * before it reads any response byte.
 */
package io.wsp.agent.forward.http1;
