package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** Answers the admin server's requests; see {@link AdminServer} for what each path does. */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** Prometheus text format 0.0.4; the registry picks its writer by this content type. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectWriter JSON_WRITER = new ObjectMapper().writerWithDefaultPrettyPrinter();

    private final PrometheusMeterRegistry metrics;
    private final Readiness readiness;
    private final Supplier<JsonNode> config;

    AdminHandler(PrometheusMeterRegistry metrics, Readiness readiness, Supplier<JsonNode> config) {
        this.metrics = metrics;
        this.readiness = readiness;
        this.config = config;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, text(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n"), false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean known = switch (path) {
            case "/metrics", "/livez", "/readyz", "/config" -> true;
            default -> false;
        };
        FullHttpResponse response;
        if (!known) {
            response = text(ctx, HttpResponseStatus.NOT_FOUND,
                    "not found; the admin server serves /metrics, /livez, /readyz and /config\n");
        } else if (!HttpMethod.GET.equals(request.method())) {
            response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed; use GET\n");
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
        } else {
            response = switch (path) {
                case "/metrics" -> metrics(ctx, request);
                case "/livez" -> text(ctx, HttpResponseStatus.OK, "ok\n");
                case "/readyz" -> readyz(ctx);
                default -> config(ctx);
            };
        }
        respond(ctx, request, response, HttpUtil.isKeepAlive(request));
    }

    private FullHttpResponse metrics(ChannelHandlerContext ctx, FullHttpRequest request) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        String contentType = accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS_TEXT
                : PROMETHEUS_TEXT;
        ByteBuf body = ctx.alloc().buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            metrics.scrape(out, contentType);
        } catch (IOException | RuntimeException e) {
            body.release();
            LOG.warn("scraping metrics failed", e);
            return text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "scraping metrics failed: " + e + "\n");
        }
        return response(HttpResponseStatus.OK, contentType, body);
    }

    private FullHttpResponse readyz(ChannelHandlerContext ctx) {
        List<String> reasons = readiness.notReadyBecause();
        if (reasons.isEmpty()) {
            return text(ctx, HttpResponseStatus.OK, "ok\n");
        }
        return text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + String.join("\nnot ready: ", reasons)
                + "\n");
    }

    private FullHttpResponse config(ChannelHandlerContext ctx) {
        JsonNode document = config.get();
        if (document == null) {
            return text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "the configuration is not loaded yet\n");
        }
        try {
            byte[] json = JSON_WRITER.writeValueAsBytes(SecretRedaction.redact(document));
            ByteBuf body = ctx.alloc().buffer(json.length + 1).writeBytes(json).writeByte('\n');
            return response(HttpResponseStatus.OK, JSON, body);
        } catch (IOException e) {
            return text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write the configuration: " + e + "\n");
        }
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        return response(status, PLAIN_TEXT, ByteBufUtil.writeUtf8(ctx.alloc(), body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setContentLength(response, body.readableBytes());
        return response;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
                                boolean keepAlive) {
        if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            response.setProtocolVersion(request.protocolVersion());
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
