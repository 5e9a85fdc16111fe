package io.kanal.app.config;

import com.fasterxml.jackson.annotation.JsonFormat;

import java.util.List;

/**
 * {@code target} of a virtual cluster as written.
 *
 * @param bootstrapServers a YAML list, or one string that may hold several comma-separated addresses
 * @param tls              TLS to the brokers; absent for plaintext
 * @param sasl             how the proxy logs in to the brokers; absent for none
 */
record TargetSection(
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> bootstrapServers,
        UpstreamTlsSection tls,
        TargetSaslSection sasl) {
}
