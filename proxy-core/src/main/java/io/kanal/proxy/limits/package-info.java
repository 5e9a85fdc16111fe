/**
 * Limits that keep one client, one client address, or all clients together from using up the proxy: how many
 * connections may be open, and how long one may sit idle. Exceeding a limit closes the connection concerned, with a
 * log line and a metric, and touches nothing else.
 */
package io.kanal.proxy.limits;
