package io.kanal.proxy.server;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What {@link ProxyServer#reconfigure} did, by virtual cluster name, each list in configuration order (removed ones in
 * the order they ran).
 *
 * @param added     virtual clusters that are new: they listen now
 * @param removed   virtual clusters that are gone: they no longer listen, and their connections are draining
 * @param changed   virtual clusters whose settings or filter chain changed: new listeners with the new settings serve
 *                  new connections, the old ones are draining
 * @param unchanged virtual clusters left exactly as they were, connections included
 * @param retired   completes, never exceptionally, once every connection of the removed virtual clusters and of the
 *                  old endpoints of the changed ones has closed: from then on nothing calls the filters only they used
 */
public record ReloadResult(List<String> added, List<String> removed, List<String> changed, List<String> unchanged,
                           CompletionStage<Void> retired) {

    public ReloadResult {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        unchanged = List.copyOf(unchanged);
        Objects.requireNonNull(retired, "retired");
    }
}
