/**
 * Kanal's filter API: how to act on the Kafka requests and responses that pass through the proxy.
 *
 * <p>A {@link io.kanal.proxy.filter.FilterFactory} makes a {@link io.kanal.proxy.filter.Filter} from its
 * configuration; the filter registers {@link io.kanal.proxy.filter.RequestHook}s and
 * {@link io.kanal.proxy.filter.ResponseHook}s for the {@link io.kanal.proxy.filter.KafkaApi}s it cares about. Message
 * bodies are kafka-clients' generated classes ({@code ProduceRequestData}, {@code MetadataResponseData}, ...); only
 * the APIs some filter asks for are decoded.
 *
 * <p>Classes of this package that are not interfaces or {@link io.kanal.proxy.filter.KafkaApi} belong to the proxy's
 * engine and are not meant for filters.
 */
package io.kanal.proxy.filter;
