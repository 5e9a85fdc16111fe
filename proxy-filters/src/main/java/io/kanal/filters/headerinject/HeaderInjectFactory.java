package io.kanal.filters.headerinject;

import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code header-inject} filters, which add record headers to every record of every produce request.
 *
 * <pre>
 * filters:
 *   - name: tag-origin
 *     type: header-inject
 *     config:
 *       headers:
 *         - { key: x-origin, value: kanal }
 *         - { key: x-client, from: clientId }
 * </pre>
 *
 * <p>The headers are appended after each record's own headers. Each record batch is rebuilt with the same magic, codec,
 * timestamp type, offsets, producer id, producer epoch, base sequence, transactional flag and partition leader epoch,
 * so idempotent and transactional producers keep working. Limits:
 * <ul>
 *   <li>The batch is compressed again with the codec's default level: the level a producer chose is not on the
 *       wire.</li>
 *   <li>Records grow by the headers; a batch close to the topic's {@code max.message.bytes} may then be refused with
 *       {@code MESSAGE_TOO_LARGE}.</li>
 *   <li>Batches older than magic v2 have no headers; a partition holding one is forwarded unchanged (logged once).
 *       A batch failing its CRC check is forwarded unchanged too, for the broker to reject.</li>
 *   <li>Control batches (transaction markers) are never changed.</li>
 * </ul>
 * Every produce request is decoded, rewritten and encoded again, so this filter costs a decompression and a
 * compression per batch.
 */
public final class HeaderInjectFactory implements FilterFactory<HeaderInjectConfig> {

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public HeaderInjectFactory() {
    }

    @Override
    public String type() {
        return "header-inject";
    }

    @Override
    public Class<HeaderInjectConfig> configType() {
        return HeaderInjectConfig.class;
    }

    /**
     * @throws IllegalArgumentException naming the key, e.g. {@code headers[1].from}, when a header has an empty key,
     *                                  both or neither of {@code value} and {@code from}, or an unknown {@code from}
     */
    @Override
    public Filter create(HeaderInjectConfig config, FilterFactoryContext context) {
        if (config == null || config.headers() == null) {
            throw new IllegalArgumentException("headers: missing; name at least one header to add");
        }
        if (config.headers().isEmpty()) {
            throw new IllegalArgumentException("headers: empty; name at least one header to add");
        }
        List<HeaderInjectFilter.Source> sources = new ArrayList<>();
        for (int i = 0; i < config.headers().size(); i++) {
            sources.add(source(config.headers().get(i), "headers[" + i + "]"));
        }
        return new HeaderInjectFilter(context.filterName(), sources);
    }

    private static HeaderInjectFilter.Source source(HeaderInjectConfig.Header header, String path) {
        if (header == null) {
            throw new IllegalArgumentException(path + ": missing; give a key and a value or from");
        }
        if (header.key() == null || header.key().isEmpty()) {
            throw new IllegalArgumentException(path + ".key: missing or empty");
        }
        if (header.value() != null && header.from() != null) {
            throw new IllegalArgumentException(path + ": give either value or from, not both");
        }
        if (header.value() == null && header.from() == null) {
            throw new IllegalArgumentException(path + ": give a value or from (one of: "
                    + ConnectionFact.configNames() + ")");
        }
        if (header.value() != null) {
            return new HeaderInjectFilter.Source(header.key(), header.value().getBytes(StandardCharsets.UTF_8), null);
        }
        ConnectionFact fact = ConnectionFact.byConfigName(header.from()).orElseThrow(() -> new IllegalArgumentException(
                path + ".from: unknown connection fact '" + header.from() + "' (known: "
                        + ConnectionFact.configNames() + ")"));
        return new HeaderInjectFilter.Source(header.key(), null, fact);
    }
}
