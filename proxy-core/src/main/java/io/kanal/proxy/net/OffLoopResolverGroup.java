package io.kanal.proxy.net;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resolves broker host names on worker threads of its own. Netty's default resolver asks the JVM's (blocking) name
 * service on the event loop that connects, so one slow DNS answer would hold up every connection that loop serves;
 * here the loop only gets the answer.
 */
public final class OffLoopResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    /** The host-name lookup, the JVM's own unless a test replaces it. */
    @FunctionalInterface
    public interface Lookup {
        InetAddress[] addresses(String host) throws UnknownHostException;
    }

    /** The group broker connections use: lookups through the JVM's name service (and its cache). */
    public static final OffLoopResolverGroup INSTANCE = new OffLoopResolverGroup(InetAddress::getAllByName);

    private static final int THREADS = 4;

    private final Lookup lookup;
    private final ExecutorService workers;

    /** @param lookup how a host name becomes addresses; it may block */
    public OffLoopResolverGroup(Lookup lookup) {
        this.lookup = lookup;
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "kanal-dns-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.workers = pool;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new WorkerResolver(executor).asAddressResolver();
    }

    @Override
    public void close() {
        super.close();
        workers.shutdownNow();
    }

    private final class WorkerResolver extends InetNameResolver {

        WorkerResolver(EventExecutor executor) {
            super(executor);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            offload(promise, () -> promise.trySuccess(lookup.addresses(host)[0]));
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            offload(promise, () -> promise.trySuccess(Arrays.asList(lookup.addresses(host))));
        }

        private void offload(Promise<?> promise, Answer answer) {
            try {
                workers.execute(() -> {
                    try {
                        answer.give();
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                promise.tryFailure(e);
            }
        }
    }

    @FunctionalInterface
    private interface Answer {
        void give() throws UnknownHostException;
    }
}
