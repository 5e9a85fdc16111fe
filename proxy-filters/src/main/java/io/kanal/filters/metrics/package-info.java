/**
 * The {@code metrics} filter: counts the errors brokers answer with, by Kafka error code and API.
 *
 * <p>See {@link io.kanal.filters.metrics.MetricsFactory}.
 */
package io.kanal.filters.metrics;
