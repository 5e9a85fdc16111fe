package io.kanal.filters.headerinject;

import java.util.List;

/**
 * Configuration of the {@code header-inject} filter.
 *
 * <pre>
 * config:
 *   headers:
 *     - key: x-origin
 *       value: kanal            # a fixed value
 *     - key: x-client
 *       from: clientId          # a fact about the producing connection
 * </pre>
 *
 * @param headers the headers to add to every produced record, in this order, after the record's own headers; at
 *                least one
 */
public record HeaderInjectConfig(List<Header> headers) {

    /**
     * One header to add: a {@code key} and exactly one of {@code value} and {@code from}.
     *
     * @param key   the header key; not empty
     * @param value a fixed value, written as UTF-8
     * @param from  a fact about the producing connection, written as UTF-8: {@code clientId} (the client id of the
     *              produce request; header omitted when the client sent none), {@code principal} (the authenticated
     *              principal; header omitted when the proxy did not authenticate the client), {@code virtualCluster}
     *              (the virtual cluster's name) or {@code clientAddress} (the client's IP address and port as the
     *              proxy sees it, {@code 10.0.0.7:53124} or {@code [2001:db8::7]:53124})
     */
    public record Header(String key, String value, String from) {
    }
}
