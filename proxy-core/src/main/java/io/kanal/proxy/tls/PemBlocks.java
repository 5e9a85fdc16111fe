package io.kanal.proxy.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code -----BEGIN LABEL-----} ... {@code -----END LABEL-----} blocks of a PEM file (RFC 7468). Text between
 * blocks, such as the "Bag Attributes" lines {@code openssl pkcs12} writes, is ignored.
 */
final class PemBlocks {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** Headers of the legacy OpenSSL encryption, e.g. {@code Proc-Type: 4,ENCRYPTED}. */
    private static final Pattern HEADER = Pattern.compile("^[A-Za-z-]+:.*$", Pattern.MULTILINE);

    /**
     * @param label     e.g. {@code CERTIFICATE} or {@code PRIVATE KEY}
     * @param der       the decoded contents
     * @param hasHeader whether the block had RFC 1421 headers, which only the legacy OpenSSL key encryption writes
     */
    record Block(String label, byte[] der, boolean hasHeader) {
    }

    private PemBlocks() {
    }

    /**
     * @throws IllegalArgumentException when a block's contents are not Base64
     */
    static List<Block> parse(byte[] file) {
        String text = new String(file, StandardCharsets.US_ASCII);
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            String body = matcher.group(2);
            Matcher header = HEADER.matcher(body);
            boolean hasHeader = header.find();
            String base64 = HEADER.matcher(body).replaceAll("");
            blocks.add(new Block(matcher.group(1), Base64.getMimeDecoder().decode(base64), hasHeader));
        }
        return blocks;
    }
}
