package io.kanal.filters.metrics;

import java.util.List;

/**
 * Configuration of the {@code metrics} filter; the whole {@code config} section may be left out.
 *
 * <pre>
 * config:
 *   apis: [Produce, Fetch]
 * </pre>
 *
 * @param apis the APIs whose responses are counted, by their Kafka names as {@code ApiKeys} spells them
 *             ({@code Produce}, {@code Fetch}, {@code OffsetCommit}, ...); absent means every API
 */
public record MetricsConfig(List<String> apis) {
}
