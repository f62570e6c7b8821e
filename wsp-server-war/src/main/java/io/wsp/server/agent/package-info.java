/** Where agents connect: the registration endpoint, its secret check, and one object per connection. */
package io.wsp.server.agent;
