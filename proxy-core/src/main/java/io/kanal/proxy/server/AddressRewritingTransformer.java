package io.kanal.proxy.server;

import io.kanal.proxy.address.AddressRewriter;
import io.kanal.proxy.address.BrokerAddressMap;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.connection.ResponseTransformer;
import io.kanal.proxy.protocol.ApiVersionsClamp;
import io.kanal.proxy.protocol.DecodedResponse;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Rewrites the broker addresses in responses to the virtual cluster's own, and narrows ApiVersions to what the
 * proxy can handle. A response that names a broker is held back until clients can connect to that broker's address
 * (its port is listening), so a client never tries a port that is not open yet.
 */
final class AddressRewritingTransformer implements ResponseTransformer {

    private final AddressScheme scheme;

    AddressRewritingTransformer(AddressScheme scheme) {
        this.scheme = scheme;
    }

    @Override
    public boolean wants(ApiKeys api, short version) {
        return api == ApiKeys.API_VERSIONS || AddressRewriter.carriesAddresses(api, version);
    }

    @Override
    public CompletionStage<Boolean> transform(DecodedResponse response) {
        if (response.api() == ApiKeys.API_VERSIONS) {
            return CompletableFuture.completedFuture(ApiVersionsClamp.clamp((ApiVersionsResponseData) response.body()));
        }
        List<Integer> advertised = new ArrayList<>();
        BrokerAddressMap recording = (nodeId, upstream) -> {
            HostPort address = scheme.advertise(nodeId, upstream);
            if (address != null) {
                advertised.add(nodeId);
            }
            return address;
        };
        boolean changed = new AddressRewriter(recording).rewrite(response.api(), response.bodyVersion(), response.body());
        // Most Produce responses name no broker: they need not wait for, nor allocate, a look at the listeners.
        return advertised.isEmpty() ? CompletableFuture.completedFuture(changed)
                : scheme.listening(advertised).thenApply(ignored -> changed);
    }
}
