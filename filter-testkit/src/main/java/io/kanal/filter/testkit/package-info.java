/**
 * Kanal's filter test kit: unit tests for filters, run by the proxy's own filter engine and wire codecs with no
 * network and no broker.
 *
 * <p>{@link io.kanal.filter.testkit.FilterHarness} is one client connection with a chain of filters; a request or
 * response handed to it comes back as a {@link io.kanal.filter.testkit.RequestResult} or
 * {@link io.kanal.filter.testkit.ResponseResult}: what the broker or the client would read. Depend on the artifact
 * {@code io.kanal:kanal-filter-testkit} with scope {@code test}.
 */
package io.kanal.filter.testkit;
