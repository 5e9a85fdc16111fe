package io.kanal.mesh.metadata;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshContext;
import io.kanal.mesh.api.MeshModule;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/** Answers Metadata: the mesh as the only broker, the topics from the clusters they live in. */
public final class MetadataModule implements MeshModule {

    @Override
    public void register(MeshApis.Builder apis, MeshContext context) {
        apis.handle(ApiKeys.METADATA, MetadataRequestData.class, new MetadataHandler(context.self(),
                context.clusters()));
    }
}
