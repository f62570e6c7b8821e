/** Where agents connect: the registration endpoint, its key check, and one object per connection. */
package io.wsp.server.agent;
